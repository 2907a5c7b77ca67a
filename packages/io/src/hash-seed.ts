// Seeds from labels and keys: FNV-1a for short labels, SHA-256 for per-item keys.
import { createHash } from "node:crypto";

/**
 * 32-bit FNV-1a over the UTF-16 code units of `text`: turns a label into a seed.
 * @example hashString("demo-world"); // a fixed uint32
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A uint32 from a seed and keys (the first 4 bytes, little-endian, of SHA-256 of `JSON.stringify([seed, ...keys])`):
 * the same seed and key give the same draw in any order, run or runtime.
 * @example mulberry32(hashSeed(0, "doc-1", "question")).next();
 */
export function hashSeed(seed: number, ...keys: string[]): number {
  return createHash("sha256").update(JSON.stringify([seed, ...keys])).digest().readUInt32LE(0);
}
