// Eval's seeded draws over @longpo/io's mulberry32: per-example seeds and random UUIDs.
import { hashString, mulberry32, type Random } from "@longpo/io";

export type { Random };

/** A `Random` from a 32-bit seed (mulberry32); the same seed gives the same sequence in every runtime. */
export function createRandom(seed: number): Random {
  return mulberry32(seed);
}

/** Mixes several integers and names into one 32-bit seed (FNV-1a over their text joined by "|"), for per-example seeds. */
export function mixSeed(...parts: readonly (number | string)[]): number {
  return hashString(parts.join("|"));
}

/** A random UUID v4 string drawn from `rng` (32 hex digits, version and variant nibbles set). */
export function randomUuid(rng: Random): string {
  const hex = Array.from({ length: 32 }, () => rng.range(0, 15).toString(16));
  hex[12] = "4";
  hex[16] = (8 + rng.range(0, 3)).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
