// JSONL files that survive being killed: validated streaming reads, torn-tail repair, line-at-a-time appends.
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";
import { PreferenceDataError } from "./preference-data-error.ts";

/** Options of {@link readJsonl}. */
export interface ReadJsonlOptions {
  /**
   * What to do with a last line that has no newline. `"drop"` (the default, for files this package writes, which
   * end every line with one): it is a write torn by a kill, so it is skipped, never parsed. `"parse"`: a
   * hand-written file whose last line simply lacks a newline.
   */
  tornTail?: "drop" | "parse";
}

/**
 * Read a JSONL file line by line, validating each non-blank line with `schema`.
 * @param file path of the JSONL file
 * @param schema zod schema of one line
 * @returns the parsed lines, in file order
 * @throws {PreferenceDataError} on the first line that is not JSON or fails the schema, with file, line and issues
 * @example
 * ```ts
 * for await (const pair of readJsonl("pairs.jsonl", PreferencePair)) console.log(pair.id);
 * ```
 */
export async function* readJsonl<S extends z.ZodType>(file: string, schema: S, options: ReadJsonlOptions = {}): AsyncGenerator<z.output<S>> {
  for await (const entry of readJsonlEntries(file, schema, options)) yield entry.value;
}

/**
 * {@link readJsonl}, yielding each parsed value with the line's text, so a stage that passes a line through
 * unchanged can append the text without serialising the value again.
 */
export async function* readJsonlEntries<S extends z.ZodType>(file: string, schema: S, options: ReadJsonlOptions = {}): AsyncGenerator<{ value: z.output<S>; text: string }> {
  const tornTail = options.tornTail ?? "drop";
  let pending = "";
  let lineNo = 0;
  const parseLine = (text: string, n: number): z.output<S> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw PreferenceDataError.notJson(file, n, (error as Error).message);
    }
    const result = schema.safeParse(value);
    if (!result.success) throw PreferenceDataError.invalid(file, n, result.error.issues);
    return result.data;
  };
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    pending += chunk as string;
    let newline = pending.indexOf("\n");
    let from = 0;
    while (newline !== -1) {
      lineNo += 1;
      const text = pending.slice(from, newline);
      if (text.trim() !== "") yield { value: parseLine(text, lineNo), text };
      from = newline + 1;
      newline = pending.indexOf("\n", from);
    }
    pending = pending.slice(from);
  }
  if (pending.trim() !== "" && tornTail === "parse") yield { value: parseLine(pending, lineNo + 1), text: pending };
}

/**
 * Cut a torn last line (bytes after the last newline) off a JSONL file, so appends start on a fresh line.
 * @returns the number of bytes removed (0 when the file is missing, empty or ends with a newline)
 */
export function repairJsonl(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, "r+");
  try {
    const size = fstatSync(fd).size;
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const n = readSync(fd, block, 0, end - start, start);
      const at = block.subarray(0, n).lastIndexOf(0x0a);
      if (at !== -1) {
        const keep = start + at + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    if (size > 0) ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Appends one JSON value per line; each line goes to the file in a single write. */
export interface JsonlAppender {
  /** Write one value as one line. */
  append(value: unknown): void;
  /** Write a line that is already JSON text (no newline inside). */
  appendText(line: string): void;
  /** Mark a batch boundary: fsync, unless the last fsync was less than `fsyncIntervalMs` ago. */
  flush(): void;
  /** fsync and close. */
  close(): void;
}

/** Options of {@link openJsonlAppender}. */
export interface JsonlAppenderOptions {
  /**
   * Least time between two fsyncs at batch boundaries, in ms; default 1000. Lines survive a killed process
   * without any fsync (the OS holds them); fsync guards against a power cut, and this bounds what one can lose
   * to the last second while keeping fsync off the per-batch cost. 0 fsyncs every batch.
   */
  fsyncIntervalMs?: number;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
}

/**
 * Open a JSONL file for appending, after cutting any torn last line. Each `append` is one `write` of a whole line,
 * so a process killed at any moment leaves complete lines plus at most one torn tail, which the next open removes;
 * the OS keeps written lines across a SIGKILL, and `flush`/`close` (fsync) keep them across a power cut too.
 */
export function openJsonlAppender(file: string, options: JsonlAppenderOptions = {}): JsonlAppender {
  mkdirSync(dirname(file), { recursive: true });
  repairJsonl(file);
  const fd = openSync(file, "a");
  const interval = options.fsyncIntervalMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let open = true;
  let dirty = false;
  let lastSync = now();
  return {
    append(value) {
      writeSync(fd, `${JSON.stringify(value)}\n`);
      dirty = true;
    },
    appendText(line) {
      writeSync(fd, `${line}\n`);
      dirty = true;
    },
    flush() {
      if (!open || !dirty || now() - lastSync < interval) return;
      fsyncSync(fd);
      dirty = false;
      lastSync = now();
    },
    close() {
      if (!open) return;
      open = false;
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}

/**
 * The keys of the lines already in a stage's output file, validating every line on the way (so a resumed run
 * fails fast on a damaged file instead of appending after it). A torn tail is ignored.
 * @returns an empty set when the file does not exist
 */
export async function readKeys<S extends z.ZodType>(file: string, schema: S, keyOf: (value: z.output<S>) => string): Promise<Set<string>> {
  const keys = new Set<string>();
  if (!existsSync(file)) return keys;
  for await (const value of readJsonl(file, schema)) keys.add(keyOf(value));
  return keys;
}

/** The number of newline-terminated lines in a file, without parsing them (0 when it does not exist). */
export async function countLines(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) n += 1;
  }
  return n;
}
