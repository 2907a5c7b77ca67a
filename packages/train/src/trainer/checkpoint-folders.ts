// Trainer checkpoint folders: atomic fsynced saves, listing, finiteness checks, quarantine and the resume search.
import { syncFolder } from "@longpo/io";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { OptimizerState } from "./optimizer.ts";
import { readTrainerState, TRAINER_STATE_FILE, type TrainerPosition } from "./trainer-state.ts";

/** Suffix of a checkpoint folder set aside because its weights gave a non-finite loss (kept for inspection). */
export const NON_FINITE_SUFFIX = ".nonfinite";

/** Names of complete checkpoints (`checkpoint-<step>` holding a trainer state), newest first. */
export async function listCheckpoints(outputDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return [];
  }
  const found: { step: number; dir: string }[] = [];
  for (const n of names) {
    const m = /^checkpoint-(\d+)$/.exec(n);
    if (m === null) continue;
    const dir = join(outputDir, n);
    try {
      await readFile(join(dir, TRAINER_STATE_FILE));
      found.push({ step: Number(m[1]), dir });
    } catch {
      // an incomplete folder is not a checkpoint
    }
  }
  return found.sort((a, b) => b.step - a.step);
}

/**
 * Write into a fresh temporary folder beside `finalDir`, fsync it, then rename it into place and fsync the parent,
 * so a crash (even SIGKILL or a power cut) leaves either the old folder or the new one, never half of one.
 */
export async function writeFolderAtomically(finalDir: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const parent = join(finalDir, "..");
  const tmp = join(parent, `.tmp-${finalDir.split(/[\\/]/).pop() ?? "out"}-${Date.now().toString(36)}`);
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await syncFolder(tmp);
    const old = `${tmp}-old`;
    let hadOld = false;
    try {
      await rename(finalDir, old);
      hadOld = true;
    } catch {
      // no previous folder
    }
    await rename(tmp, finalDir);
    await syncFolder(parent, { shallow: true });
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Remove temporary folders a killed save left behind. */
export async function removeStaleTemporaries(outputDir: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(outputDir);
  } catch {
    return;
  }
  // Ours (".tmp-<name>-<id>") and those of the model's own atomic save inside them (".<name>.tmp-<id>").
  for (const n of names) if (/^\..*tmp-/.test(n)) await rm(join(outputDir, n), { recursive: true, force: true });
}

/** "tensor NAME holds a non-finite value" for the first parameter holding NaN or ±Infinity; undefined if none. */
export async function nonFiniteParameter(parameters: ReadonlyMap<string, tf.Variable>): Promise<string | undefined> {
  for (const [name, v] of parameters) {
    const allFinite = tf.tidy(() => tf.all(tf.isFinite(v))); // () bool
    const ok = (await allFinite.data())[0] === 1;
    allFinite.dispose();
    if (!ok) return `parameter ${name} holds a non-finite value`;
  }
  return undefined;
}

/** The first optimizer slot holding NaN or ±Infinity, as "optimizer slot KEY holds VALUE"; undefined if none. */
export function nonFiniteOptimizerSlot(state: OptimizerState): string | undefined {
  for (const [key, { data }] of Object.entries(state.slots)) {
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number;
      if (x - x !== 0) return `optimizer slot ${key} holds ${x}`;
    }
  }
  return undefined;
}

/** Set a checkpoint aside as `<dir>.nonfinite` (replacing an older one of that name); returns the new path. */
export async function quarantineCheckpoint(dir: string): Promise<string> {
  const aside = `${dir}${NON_FINITE_SUFFIX}`;
  await rm(aside, { recursive: true, force: true });
  await rename(dir, aside);
  return aside;
}

/** A checkpoint to continue from, and the newer ones passed over. */
export interface ResumePoint {
  dir: string;
  position: TrainerPosition;
  optimizer: OptimizerState;
  /** Newer checkpoints that could not be used, newest first, each with the reason. */
  skipped: { dir: string; reason: string }[];
}

/**
 * The newest checkpoint of `outputDir` that loads and is finite: its trainer state parses, its optimizer moments
 * and (after `loadWeights`) the policy's parameters hold no NaN or infinity. The policy holds its weights on return.
 *
 * @returns undefined when the folder has no checkpoint at all.
 * @throws {RangeError} when checkpoints exist but none is usable, listing each with its reason.
 */
export async function findResumePoint(
  outputDir: string,
  loadWeights: (dir: string) => Promise<void>,
  parameters: ReadonlyMap<string, tf.Variable>,
): Promise<ResumePoint | undefined> {
  const candidates = await listCheckpoints(outputDir);
  if (candidates.length === 0) return undefined;
  const skipped: ResumePoint["skipped"] = [];
  for (const { dir } of candidates) {
    try {
      const { position, optimizer } = await readTrainerState(dir);
      const badSlot = nonFiniteOptimizerSlot(optimizer);
      if (badSlot !== undefined) throw new RangeError(badSlot);
      await loadWeights(dir);
      const badParameter = await nonFiniteParameter(parameters);
      if (badParameter !== undefined) throw new RangeError(badParameter);
      return { dir, position, optimizer, skipped };
    } catch (e) {
      skipped.push({ dir, reason: ((e as Error).message.split("\n")[0] ?? "").slice(0, 300) });
    }
  }
  const list = skipped.map((s) => `${s.dir} (${s.reason})`).join("; ");
  throw new RangeError(`Cannot resume from ${outputDir}: no checkpoint loads and is finite: ${list}`);
}
