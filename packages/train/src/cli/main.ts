// The `longpo` command: subcommand dispatch, --help, one-line errors and exit codes.
import { OutputLockedError } from "@longpo/io";
import { PreferenceDataError } from "@longpo/prefgen";
import { BackendUnavailableError } from "../model/backend.ts";
import { CheckpointError } from "../model/checkpoint-error.ts";
import { TrainConfigError } from "../trainer/train-config.ts";
import { type CommandSpec, helpText, UsageError } from "./args.ts";
import { type CliIo, EXIT, InputError, processIo } from "./cli-io.ts";
import { compressCommand, compressSpec } from "./compress-command.ts";
import { convertCommand, convertSpec } from "./convert-command.ts";
import { bootstrapCommand, bootstrapSpec, demoCommand, demoSpec } from "./demo-command.ts";
import { evalCommand, evalSpec } from "./eval-command.ts";
import { generateCommand, generateSpec } from "./generate-command.ts";
import { releaseOutputLocks } from "./output-lock.ts";
import { prefgenCommand, prefgenSpec } from "./prefgen-command.ts";
import { runCommand, runSpec } from "./run-command.ts";
import { scoreCommand, scoreSpec } from "./score-command.ts";
import { trainCommand, trainSpec } from "./train-command.ts";
import { worldPairsCommand, worldPairsSpec } from "./world-pairs-command.ts";

/** A subcommand: its declaration (for --help) and its body. */
export interface Command {
  spec: CommandSpec;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

const commands: Command[] = [
  { spec: convertSpec, run: convertCommand },
  { spec: generateSpec, run: generateCommand },
  { spec: scoreSpec, run: scoreCommand },
  { spec: compressSpec, run: compressCommand },
  { spec: prefgenSpec, run: prefgenCommand },
  { spec: worldPairsSpec, run: worldPairsCommand },
  { spec: trainSpec, run: trainCommand },
  { spec: evalSpec, run: evalCommand },
  { spec: runSpec, run: runCommand },
  { spec: demoSpec, run: demoCommand },
  { spec: bootstrapSpec, run: bootstrapCommand },
];

/** Top-level help. */
export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.spec.name.length));
  return [
    "longpo: LongPO (short-to-long preference optimisation) on TensorFlow.js",
    "",
    "Usage: longpo <command> [options]     (longpo <command> --help for its options)",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    "",
    "Exit codes: 0 done, 1 the run failed, 2 bad usage or input, 130 stopped by a signal (resumable).",
    "",
  ].join("\n");
}

/**
 * One line, whatever was thrown (Emscripten rethrows carry pages of source: keep the first line only; a ZodError's
 * message is pretty-printed JSON: say its first issue).
 */
function oneLine(e: unknown): string {
  const issues = e instanceof Error && e.name === "ZodError" ? (e as Error & { issues?: unknown }).issues : undefined;
  if (Array.isArray(issues) && issues.length > 0) {
    const i = issues[0] as { path?: unknown[]; message?: string };
    return `${(i.path ?? []).map(String).join(".") || "(root)"} ${i.message ?? "is invalid"}`.slice(0, 500);
  }
  const text = e instanceof Error ? e.message : String(e);
  return (text.split("\n")[0] ?? "").slice(0, 500);
}

/**
 * Run `longpo` with the given arguments.
 *
 * @returns the exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(mainHelp());
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const command = commands.find((c) => c.spec.name === name);
  if (command === undefined) {
    io.err(`longpo: unknown command "${name}" (commands: ${commands.map((c) => c.spec.name).join(", ")})\n`);
    return EXIT.badInput;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(helpText(command.spec));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const bad = e instanceof UsageError || e instanceof InputError || e instanceof CheckpointError ||
      e instanceof PreferenceDataError || e instanceof BackendUnavailableError || e instanceof TrainConfigError ||
      e instanceof OutputLockedError;
    io.err(`longpo ${name}: ${oneLine(e)}\n`);
    return bad ? EXIT.badInput : EXIT.failed;
  } finally {
    releaseOutputLocks();
  }
}
