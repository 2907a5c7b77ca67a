/**
 * @module
 * @longpo/prefgen (work in progress).
 */
export const PACKAGE_NAME = "@longpo/prefgen";
