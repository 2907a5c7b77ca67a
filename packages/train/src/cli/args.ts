// Command-line parsing for `longpo`: declared options per subcommand, one-line usage errors, generated --help.
import { didYouMean } from "../did-you-mean.ts";
import { parseDecimal } from "../parse-decimal.ts";

/** The kinds of values an option takes. */
export type OptionKind = "string" | "number" | "integer" | "boolean";

/** One declared option. */
export interface OptionSpec {
  kind: OptionKind;
  description: string;
  required?: boolean;
  /** Shown in --help; applied when the option is absent. */
  default?: string | number | boolean;
  /** Smallest value a number or integer option accepts. */
  min?: number;
}

/** A subcommand's declaration. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Extra lines of help after the options (examples, notes). */
  notes?: string[];
  options: Record<string, OptionSpec>;
  /** Accept options not declared (collected in `extra`), e.g. TrainConfig overrides. */
  allowExtra?: boolean;
  /** With `allowExtra`: the names extra options may take; any other is an unknown option with a did-you-mean. */
  extraKeys?: readonly string[];
}

/** Parsed options: declared ones typed, undeclared ones (when allowed) as raw strings. */
export interface ParsedArgs {
  values: Record<string, string | number | boolean | undefined>;
  extra: Record<string, string>;
  help: boolean;
}

/** A usage error: wrong option, missing value, bad number. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** `max-new-tokens` → `maxNewTokens`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Parse `--name value`, `--name=value` and boolean `--flag` / `--no-flag` against a command's spec.
 *
 * @throws {UsageError} naming the first bad option.
 * @example
 * parseArgs(["--model", "m", "--max-new-tokens", "5"], spec).values; // { model: "m", maxNewTokens: 5, ... }
 */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const values: ParsedArgs["values"] = {};
  const extra: Record<string, string> = {};
  let help = false;
  const byCamel = new Map<string, string>();
  for (const name of Object.keys(spec.options)) byCamel.set(camelCase(name), name);
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--help" || token === "-h") {
      help = true;
      continue;
    }
    if (!token.startsWith("--")) throw new UsageError(`unexpected argument "${token}" (options start with --)`);
    let key = token.slice(2);
    let inline: string | undefined;
    const eq = key.indexOf("=");
    if (eq >= 0) {
      inline = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    let negated = false;
    let name = byCamel.get(camelCase(key));
    if (name === undefined && key.startsWith("no-")) {
      const positive = byCamel.get(camelCase(key.slice(3)));
      if (positive !== undefined && spec.options[positive]?.kind === "boolean") {
        name = positive;
        negated = true;
      }
    }
    const extraKnown = spec.extraKeys === undefined || spec.extraKeys.includes(camelCase(key));
    if (name === undefined) {
      if (!spec.allowExtra || !extraKnown) {
        const near = didYouMean(key, [...Object.keys(spec.options), ...(spec.allowExtra ? (spec.extraKeys ?? []) : [])]);
        throw new UsageError(`unknown option --${key} (${near === undefined ? "" : `did you mean --${near}? `}see longpo ${spec.name} --help)`);
      }
      const raw = inline ?? argv[++i];
      if (raw === undefined) throw new UsageError(`option --${key} needs a value`);
      extra[camelCase(key)] = raw;
      continue;
    }
    const opt = spec.options[name] as OptionSpec;
    const field = camelCase(name);
    if (opt.kind === "boolean") {
      if (inline !== undefined && inline !== "true" && inline !== "false") {
        throw new UsageError(`option --${name} takes true or false, got "${inline}"`);
      }
      values[field] = negated ? false : inline !== "false";
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith("--"))) throw new UsageError(`option --${name} needs a value`);
    values[field] = convert(name, opt, raw);
  }
  if (!help) {
    for (const [name, opt] of Object.entries(spec.options)) {
      const field = camelCase(name);
      if (values[field] !== undefined) continue;
      if (opt.default !== undefined) values[field] = opt.default;
      else if (opt.required === true) throw new UsageError(`missing required option --${name}`);
    }
  }
  return { values, extra, help };
}

function convert(name: string, opt: OptionSpec, raw: string): string | number {
  if (opt.kind === "string") return raw;
  const n = parseDecimal(raw);
  if (n === undefined) throw new UsageError(`option --${name} must be a decimal number, got "${raw}"`);
  if (opt.kind === "integer" && !Number.isInteger(n)) throw new UsageError(`option --${name} must be an integer, got "${raw}"`);
  if (opt.min !== undefined && n < opt.min) throw new UsageError(`option --${name} must be at least ${opt.min}, got ${raw}`);
  return n;
}

/** The --help text of a subcommand. */
export function helpText(spec: CommandSpec): string {
  const lines = [`longpo ${spec.name}: ${spec.summary}`, "", `Usage: longpo ${spec.name} [options]`, "", "Options:"];
  for (const [name, opt] of Object.entries(spec.options)) {
    const flag = opt.kind === "boolean" ? `--${name}` : `--${name} <${opt.kind === "string" ? "value" : opt.kind}>`;
    const tail = opt.required === true ? " (required)" : opt.default !== undefined ? ` (default ${JSON.stringify(opt.default)})` : "";
    lines.push(`  ${flag.padEnd(30)} ${opt.description}${tail}`);
  }
  lines.push(`  ${"--help".padEnd(30)} show this help`);
  if (spec.notes !== undefined) lines.push("", ...spec.notes);
  return `${lines.join("\n")}\n`;
}

/** Typed accessors over parsed values (the parser already checked kinds and required options). */
export function str(p: ParsedArgs, key: string): string {
  return p.values[key] as string;
}
export function optStr(p: ParsedArgs, key: string): string | undefined {
  return p.values[key] as string | undefined;
}
export function num(p: ParsedArgs, key: string): number {
  return p.values[key] as number;
}
export function optNum(p: ParsedArgs, key: string): number | undefined {
  return p.values[key] as number | undefined;
}
export function bool(p: ParsedArgs, key: string): boolean {
  return p.values[key] === true;
}
