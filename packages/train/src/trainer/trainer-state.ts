// Trainer state on disk: step, data position, RNG seed/epoch and optimizer moments beside a checkpoint's model files.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { OptimizerState } from "./optimizer.ts";
import { OptimizerName, TrainConfig } from "./train-config.ts";

/** The file names a trainer checkpoint adds to a Hugging Face model folder. */
export const TRAINER_STATE_FILE = "trainer_state.json";
export const OPTIMIZER_FILE = "optimizer.bin";

/** `trainer_state.json`: everything but the tensors; the optimizer slots index into `optimizer.bin`. */
export const TrainerStateFile = z.strictObject({
  format: z.literal("longpo-trainer-state/1"),
  step: z.number().int().nonnegative().describe("optimizer steps completed"),
  microBatch: z.number().int().nonnegative().describe("micro-batches consumed (the data position across epochs)"),
  epoch: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative().describe("seed of the data-order generator, reseeded from (seed, epoch) each epoch: its whole state"),
  totalSteps: z.number().int().positive(),
  config: TrainConfig,
  optimizer: z.strictObject({
    name: OptimizerName,
    step: z.number().int().nonnegative(),
    slots: z.array(
      z.strictObject({
        key: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        offset: z.number().int().nonnegative(),
      }),
    ),
  }),
});
export type TrainerStateFile = z.infer<typeof TrainerStateFile>;

/** The trainer's position in a run. */
export interface TrainerPosition {
  step: number;
  microBatch: number;
  epoch: number;
  seed: number;
  totalSteps: number;
  config: TrainConfig;
}

/** Write `optimizer.bin` then `trainer_state.json` (last, so its presence marks a complete folder). */
export async function writeTrainerState(dir: string, pos: TrainerPosition, opt: OptimizerState): Promise<void> {
  const slots: TrainerStateFile["optimizer"]["slots"] = [];
  let offset = 0;
  const parts: Float32Array[] = [];
  for (const [key, { shape, data }] of Object.entries(opt.slots).sort(([a], [b]) => (a < b ? -1 : 1))) {
    slots.push({ key, shape, offset });
    parts.push(data);
    offset += data.length;
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  await writeFile(join(dir, OPTIMIZER_FILE), new Uint8Array(all.buffer));
  const state: TrainerStateFile = {
    format: "longpo-trainer-state/1",
    ...pos,
    optimizer: { name: opt.name, step: opt.step, slots },
  };
  await writeFile(join(dir, TRAINER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Read a checkpoint's trainer state.
 *
 * @throws {RangeError} when the files are missing, malformed, or the optimizer file is too short.
 */
export async function readTrainerState(dir: string): Promise<{ position: TrainerPosition; optimizer: OptimizerState }> {
  const statePath = join(dir, TRAINER_STATE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(statePath, "utf8"));
  } catch (e) {
    throw new RangeError(`Cannot resume from ${dir}: ${TRAINER_STATE_FILE} must be readable JSON, got ${(e as Error).message}`);
  }
  const parsed = TrainerStateFile.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new RangeError(`Cannot resume from ${dir}: ${TRAINER_STATE_FILE} ${i?.path.join(".") ?? ""} ${i?.message ?? "is invalid"}`);
  }
  const s = parsed.data;
  const bytes = await readFile(join(dir, OPTIMIZER_FILE));
  const floats = new Float32Array(new Uint8Array(bytes).buffer);
  const slots: OptimizerState["slots"] = {};
  for (const { key, shape, offset } of s.optimizer.slots) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (offset + n > floats.length) {
      throw new RangeError(`Cannot resume from ${dir}: ${OPTIMIZER_FILE} must hold ${offset + n} floats for "${key}", got ${floats.length}`);
    }
    slots[key] = { shape, data: floats.slice(offset, offset + n) };
  }
  const { step, microBatch, epoch, seed, totalSteps, config } = s;
  return {
    position: { step, microBatch, epoch, seed, totalSteps, config },
    optimizer: { name: s.optimizer.name, step: s.optimizer.step, slots },
  };
}
