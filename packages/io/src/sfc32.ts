// sfc32: the generator of the demo world and M0's recipe (streams pinned by the shipped data).
import { hashString } from "./hash-seed.ts";
import { type Random, randomFrom } from "./random.ts";

/** A {@link Random} that can fork independent labelled streams. */
export interface Sfc32 extends Random {
  /** An independent stream derived from this one's seed, its position and `label` (advances this stream once). */
  fork(label: string): Sfc32;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator), its 128-bit state seeded through splitmix32 and
 * warmed up by 12 draws.
 * @param seed any finite number (truncated to its low 32 bits) or a string (hashed with {@link hashString})
 * @throws {RangeError} when the seed is not finite
 * @example
 * const rng = sfc32("demo-world");
 * rng.int(10); // the same value on every run
 */
export function sfc32(seed: number | string): Sfc32 {
  const base = typeof seed === "string" ? hashString(seed) : seed;
  if (!Number.isFinite(base)) throw new RangeError(`Cannot create an Rng: seed must be finite, got ${String(seed)}`);
  const seedValue = Math.trunc(base) >>> 0;
  let s = seedValue;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  return { ...randomFrom(() => nextU32() / 4294967296), fork: (label) => sfc32((hashString(label) ^ seedValue ^ nextU32()) >>> 0) };
}
