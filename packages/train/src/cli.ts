#!/usr/bin/env node
// The `longpo` executable: runs the CLI under Node (dist/cli.js), Bun or Deno (src/cli.ts) and exits with its code.
import { main } from "./cli/main.ts";
import { commandArgs, exitProcess } from "./runtime.ts";

exitProcess(await main(commandArgs()));
