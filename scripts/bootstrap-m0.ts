// Rebuild M0 from its recipe with the project's trainer; `--ship` copies it to packages/train/models/m0.
// The same as `longpo bootstrap`. Run: npx bun scripts/bootstrap-m0.ts [--out runs/m0] [--recipe r.json] [--ship]
import { bootstrapCommand } from "../packages/train/src/cli/bootstrap-command.ts";
import { processIo } from "../packages/train/src/cli/cli-io.ts";
import { commandArgs, exitProcess } from "../packages/train/src/runtime.ts";

exitProcess(await bootstrapCommand(commandArgs(), processIo));
