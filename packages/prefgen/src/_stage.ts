// The resumable loop every model-calling stage shares: skip keys already written, batch, append, fsync per batch.
import type { JsonlAppender } from "@longpo/io";
import { createProgress, type Progress } from "./progress.ts";
import { stderr } from "./_runtime.ts";
import type { StageCommon } from "./stage-records.ts";

/** A line of JSON text to append as it is (a value passed through a stage unchanged). */
export class RawLine {
  constructor(readonly text: string) {}
}

/** Run `handle` on batches of items whose key is not in `done`; append what it returns; fsync after each batch. */
export async function runBatched<I>(args: {
  items: AsyncIterable<I> | Iterable<I>;
  keyOf: (item: I) => string;
  done: Set<string>;
  batchSize: number;
  out: JsonlAppender;
  handle: (batch: I[]) => Promise<unknown[]>;
  progress: Progress | null;
}): Promise<{ written: number; skipped: number }> {
  let written = 0;
  let skipped = 0;
  let batch: I[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const lines = await args.handle(current);
    for (const line of lines) {
      if (line instanceof RawLine) args.out.appendText(line.text);
      else args.out.append(line);
    }
    args.out.flush();
    written += lines.length;
    args.progress?.tick(current.length);
  };
  for await (const item of args.items) {
    const key = args.keyOf(item);
    if (args.done.has(key)) {
      skipped += 1;
      continue;
    }
    args.done.add(key);
    batch.push(item);
    if (batch.length >= args.batchSize) await flush();
  }
  await flush();
  return { written, skipped };
}

/** The stage's progress display, or null when turned off. */
export function stageProgress(label: string, common: StageCommon, total?: number): Progress | null {
  if (common.progress === false) return null;
  return createProgress(label, total, common.progress ?? {});
}

/** Check a batch size option. */
export function checkBatchSize(batchSize: number, stage: string): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot run the ${stage} stage: batchSize must be an integer ≥ 1, got ${batchSize}`);
  }
  return batchSize;
}

/** Where a stage's summary line goes: `common.log`, else standard error unless progress is turned off. */
export function stageLog(common: StageCommon): (line: string) => void {
  if (common.log !== undefined) return common.log;
  if (common.progress === false) return () => {};
  return (line) => stderr.write(`${line}\n`);
}
