// Progress of a long stage (the project's one implementation): a redrawn bar with rate and ETA on a terminal, a log
// line every few seconds otherwise; an optional overall progress across a run's phases prefixes every bar.
import { stderr } from "./_runtime.ts";

/** Where progress goes; `isTTY` selects the bar. Defaults to standard error, so stdout stays clean for results. */
export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
  /** Terminal width: a redrawn bar must fit one row, or `\r` cannot redraw it. */
  readonly columns?: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Default: standard error. */
  sink?: ProgressSink;
  /** Force the terminal bar on or off (default: the sink's `isTTY`). */
  terminal?: boolean;
  /** Least time between two log lines when not on a terminal; default 10 s. A bar redraws at most every 100 ms. */
  intervalMs?: number;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
}

/** A running progress display of `total` units (or an open count when no total is known). */
export interface Progress {
  /** Set the units done so far (absolute), with an optional short note such as "loss 2.31". */
  update(done: number, note?: string): void;
  /** Record `n` more units done. */
  tick(n?: number, note?: string): void;
  /** Set or change the expected total (enables the percentage and ETA). */
  setTotal(total: number): void;
  /** Print the final line once; later calls do nothing. */
  finish(note?: string): void;
}

/** A progress display that prints nothing. */
export const silentProgress: Progress = { update() {}, tick() {}, setTotal() {}, finish() {} };

/** A duration in seconds as `m:ss` or `h:mm:ss`; "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

/** One phase of an {@link OverallProgress}: the label of the bar that runs it (a trailing `*` matches any rest) and its expected cost. */
export interface OverallStep {
  label: string;
  /** Expected cost in any unit (e.g. seconds on some machine); only the ratios between steps matter. */
  cost: number;
}

/** A run's progress across phases: while it is active, every bar shows it and moves it. */
export interface OverallProgress {
  /** Share of the planned cost done, in [0, 1]. */
  fraction(): number;
  /** "[demo 34% eta 6:12]": the share done and the time left. */
  status(): string;
  /** Labels of bars that ran while active but matched no step (a plan out of date). */
  readonly unmatched: readonly string[];
  /** Print the final line and deactivate. */
  finish(note?: string): void;
}

interface ActiveOverall {
  enter(label: string): void;
  advance(label: string, fraction: number): void;
  status(): string;
}

let active: ActiveOverall | undefined;

const matches = (step: OverallStep, label: string): boolean =>
  step.label.endsWith("*") ? label.startsWith(step.label.slice(0, -1)) : label === step.label;

/**
 * Start a run's overall progress: the bar whose label matches step `i` marks steps before it done and moves the
 * overall share through step `i` as it goes; the ETA is the elapsed time scaled by the share left, so it adapts
 * to the machine. Every bar created until {@link OverallProgress.finish} is prefixed with the overall status.
 * Steps never entered (skipped phases) count as done once a later one starts.
 * @example
 * const overall = startOverallProgress("demo", [{ label: "eval M0", cost: 22 }, { label: "train *", cost: 200 }]);
 * // ... createProgress("eval M0", 800) ... createProgress("train longpo", 80) ...
 * overall.finish();
 */
export function startOverallProgress(name: string, steps: readonly OverallStep[], options: Omit<ProgressOptions, "intervalMs" | "terminal"> = {}): OverallProgress {
  const sink = options.sink ?? stderr;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const total = steps.reduce((a, s) => a + s.cost, 0);
  const unmatched: string[] = [];
  let current = -1;
  let currentShare = 0;
  const fraction = (): number => {
    if (total <= 0 || current < 0) return 0;
    const before = steps.slice(0, current).reduce((a, s) => a + s.cost, 0);
    return Math.min(1, (before + (steps[current]?.cost ?? 0) * currentShare) / total);
  };
  const status = (): string => {
    const elapsed = (now() - started) / 1000;
    const f = fraction();
    const eta = f > 0.01 ? (elapsed * (1 - f)) / f : Number.NaN;
    return `[${name} ${(f * 100).toFixed(0)}% eta ${formatDuration(eta)}]`; // short: it prefixes every bar
  };
  active = {
    enter(label) {
      const i = steps.findIndex((s, k) => k >= Math.max(0, current) && matches(s, label));
      if (i < 0) {
        unmatched.push(label);
        return;
      }
      if (i !== current) {
        current = i;
        currentShare = 0;
      }
    },
    advance(label, share) {
      const step = steps[current];
      if (step !== undefined && matches(step, label)) currentShare = Math.max(currentShare, Math.min(1, share));
    },
    status,
  };
  return {
    fraction,
    status,
    unmatched,
    finish(note) {
      current = steps.length;
      currentShare = 0;
      sink.write(`${name}: done in ${formatDuration((now() - started) / 1000)}${note === undefined ? "" : ` ${note}`}\n`);
      active = undefined;
    },
  };
}

/**
 * Start a progress display for a stage of `total` units (omit it, or set it later, when unknown).
 * @example
 * ```ts
 * const p = createProgress("train", 100);
 * for (let step = 1; step <= 100; step++) p.update(step, `loss ${loss}`); // "train: 10% 10/100 2.0s/it elapsed 0:20 eta 3:00 loss 2.31"
 * p.finish();
 * ```
 */
export function createProgress(label: string, total?: number, options: ProgressOptions = {}): Progress {
  const sink = options.sink ?? stderr;
  const tty = options.terminal ?? sink.isTTY;
  const now = options.now ?? (() => performance.now());
  const interval = tty ? 100 : (options.intervalMs ?? 10_000);
  const started = now();
  const overall = active;
  overall?.enter(label);
  let expected = total;
  let done = 0;
  let lastShown = -Infinity;
  let shownDone = -1;
  let finished = false;

  const line = (note: string | undefined): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const rateText = rate >= 1 || rate === 0 ? `${rate.toFixed(1)}/s` : `${(1 / rate).toFixed(1)}s/it`;
    const prefix = overall === undefined ? "" : `${overall.status()} `;
    const tail = note ? ` ${note}` : "";
    if (expected === undefined || expected <= 0) return `${prefix}${label}: ${done} ${rateText} elapsed ${formatDuration(elapsed)}${tail}`;
    const share = Math.min(1, done / expected);
    const eta = rate > 0 ? (expected - done) / rate : Number.NaN;
    const counts = `${done}/${expected} ${rateText} elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}${tail}`;
    if (!tty) return `${prefix}${label}: ${(share * 100).toFixed(0)}% ${counts}`;
    // the bar narrows (to 8) and then the line is cut so that it fits the terminal's row
    const room = (sink.columns ?? Number.POSITIVE_INFINITY) - 1;
    const rest = `${prefix}${label} [] ${counts}`.length;
    const width = Math.max(8, Math.min(24, room - rest));
    const filled = Math.round(share * width);
    return `${prefix}${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${counts}`.slice(0, Math.max(20, room));
  };
  const show = (note: string | undefined): void => {
    if (finished) return;
    if (expected !== undefined && expected > 0) overall?.advance(label, done / expected);
    const t = now();
    const complete = expected !== undefined && done >= expected;
    if (done === shownDone || (t - lastShown < interval && !(complete && !tty))) return;
    lastShown = t;
    shownDone = done;
    sink.write(tty ? `\r\x1b[2K${line(note)}` : `${line(note)}\n`);
  };

  return {
    update(value, note) {
      done = value;
      show(note);
    },
    tick(n = 1, note) {
      done += n;
      show(note);
    },
    setTotal(value) {
      expected = value;
    },
    finish(note) {
      if (finished) return;
      finished = true;
      // off a terminal the line at 100% was already logged; print again only to add a note or a partial count
      if (!tty && note === undefined && done === shownDone && expected !== undefined && done >= expected) return;
      sink.write(tty ? `\r\x1b[2K${line(note)}\n` : `${line(note)}\n`);
    },
  };
}
