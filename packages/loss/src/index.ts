/**
 * @module
 * @longpo/loss (work in progress).
 */
export const PACKAGE_NAME = "@longpo/loss";
