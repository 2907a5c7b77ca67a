#!/usr/bin/env node
// The `longpo` executable under Node: a committed launcher (so that npm links the bin before anything is built)
// that runs the CLI built into dist/ by `npm run build` (which `npm ci` runs through `prepare`).
try {
  await import("../dist/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.js")) {
    console.error("longpo: the CLI is not built yet; run `npm run build` in the repository root (`npm ci` does it).");
    process.exit(2);
  }
  throw error;
}
