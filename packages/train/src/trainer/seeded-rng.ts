// A small seeded random generator whose whole state is one 32-bit integer, so a checkpoint can store it.

/**
 * mulberry32: fast, 32-bit state, good enough for shuffling data (not for cryptography).
 *
 * @example
 * const rng = new SeededRng(42); rng.next(); const saved = rng.state; new SeededRng(0, saved).next();
 */
export class SeededRng {
  #state: number;

  constructor(seed: number, state?: number) {
    this.#state = (state ?? seed) >>> 0;
  }

  /** The generator's state; `new SeededRng(0, rng.state)` continues the same sequence. */
  get state(): number {
    return this.#state;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
