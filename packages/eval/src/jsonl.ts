// JSONL reading with zod validation: a bad line fails with its file and line number.
import { readFile } from "node:fs/promises";
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

/** Reads and validates a JSONL file (UTF-8). @throws {DataFileError} as `parseJsonl`. */
export async function readJsonl<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>[]> {
  return parseJsonl(await readFile(path, "utf8"), schema, path);
}
