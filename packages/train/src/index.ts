/**
 * @module
 * @longpo/train (work in progress).
 */
export const PACKAGE_NAME = "@longpo/train";
