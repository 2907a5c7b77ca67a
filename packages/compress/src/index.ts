/**
 * @module
 * @longpo/compress (work in progress).
 */
export const PACKAGE_NAME = "@longpo/compress";
