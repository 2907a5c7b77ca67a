// Progress bars: a redrawn bar with rate and ETA on a terminal, plain log lines elsewhere (CI, pipes, files).
import { isTerminal, writeText } from "./runtime.ts";

/** A progress sink for a task with a known number of units. */
export interface Progress {
  /** Report `done` units finished (absolute), with an optional short note (e.g. "loss 2.31"). */
  update(done: number, note?: string): void;
  /** Finish the bar (prints the final state once). */
  finish(note?: string): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where to draw; stderr by default so stdout stays clean for results. */
  stream?: "stdout" | "stderr";
  /** Force the terminal bar on or off (default: detect). */
  terminal?: boolean;
  /** Seconds between log lines when not on a terminal. */
  logIntervalSeconds?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Sink for text (tests); default writes to the stream. */
  write?: (text: string) => void;
}

/** "1:05", "1:02:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

/**
 * A progress reporter for `total` units labelled `label`.
 *
 * @example
 * const p = createProgress("train", 100); for (let i = 1; i <= 100; i++) p.update(i, `loss ${l}`); p.finish();
 */
export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? "stderr";
  const tty = options.terminal ?? isTerminal(stream);
  const now = options.now ?? (() => Date.now());
  const write = options.write ?? ((t: string) => writeText(stream, t));
  const interval = (options.logIntervalSeconds ?? 10) * 1000;
  const start = now();
  let lastLog = -Infinity;
  let lastDone = 0;
  let finished = false;
  let loggedDone = false;

  const line = (done: number, note: string | undefined): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const rateText = rate >= 1 || rate === 0 ? `${rate.toFixed(1)}/s` : `${(1 / rate).toFixed(1)}s/it`;
    const tail = `${done}/${total} ${rateText} elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${note ? ` ${note}` : ""}`;
    if (!tty) return `${label}: ${(pct * 100).toFixed(0)}% ${tail}`;
    const width = 24;
    const fill = Math.round(pct * width);
    return `${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${tail}`;
  };

  return {
    update(done, note) {
      if (finished) return;
      const repeat = done === lastDone && loggedDone;
      lastDone = done;
      if (tty) {
        write(`\r\x1b[2K${line(done, note)}`);
        return;
      }
      const t = now();
      if (!repeat && (t - lastLog >= interval || done >= total)) {
        lastLog = t;
        loggedDone = done >= total;
        write(`${line(done, note)}\n`);
      }
    },
    finish(note) {
      if (finished) return;
      finished = true;
      if (!tty && loggedDone && note === undefined) return;
      write(tty ? `\r\x1b[2K${line(lastDone, note)}\n` : `${line(lastDone, note)}\n`);
    },
  };
}

/** A progress sink that prints nothing. */
export const silentProgress: Progress = { update() {}, finish() {} };
