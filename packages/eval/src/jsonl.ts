// JSONL reading with zod validation: a bad line fails with its file and line number.
import { JsonlError, readJsonlEntries } from "@longpo/io";
import type { z } from "zod";
import { DataFileError } from "./data-file-error.ts";

/**
 * Parses JSONL text, validating each non-empty line with `schema`.
 * @param file name used in errors
 * @throws {DataFileError} for a line that is not JSON or does not match the schema (file, line, zod issues).
 * @example const rows = parseJsonl('{"a":1}\n', z.object({ a: z.number() }), "inline");
 */
export function parseJsonl<S extends z.ZodType>(text: string, schema: S, file = "<jsonl>"): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new DataFileError(file, i + 1, `the line must be JSON (${(err as Error).message})`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((iss) => `${iss.path.join(".") || "(root)"}: ${iss.message}`).join("; ");
      throw new DataFileError(file, i + 1, issues);
    }
    out.push(parsed.data);
  }
  return out;
}

/**
 * Reads and validates a JSONL file through `@longpo/io` (streamed, strict UTF-8, lines capped at 64 MiB).
 * @throws {DataFileError} as `parseJsonl`, and for a line that is not UTF-8 or too long.
 */
export async function readJsonl<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>[]> {
  const out: z.infer<S>[] = [];
  try {
    for await (const { value } of readJsonlEntries(path, schema, { tornTail: "parse" })) out.push(value);
  } catch (err) {
    if (!(err instanceof JsonlError)) throw err;
    const reason = err.issues.length > 0 ? err.issues.map((iss) => `${iss.path.join(".") || "(root)"}: ${iss.message}`).join("; ") : err.reason;
    throw new DataFileError(path, err.line, reason);
  }
  return out;
}
