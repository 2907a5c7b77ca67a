// Split a document into units (paragraphs, sections, sentences) and pack them into token-bounded chunks.
import { FINER_UNITS, splitUnits } from "./split-units.ts";
import {
  tokenIndexAt,
  type TokenizedDocument,
  tokenizeDocument,
  type Tokenizer,
  typeName,
} from "./tokenize-document.ts";

/** How a document is cut into units before packing; each falls back to finer units for an oversized one. */
export type ChunkUnits = "paragraph" | "markdown" | "latex" | "sentence";

/** One chunk of a document: `text === document.slice(start, end)`, `tokens` counted from the document's tokens. */
export interface Chunk {
  /** Position in the chunk list, from 0. */
  index: number;
  text: string;
  /** Character offset of the chunk in the document (inclusive). */
  start: number;
  /** Character offset of the chunk in the document (exclusive). */
  end: number;
  /** Tokens of the document that start inside `[start, end)`. */
  tokens: number;
}

export interface ChunkOptions {
  /** The most tokens a chunk may hold (integer ≥ 1). */
  maxTokens: number;
  /** The fewest tokens a chunk should hold (integer, 0 ≤ minTokens ≤ maxTokens; default 0). */
  minTokens?: number;
  /** Tokens of the previous chunk repeated at the start of each chunk (integer, 0 ≤ overlap < maxTokens; default 0). */
  overlap?: number;
  /** What to keep whole: paragraphs (default), Markdown sections, LaTeX sections, or sentences. */
  units?: ChunkUnits;
}

const UNIT_KINDS: readonly ChunkUnits[] = ["paragraph", "markdown", "latex", "sentence"];

/**
 * Split a document into chunks of at most `maxTokens` tokens, packing whole units (paragraphs by default)
 * greedily; a unit is split (at finer units, then at token boundaries) only when it alone is too long.
 * Tokenises the document once. Chunks are consecutive: without overlap they cover the document exactly once,
 * so `chunks.map((c) => c.text).join("") === text`.
 *
 * @param text the document (non-empty).
 * @param tokenizer counts tokens (see {@link Tokenizer}).
 * @param options sizes, overlap and units.
 * @returns the chunks, in document order.
 * @throws {TypeError} when `text` is not a string.
 * @throws {RangeError} when `text` is empty or an option is out of range.
 * @example
 * ```ts
 * const chunks = chunkDocument("One.\n\nTwo.\n\nThree.", createWordTokenizer(), { maxTokens: 8 });
 * chunks.map((c) => c.text); // ["One.\n\nTwo.\n\n", "Three."]
 * ```
 */
export function chunkDocument(text: string, tokenizer: Tokenizer, options: ChunkOptions): Chunk[] {
  checkText(text, "chunk document");
  checkChunkOptions(options);
  return chunkTokenized(tokenizeDocument(text, tokenizer), options);
}

/**
 * {@link chunkDocument} for a document already tokenised with {@link tokenizeDocument}: no tokenisation here.
 *
 * @param document the text with its `(T)` token starts.
 * @param options sizes, overlap and units.
 * @returns the chunks, in document order.
 * @throws {RangeError} when the text is empty or an option is out of range.
 */
export function chunkTokenized(document: TokenizedDocument, options: ChunkOptions): Chunk[] {
  const { text, starts } = document;
  checkText(text, "chunk document");
  const { maxTokens, minTokens, overlap, units } = checkChunkOptions(options);
  const capacity = maxTokens - overlap;
  const countTokens = (start: number, end: number): number =>
    (end === text.length ? starts.length : tokenIndexAt(starts, end)) - tokenIndexAt(starts, start);

  // Units as consecutive ranges; boundaries sit at token starts so token counts add up exactly.
  const unitStarts: number[] = [];
  const unitTokens: number[] = [];
  const addUnits = (from: number, to: number, kinds: readonly ChunkUnits[]): void => {
    const [kind, ...finer] = kinds;
    const cuts = kind === undefined
      ? tokenCuts(starts, from, to, capacity)
      : snapToTokens(starts, splitUnits(text, kind, from, to), from);
    let a = from;
    for (const b of [...cuts, to]) {
      const n = countTokens(a, b);
      if (n > capacity && kind !== undefined) addUnits(a, b, finer);
      else {
        unitStarts.push(a);
        unitTokens.push(n);
      }
      a = b;
    }
  };
  addUnits(0, text.length, FINER_UNITS[units]);

  // Greedy packing: each chunk is a run [first, last) of units.
  const runs: { first: number; last: number; tokens: number }[] = [];
  for (let u = 0; u < unitStarts.length; u++) {
    const n = unitTokens[u]!;
    const run = runs[runs.length - 1];
    if (run !== undefined && run.tokens + n <= capacity) {
      run.last = u + 1;
      run.tokens += n;
    } else runs.push({ first: u, last: u + 1, tokens: n });
  }
  rebalanceShortRuns(runs, unitTokens, minTokens, capacity);

  const chunks: Chunk[] = [];
  let previousOwnStart = 0;
  for (const [index, run] of runs.entries()) {
    const ownStart = unitStarts[run.first]!;
    const end = unitStarts[run.last] ?? text.length;
    const start = index === 0 || overlap === 0 ? ownStart : overlapStart(starts, ownStart, previousOwnStart, overlap);
    chunks.push({ index, text: text.slice(start, end), start, end, tokens: countTokens(start, end) });
    previousOwnStart = ownStart;
  }
  return chunks;
}

/** Move each raw cut back to the start of the token that holds it; drop cuts that collapse onto another. */
function snapToTokens(starts: Int32Array, cuts: readonly number[], from: number): number[] {
  const snapped: number[] = [];
  for (const cut of cuts) {
    const holder = tokenIndexAt(starts, cut + 1) - 1; // last token starting at or before the cut
    const at = holder < 0 ? cut : starts[holder]!;
    if (at > (snapped[snapped.length - 1] ?? from)) snapped.push(at);
  }
  return snapped;
}

/** Cuts in `(from, to)` every `capacity` tokens, never inside a group of tokens that share one start. */
function tokenCuts(starts: Int32Array, from: number, to: number, capacity: number): number[] {
  const cuts: number[] = [];
  const last = tokenIndexAt(starts, to);
  let first = tokenIndexAt(starts, from);
  while (last - first > capacity) {
    let j = first + capacity;
    while (j > first + 1 && starts[j - 1] === starts[j]) j--;
    // A group longer than the capacity (one character, many byte tokens) cannot be cut: step over it.
    if (starts[j - 1] === starts[j]) { while (j < last && starts[j - 1] === starts[j]) j++; }
    if (j >= last) break;
    cuts.push(starts[j]!);
    first = j;
  }
  return cuts;
}

/** Start offset of a chunk whose own text starts at `ownStart`, reaching back `overlap` tokens (not past the previous chunk). */
function overlapStart(starts: Int32Array, ownStart: number, previousOwnStart: number, overlap: number): number {
  const own = tokenIndexAt(starts, ownStart);
  let j = Math.max(own - overlap, tokenIndexAt(starts, previousOwnStart));
  while (j < own && j > 0 && starts[j - 1] === starts[j]) j++;
  return j < own ? starts[j]! : ownStart;
}

/**
 * Give a run under `minTokens` whole units from the end of the run before it, then from the start of the
 * run after it, as long as the giver keeps `minTokens` and the taker stays within `capacity`.
 */
function rebalanceShortRuns(
  runs: { first: number; last: number; tokens: number }[],
  unitTokens: readonly number[],
  minTokens: number,
  capacity: number,
): void {
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r]!;
    const before = runs[r - 1];
    while (before !== undefined && run.tokens < minTokens && before.last - before.first > 1) {
      const n = unitTokens[before.last - 1]!;
      if (run.tokens + n > capacity || before.tokens - n < minTokens) break;
      before.last -= 1;
      before.tokens -= n;
      run.first -= 1;
      run.tokens += n;
    }
    const after = runs[r + 1];
    while (after !== undefined && run.tokens < minTokens && after.last - after.first > 1) {
      const n = unitTokens[after.first]!;
      if (run.tokens + n > capacity || after.tokens - n < minTokens) break;
      after.first += 1;
      after.tokens -= n;
      run.last += 1;
      run.tokens += n;
    }
  }
}

function checkText(text: unknown, action: string): asserts text is string {
  if (typeof text !== "string") throw new TypeError(`Cannot ${action}: text must be a string, got ${typeName(text)}`);
  if (text.length === 0) throw new RangeError(`Cannot ${action}: text must be non-empty, got an empty string`);
}

function checkChunkOptions(options: ChunkOptions): Required<ChunkOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot chunk document: options must be an object, got ${typeName(options)}`);
  }
  const { maxTokens, minTokens = 0, overlap = 0, units = "paragraph" } = options;
  checkInteger("maxTokens", maxTokens, 1);
  checkInteger("minTokens", minTokens, 0);
  checkInteger("overlap", overlap, 0);
  if (minTokens > maxTokens) {
    throw new RangeError(`Cannot chunk document: minTokens must be at most maxTokens (${maxTokens}), got ${minTokens}`);
  }
  if (overlap >= maxTokens) {
    throw new RangeError(`Cannot chunk document: overlap must be less than maxTokens (${maxTokens}), got ${overlap}`);
  }
  if (!UNIT_KINDS.includes(units)) {
    throw new RangeError(
      `Cannot chunk document: units must be one of ${UNIT_KINDS.join(", ")}, got ${JSON.stringify(units)}`,
    );
  }
  return { maxTokens, minTokens, overlap, units };
}

function checkInteger(name: string, value: unknown, least: number): void {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot chunk document: ${name} must be a number, got ${typeName(value)}`);
  }
  if (!Number.isInteger(value) || value < least) {
    throw new RangeError(`Cannot chunk document: ${name} must be an integer ≥ ${least}, got ${value}`);
  }
}
