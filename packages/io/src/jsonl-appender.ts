// JSONL files that survive being killed: torn-tail repair, line-at-a-time appends, fsync at batch boundaries.
import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";
import { readJsonl } from "./read-jsonl.ts";

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
 * @example
 * const out = openJsonlAppender("out/pairs.jsonl"); out.append({ id: "a" }); out.close();
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
 * Append one value as one line (one `write`, no fsync): for logs such as `metrics.jsonl`.
 * @example appendJsonl("out/metrics.jsonl", { step: 1, loss: 0.69 });
 */
export function appendJsonl(file: string, value: unknown): void {
  const fd = openSync(file, "a");
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
  } finally {
    closeSync(fd);
  }
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
