/**
 * @module
 * @longpo/eval (work in progress).
 */
export const PACKAGE_NAME = "@longpo/eval";
