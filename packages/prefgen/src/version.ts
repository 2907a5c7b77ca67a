// The package version recorded in each pair's provenance (a test keeps it equal to package.json's).

/** This package's version. */
export const PREFGEN_VERSION = "0.1.0";
