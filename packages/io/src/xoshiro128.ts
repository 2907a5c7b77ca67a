// xoshiro128**: the generator of weight initialisation and token sampling.
import { type Random, randomFrom } from "./random.ts";

/** A {@link Random} with normal draws. */
export interface Xoshiro128 extends Random {
  /** A standard normal draw (Box–Muller; two uniforms per draw). */
  normal(): number;
}

/**
 * xoshiro128** (Blackman & Vigna): 128-bit state seeded through splitmix32 from the low 32 bits of `seed`.
 * @example
 * const rng = xoshiro128(42); rng.next(); rng.normal();
 */
export function xoshiro128(seed: number): Xoshiro128 {
  const s = new Uint32Array(4);
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result / 4294967296;
  };
  return {
    ...randomFrom(next),
    normal() {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
