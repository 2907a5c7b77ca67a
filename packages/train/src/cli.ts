#!/usr/bin/env node
// The `longpo` executable: runs the CLI under Node (dist/cli.js), Bun or Deno (src/cli.ts) and exits with its code.
import { commandArgs, exitProcess, prepareModuleResolution } from "./runtime.ts";

await prepareModuleResolution(); // before the model (and tfjs-core's gradients) load
const { main } = await import("./cli/main.ts");
exitProcess(await main(commandArgs()));
