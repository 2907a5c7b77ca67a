// Streaming JSONL reads, linear in line length: capped lines, strict UTF-8, zod validation per line.
import { createReadStream } from "node:fs";
import type { z } from "zod";
import { JsonlError } from "./jsonl-error.ts";

/** The default cap on one line: 64 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Options of {@link readJsonl} and {@link readJsonlLines}. */
export interface ReadJsonlOptions {
  /**
   * What to do with a last line that has no newline. `"drop"` (the default, for files written by an appender,
   * which ends every line with one): it is a write torn by a kill, so it is skipped, never parsed. `"parse"`: a
   * hand-written file whose last line simply lacks a newline.
   */
  tornTail?: "drop" | "parse";
  /** Most bytes in one line (newline excluded); a longer line stops the read with a {@link JsonlError}. Default 64 MiB. */
  maxLineBytes?: number;
}

/** One line of a JSONL file: its text (UTF-8-decoded, no newline) and 1-based number. */
export interface JsonlLine {
  text: string;
  line: number;
}

/**
 * The lines of a file, decoded strictly as UTF-8. Bytes are scanned once: a line's pieces are kept aside until
 * its newline arrives, so a line of n bytes costs O(n), however many chunks it spans.
 * @throws {JsonlError} for a line longer than `maxLineBytes` or not valid UTF-8, naming file and line
 * @example
 * for await (const { text, line } of readJsonlLines("pairs.jsonl")) console.log(line, text.length);
 */
export async function* readJsonlLines(file: string, options: ReadJsonlOptions = {}): AsyncGenerator<JsonlLine> {
  const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decode = (bytes: Uint8Array, line: number): string => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new JsonlError(file, line, [], "is not valid UTF-8 (the file must be UTF-8 text)");
    }
  };
  const tooLong = (line: number) => new JsonlError(file, line, [], `is longer than the limit of ${maxBytes} bytes (maxLineBytes)`);
  let pieces: Uint8Array[] = [];
  let pieceBytes = 0;
  let lineNo = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      lineNo += 1;
      if (pieceBytes + nl - from > maxBytes) throw tooLong(lineNo);
      const end = chunk.subarray(from, nl);
      const bytes = pieces.length === 0 ? end : Buffer.concat([...pieces, end], pieceBytes + end.length);
      pieces = [];
      pieceBytes = 0;
      yield { text: decode(bytes, lineNo), line: lineNo };
      from = nl + 1;
    }
    if (from < chunk.length) {
      pieceBytes += chunk.length - from;
      if (pieceBytes > maxBytes) throw tooLong(lineNo + 1);
      pieces.push(chunk.subarray(from));
    }
  }
  if (pieceBytes > 0 && options.tornTail === "parse") yield { text: decode(Buffer.concat(pieces, pieceBytes), lineNo + 1), line: lineNo + 1 };
}

/**
 * Read a JSONL file line by line, validating each non-blank line with `schema`.
 * @param file path of the JSONL file
 * @param schema zod schema of one line
 * @returns the parsed lines, in file order
 * @throws {JsonlError} on the first line that is too long, not UTF-8, not JSON or fails the schema, with file, line and issues
 * @example
 * for await (const pair of readJsonl("pairs.jsonl", PreferencePair)) console.log(pair.id);
 */
export async function* readJsonl<S extends z.ZodType>(file: string, schema: S, options: ReadJsonlOptions = {}): AsyncGenerator<z.output<S>> {
  for await (const entry of readJsonlEntries(file, schema, options)) yield entry.value;
}

/**
 * {@link readJsonl}, yielding each parsed value with the line's text and number, so a stage that passes a line
 * through unchanged can append the text without serialising the value again.
 */
export async function* readJsonlEntries<S extends z.ZodType>(file: string, schema: S, options: ReadJsonlOptions = {}): AsyncGenerator<{ value: z.output<S>; text: string; line: number }> {
  for await (const { text, line } of readJsonlLines(file, options)) {
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw JsonlError.notJson(file, line, (error as Error).message);
    }
    const result = schema.safeParse(value);
    if (!result.success) throw JsonlError.invalid(file, line, result.error.issues);
    yield { value: result.data, text, line };
  }
}

/**
 * Every line of a JSONL file as an array, each checked to carry a distinct key.
 * @throws {JsonlError} as {@link readJsonl}, or for a key seen before, naming both lines
 * @example
 * const pairs = await readJsonlUnique("pairs.jsonl", PreferencePair, (p) => p.id, "id");
 */
export async function readJsonlUnique<S extends z.ZodType>(file: string, schema: S, keyOf: (value: z.output<S>) => string, keyName: string, options: ReadJsonlOptions = {}): Promise<z.output<S>[]> {
  const out: z.output<S>[] = [];
  const seen = new Map<string, number>();
  for await (const { value, line } of readJsonlEntries(file, schema, options)) {
    const key = keyOf(value);
    const first = seen.get(key);
    if (first !== undefined) throw new JsonlError(file, line, [], `repeats ${keyName} ${JSON.stringify(key)} of line ${first} (each ${keyName} must appear once)`);
    seen.set(key, line);
    out.push(value);
  }
  return out;
}
