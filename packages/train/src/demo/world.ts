// The synthetic world: invented one-token names with attributes, filler text, and documents with facts at chosen depths.
import { z } from "zod";
import { FILLER_WORDS, fillerWords } from "./filler.ts";
import { sfc32 as createRng, type Sfc32 as Rng } from "@longpo/io";

/** The default attributes: six of them with twelve one-word values each. */
export const DEFAULT_ATTRIBUTES: readonly { name: string; values: string[] }[] = [
  { name: "color", values: ["red", "blue", "green", "teal", "amber", "violet", "pink", "gray", "black", "white", "orange", "yellow"] },
  { name: "city", values: ["rome", "oslo", "lima", "cairo", "delhi", "kyoto", "quito", "dakar", "perth", "tunis", "riga", "hanoi"] },
  { name: "animal", values: ["otter", "heron", "lynx", "moose", "gecko", "bison", "camel", "llama", "panda", "raven", "shark", "tiger"] },
  { name: "fruit", values: ["apple", "mango", "lemon", "peach", "plum", "grape", "melon", "cherry", "kiwi", "lime", "fig", "pear"] },
  { name: "job", values: ["baker", "smith", "nurse", "pilot", "judge", "miner", "poet", "tailor", "sailor", "farmer", "cook", "clerk"] },
  { name: "metal", values: ["iron", "gold", "tin", "zinc", "lead", "copper", "silver", "nickel", "cobalt", "bronze", "steel", "brass"] },
];

/**
 * Six attributes with twelve two-word values each, a grid of 3 first words × 4 second words per attribute, so that
 * neither word alone determines the value ("pale teal", "deep teal", "dusky teal", "pale red", ...): an answer is
 * right only when both of its tokens are. No word is a filler or template word.
 */
export const MULTI_TOKEN_ATTRIBUTES: readonly { name: string; values: string[] }[] = [
  ["color", ["pale", "deep", "dusky"], ["teal", "red", "blue", "green"]],
  ["city", ["upper", "lower", "new"], ["rome", "oslo", "lima", "cairo"]],
  ["animal", ["snow", "sand", "marsh"], ["otter", "heron", "lynx", "moose"]],
  ["fruit", ["ripe", "raw", "dried"], ["apple", "mango", "lemon", "peach"]],
  ["job", ["master", "junior", "royal"], ["baker", "smith", "nurse", "pilot"]],
  ["metal", ["pure", "cast", "rolled"], ["iron", "gold", "tin", "zinc"]],
].map(([name, firsts, seconds]) => ({
  name: name as string,
  values: (firsts as string[]).flatMap((f) => (seconds as string[]).map((s) => `${f} ${s}`)),
}));

/** The configuration of a world: what its vocabulary holds. Documents are drawn separately, with their own seed. */
export const WorldConfig = z
  .object({
    seed: z.number().int().default(8).describe("seed of the vocabulary: which invented names exist, in which order"),
    names: z.number().int().min(4).max(5000).default(400).describe("how many invented one-token entity names"),
    attributes: z
      .array(z.object({ name: z.string().regex(/^[a-z]+$/), values: z.array(z.string().regex(/^[a-z]+( [a-z]+)*$/)).min(2) }))
      .min(1)
      .default(() => DEFAULT_ATTRIBUTES.map((a) => ({ name: a.name, values: [...a.values] })))
      .describe("attributes an entity can have, each with its values: one word, or several words joined by single spaces (one token each)"),
  })
  .strict();
export type WorldConfig = z.infer<typeof WorldConfig>;

/** One attribute and its values. */
export interface Attribute {
  readonly name: string;
  readonly values: readonly string[];
}

/** A built world: its names, attributes and every word its texts can contain. */
export interface World {
  readonly config: WorldConfig;
  readonly names: readonly string[];
  readonly attributes: readonly Attribute[];
  /** Every word of the world's texts (filler, templates, attributes, values, names), in vocabulary order. */
  readonly words: readonly string[];
}

/** A fact: "zorvan : the color is teal ." */
export interface Fact {
  readonly name: string;
  readonly attribute: string;
  readonly value: string;
}

/** A fact inside a document: its first token's index, and its depth (0 = at the start, 1 = at the very end). */
export interface PlacedFact extends Fact {
  readonly start: number;
  readonly depth: number;
}

/** A document: its tokens (words), the same as text (joined by single spaces), and the facts it holds. */
export interface WorldDocument {
  readonly tokens: readonly string[];
  readonly text: string;
  readonly facts: readonly PlacedFact[];
  /**
   * Sentences that restate a fact stated earlier in a longer document (long-range structure: predicting the restated
   * value means reaching back to the first mention). They are not facts of this document: questions are never about
   * them. Absent or empty in documents made without restatements.
   */
  readonly restatements?: readonly PlacedFact[];
}

/** Words of the fact and question templates (besides names, attributes and values). */
export const TEMPLATE_WORDS: readonly string[] = [":", "the", "is", ".", "what", "?", "write", "a", "question", "about", "text"];

const ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "th", "sh", "br", "dr", "kr", "tr", "gl", "vr"];
const VOWELS = ["a", "e", "i", "o", "u", "ae", "ou"];
const CODAS = ["n", "r", "l", "s", "x", "th", "m", "k", "nd", "sk"];

function inventNames(rng: Rng, count: number, taken: ReadonlySet<string>): string[] {
  const candidates: string[] = [];
  // Two-syllable names with a closing consonant: "zorvan", "threbix"; far more than 5,000 exist.
  for (const o1 of ONSETS) {
    for (const v1 of VOWELS) {
      for (const o2 of ONSETS) {
        for (const v2 of VOWELS) {
          for (const c of CODAS) {
            const name = o1 + v1 + o2 + v2 + c;
            if (!taken.has(name)) candidates.push(name);
          }
        }
      }
    }
  }
  const picked = new Set<string>();
  while (picked.size < count) picked.add(rng.pick(candidates));
  return [...picked];
}

/**
 * Build a world from its configuration (deterministic for the config).
 * @throws {RangeError} when attribute names or values collide with each other or with filler words.
 * @example
 * const world = createWorld({ seed: 8, names: 400 });
 * world.names[0]; // an invented word such as "zorvan"
 */
export function createWorld(config: z.input<typeof WorldConfig> = {}): World {
  const parsed = WorldConfig.parse(config);
  const base = new Set<string>([...FILLER_WORDS, ...TEMPLATE_WORDS]);
  const attributeNames = new Set(parsed.attributes.map((a) => a.name));
  const reserved = new Set<string>(base);
  const values = new Set<string>();
  const attributes: Attribute[] = [];
  const collision = (what: string) =>
    new RangeError(`Cannot create a world: attribute names and values must be unique and not filler or template words, got "${what}"`);
  for (const attribute of parsed.attributes) {
    if (reserved.has(attribute.name)) throw collision(attribute.name);
    reserved.add(attribute.name);
    for (const value of attribute.values) {
      // A whole value is unique in the world; its words may recur in other values ("pale teal", "pale red").
      if (values.has(value)) throw collision(value);
      values.add(value);
      for (const word of valueWords(value)) {
        if (base.has(word) || attributeNames.has(word)) throw collision(word);
        reserved.add(word);
      }
    }
    attributes.push({ name: attribute.name, values: [...attribute.values] });
  }
  const names = inventNames(createRng(parsed.seed), parsed.names, reserved);
  const words = [
    ...new Set<string>([
      ...TEMPLATE_WORDS,
      ...FILLER_WORDS,
      ...attributes.flatMap((a) => [a.name, ...a.values.flatMap(valueWords)]),
      ...names,
    ]),
  ];
  return { config: parsed, names, attributes, words };
}

/** The words (tokens) of a value: `teal` is one, `pale teal` two. */
export function valueWords(value: string): string[] {
  return value.split(" ");
}

/** The most words of any value in the world: an answer's tokens before the end of sequence (1 in the default world). */
export function maxValueWords(world: World): number {
  return Math.max(...world.attributes.flatMap((a) => a.values.map((v) => valueWords(v).length)));
}

/** The words of a fact: `zorvan : the color is teal .` (7 tokens; one more per extra word of the value). */
export function factWords(fact: Fact): string[] {
  return [fact.name, ":", "the", fact.attribute, "is", ...valueWords(fact.value), "."];
}

/** Tokens in a fact sentence: {@link FACT_LENGTH} for a one-word value, one more per extra word. */
export function factLength(fact: Fact): number {
  return FACT_LENGTH - 1 + valueWords(fact.value).length;
}

/** Tokens in the longest fact sentence of the world (7 in the default world). */
export function maxFactLength(world: World): number {
  return FACT_LENGTH - 1 + maxValueWords(world);
}

/** The words of the question about a fact, name first: `zorvan : what is the color ?` (7 tokens). */
export function questionWords(fact: Pick<Fact, "name" | "attribute">): string[] {
  return [fact.name, ":", "what", "is", "the", fact.attribute, "?"];
}

/** The question about a fact as text. */
export function questionText(fact: Pick<Fact, "name" | "attribute">): string {
  return questionWords(fact).join(" ");
}

/** Tokens in a fact sentence with a one-word value (see {@link factLength} for any value). */
export const FACT_LENGTH = 7;

/**
 * Draw `count` random facts with distinct names (so every question has exactly one answer in a document).
 * @param exclude names that must not be used (e.g. those already in other chunks of the same long document).
 */
export function sampleFacts(world: World, rng: Rng, count: number, exclude: ReadonlySet<string> = new Set()): Fact[] {
  const free = world.names.filter((n) => !exclude.has(n));
  if (count > free.length) {
    throw new RangeError(`Cannot sample facts: count must be <= ${free.length} free names, got ${count}`);
  }
  return rng.sample(free, count).map((name) => {
    const attribute = rng.pick(world.attributes);
    return { name, attribute: attribute.name, value: rng.pick(attribute.values) };
  });
}

/** The longest fact sentence among `facts` ({@link FACT_LENGTH} when there are none). */
function longestFact(facts: readonly Fact[]): number {
  return facts.reduce((n, f) => Math.max(n, factLength(f)), FACT_LENGTH);
}

/** Options of {@link makeDocument}. */
export interface DocumentOptions {
  /** Total length in tokens (words), facts included. */
  readonly length: number;
  /** Facts to place. */
  readonly facts: readonly Fact[];
  /** Depth of each fact in [0, 1] (0 = first sentence, 1 = last); random where absent. */
  readonly depths?: readonly (number | undefined)[];
  /**
   * Facts stated earlier in a longer document, sentences of the same form placed at random depths after the
   * document's own facts are drawn; they are returned as `restatements`, not `facts`. Default none.
   */
  readonly restate?: readonly Fact[];
}

/**
 * A document of exactly `length` tokens: filler sentences with the facts inserted between sentences at the
 * requested depths: a fact at depth d starts near token d × (length − L), L the longest of its fact sentences (7
 * for one-word values), at the nearest sentence boundary (within half a filler sentence, more only where facts crowd
 * each other).
 * @throws {RangeError} when the facts do not fit or a depth is outside [0, 1].
 */
export function makeDocument(rng: Rng, options: DocumentOptions): WorldDocument {
  const restate = options.restate ?? [];
  const facts = [...options.facts, ...restate];
  const length = options.length;
  const factTokens = facts.reduce((n, f) => n + factLength(f), 0);
  const fillerLength = length - factTokens;
  if (!Number.isInteger(length) || fillerLength < 0) {
    throw new RangeError(
      `Cannot make a document: length must be an integer >= ${factTokens} to hold ${facts.length} facts, got ${length}`,
    );
  }
  const { words, boundaries } = fillerWords(rng, fillerLength);
  const span = Math.max(1, length - longestFact(facts));
  const wanted = facts.map((fact, i) => {
    const depth = options.depths?.[i] ?? rng.next();
    if (!(depth >= 0 && depth <= 1)) throw new RangeError(`Cannot place a fact: depth must be in [0, 1], got ${depth}`);
    return { fact, depth, order: i };
  });
  wanted.sort((a, b) => a.depth - b.depth || a.order - b.order);
  // The facts before the r-th (by depth) take their tokens (7 each for one-word values), so its filler position is
  // depth × span minus those tokens.
  let previous = 0;
  let before = 0;
  const placements = wanted.map((w) => {
    const target = Math.min(fillerLength, Math.max(0, w.depth * span - before));
    before += factLength(w.fact);
    let best = 0;
    for (const b of boundaries) if (Math.abs(b - target) < Math.abs(best - target)) best = b;
    previous = Math.max(previous, best);
    return { fact: w.fact, at: previous };
  });
  const tokens: string[] = [];
  const placed: PlacedFact[] = [];
  const restated: PlacedFact[] = [];
  const own = new Set<Fact>(options.facts);
  let cursor = 0;
  for (const p of placements) {
    tokens.push(...words.slice(cursor, p.at));
    cursor = p.at;
    (own.has(p.fact) ? placed : restated).push({ ...p.fact, start: tokens.length, depth: tokens.length / span });
    tokens.push(...factWords(p.fact));
  }
  tokens.push(...words.slice(cursor));
  return { tokens, text: tokens.join(" "), facts: placed, ...(restate.length > 0 ? { restatements: restated } : {}) };
}

/** Options of {@link makeChunkedDocument}. */
export interface ChunkedDocumentOptions {
  /** Number of chunks joined into the long document. */
  readonly chunks: number;
  /** Tokens per chunk. */
  readonly chunkLength: number;
  /** Facts per chunk, drawn uniformly in [min, max]. */
  readonly factsPerChunk: readonly [number, number];
  /**
   * Restatements per chunk after the first: each chunk c ≥ 1 restates this many facts drawn from chunks 0..c−1 (at
   * most as many as exist), so the long document has long-range structure as real documents do. Default 0, which
   * draws nothing extra (the random stream is that of a document without restatements).
   */
  readonly restatementsPerChunk?: number;
}

/** A long document made of short chunks, each a document of its own; names are unique across all chunks. */
export interface ChunkedDocument {
  readonly chunks: readonly WorldDocument[];
  /** The chunks joined; its facts carry positions and depths in the long document. */
  readonly document: WorldDocument;
}

/** Join documents into one, shifting fact positions and recomputing depths. */
export function joinDocuments(parts: readonly WorldDocument[]): WorldDocument {
  const tokens = parts.flatMap((p) => p.tokens);
  const span = Math.max(1, tokens.length - longestFact(parts.flatMap((p) => [...p.facts, ...(p.restatements ?? [])])));
  const facts: PlacedFact[] = [];
  const restatements: PlacedFact[] = [];
  let offset = 0;
  for (const part of parts) {
    const shift = (f: PlacedFact): PlacedFact => ({ ...f, start: f.start + offset, depth: (f.start + offset) / span });
    facts.push(...part.facts.map(shift));
    restatements.push(...(part.restatements ?? []).map(shift));
    offset += part.tokens.length;
  }
  return { tokens, text: tokens.join(" "), facts, ...(restatements.length > 0 ? { restatements } : {}) };
}

/**
 * A long document of `chunks × chunkLength` tokens, as LongPO's data pipeline sees it: short chunks that a
 * short-context model can read alone, joined into the long input.
 */
export function makeChunkedDocument(world: World, rng: Rng, options: ChunkedDocumentOptions): ChunkedDocument {
  const [lo, hi] = options.factsPerChunk;
  const perChunk = options.restatementsPerChunk ?? 0;
  if (!(Number.isInteger(perChunk) && perChunk >= 0)) {
    throw new RangeError(`Cannot make a chunked document: restatementsPerChunk must be an integer >= 0, got ${perChunk}`);
  }
  const used = new Set<string>();
  const earlier: Fact[] = [];
  const chunks: WorldDocument[] = [];
  for (let c = 0; c < options.chunks; c++) {
    const facts = sampleFacts(world, rng, rng.range(lo, hi), used);
    for (const f of facts) used.add(f.name);
    // Restated facts keep their value, so every question still has exactly one answer in the long document.
    const restate = perChunk > 0 && earlier.length > 0 ? rng.sample(earlier, Math.min(perChunk, earlier.length)) : [];
    chunks.push(makeDocument(rng, { length: options.chunkLength, facts, ...(restate.length > 0 ? { restate } : {}) }));
    earlier.push(...facts);
  }
  return { chunks, document: joinDocuments(chunks) };
}
