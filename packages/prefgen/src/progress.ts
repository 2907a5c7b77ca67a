// Progress of a long stage: a redrawn bar with rate and ETA on a terminal, a log line every few seconds otherwise.
import { stderr } from "./_runtime.ts";

/** Where progress goes; `isTTY` selects the bar. Defaults to standard error. */
export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Default: standard error. */
  sink?: ProgressSink;
  /** Least time between two log lines when not on a terminal; default 10 s. A bar redraws at most every 100 ms. */
  intervalMs?: number;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
}

/** A running progress display. */
export interface Progress {
  /** Record `n` more items done. */
  tick(n?: number): void;
  /** Set or change the expected total (enables ETA). */
  setTotal(total: number): void;
  /** Print the final line. */
  done(note?: string): void;
}

/** A duration in seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

/**
 * Start a progress display for a stage.
 * @example
 * ```ts
 * const p = createProgress("responses", { intervalMs: 5000 });
 * p.setTotal(100);
 * p.tick(10); // "responses: 10/100 (10.0%) 4.2/s ETA 21s"
 * p.done();
 * ```
 */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const sink = options.sink ?? stderr;
  const now = options.now ?? (() => performance.now());
  const interval = sink.isTTY ? 100 : (options.intervalMs ?? 10_000);
  const started = now();
  let done = 0;
  let total: number | undefined;
  let lastShown = -Infinity;

  const line = (): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const rateText = `${rate.toFixed(1)}/s`;
    if (total === undefined || total <= 0) return `${label}: ${done} ${rateText} elapsed ${formatDuration(elapsed)}`;
    const share = Math.min(1, done / total);
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const counts = `${done}/${total} (${(share * 100).toFixed(1)}%) ${rateText} ETA ${formatDuration(eta)}`;
    if (!sink.isTTY) return `${label}: ${counts}`;
    const width = 24;
    const filled = Math.round(share * width);
    return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${counts}`;
  };
  const show = (force: boolean): void => {
    const t = now();
    if (!force && t - lastShown < interval) return;
    lastShown = t;
    sink.write(sink.isTTY ? `\r\x1b[2K${line()}` : `${line()}\n`);
  };

  return {
    tick(n = 1) {
      done += n;
      show(false);
    },
    setTotal(value) {
      total = value;
    },
    done(note) {
      const final = `${line()}${note === undefined ? "" : ` ${note}`}`;
      sink.write(sink.isTTY ? `\r\x1b[2K${final}\n` : `${final}\n`);
    },
  };
}
