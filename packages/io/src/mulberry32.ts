// mulberry32: the 32-bit-state generator behind data shuffles, chunk picks and eval task generation.
import { type Random, randomFrom } from "./random.ts";

/** A {@link Random} whose whole state is one 32-bit integer, so a checkpoint can store and resume it. */
export interface Mulberry32 extends Random {
  /** The current state; `mulberry32(0, r.state)` continues the same stream. */
  readonly state: number;
}

/**
 * mulberry32 (Tommy Ettinger): 32-bit state, period 2³². Only the low 32 bits of `seed` (or of `state`, which
 * wins when given) count.
 * @param seed the seed
 * @param state a state saved from {@link Mulberry32.state}, to continue a stream
 * @example
 * const r = mulberry32(42);
 * r.next(); // 0.6011037519201636, in every runtime
 */
export function mulberry32(seed: number, state?: number): Mulberry32 {
  let s = (state ?? seed) >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.defineProperty(randomFrom(next), "state", { get: () => s, enumerable: true }) as Mulberry32;
}
