// configChanges: what differs between the config a checkpoint was trained with and the config of a resumed run.
import type { TrainConfig } from "./train-config.ts";

/** Keys that change what is written, not the numbers trained: a resume may change them freely. */
export const RESUME_FREE_KEYS: ReadonlySet<string> = new Set(["logEvery", "saveEvery", "evalEvery", "outputDir"]);

/** One changed key, its value in the checkpoint and in the new run (undefined: unset). */
export interface ConfigChange {
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * The keys whose values differ between `before` and `after`, outside {@link RESUME_FREE_KEYS}, in key order.
 *
 * @example
 * configChanges({ ...c, learningRate: 1e-3 }, { ...c, learningRate: 1e-1 }); // [{ key: "learningRate", from: 0.001, to: 0.1 }]
 */
export function configChanges(before: TrainConfig, after: TrainConfig): ConfigChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: ConfigChange[] = [];
  for (const key of keys) {
    if (RESUME_FREE_KEYS.has(key)) continue;
    const from = (before as Record<string, unknown>)[key];
    const to = (after as Record<string, unknown>)[key];
    if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ key, from, to });
  }
  return out;
}

/** `learningRate 0.001 → 0.1, seed 42 → 7` (unset values shown as "unset"). */
export function describeChanges(changes: readonly ConfigChange[]): string {
  const show = (v: unknown) => (v === undefined ? "unset" : JSON.stringify(v));
  return changes.map((c) => `${c.key} ${show(c.from)} → ${show(c.to)}`).join(", ");
}
