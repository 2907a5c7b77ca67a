// Filler text for the synthetic world: a small sentence grammar, self-contained and licence-free.
import type { Sfc32 as Rng } from "@longpo/io";

const DET = ["the", "a", "this", "that", "every", "no", "some", "one"] as const;
const ADJ = [
  "old", "young", "dark", "bright", "quiet", "loud", "cold", "warm", "tall", "small", "great", "poor", "rich", "proud",
  "gentle", "wild", "sad", "glad", "strange", "noble", "weary", "bold", "fair", "grim", "sweet", "bitter", "hollow", "golden",
] as const;
const NOUN = [
  "king", "queen", "lord", "lady", "knight", "boy", "girl", "man", "woman", "friend", "child", "father", "mother", "brother",
  "sister", "servant", "soldier", "stranger", "river", "hill", "road", "house", "door", "window", "garden", "field", "forest",
  "castle", "ship", "sea", "storm", "wind", "fire", "night", "day", "morning", "moon", "star", "sun", "heart", "letter",
  "sword", "crown", "horse", "dog", "bird", "tree", "stone", "bell", "song", "book", "voice", "hand", "face", "name",
] as const;
const VERB_T = [
  "saw", "found", "lost", "kept", "sold", "held", "left", "took", "gave", "loved", "feared", "followed", "carried", "called",
  "praised", "watched", "heard", "broke", "built", "opened", "closed", "forgot", "remembered", "answered", "touched", "greeted",
] as const;
const VERB_I = [
  "slept", "waited", "laughed", "wept", "sang", "spoke", "listened", "walked", "rested", "trembled", "smiled", "prayed",
  "wandered", "returned", "arrived", "departed", "fell", "rose", "stayed", "danced",
] as const;
const PREP = ["near", "by", "under", "over", "beyond", "behind", "beside", "across", "through", "toward", "before", "after"] as const;
const ADV = ["slowly", "softly", "again", "alone", "there", "here", "today", "tonight", "once", "often", "never", "always"] as const;
const PRON = ["he", "she", "they", "we", "i", "you", "it"] as const;
const CONJ = ["and", "but", "so", "while", "until", "because"] as const;

/** Every word the filler grammar can emit, including punctuation. Sorted, no duplicates. */
export const FILLER_WORDS: readonly string[] = [
  ...new Set<string>([
    ...DET, ...ADJ, ...NOUN, ...VERB_T, ...VERB_I, ...PREP, ...ADV, ...PRON, ...CONJ,
    "was", "were", "is", "not", "as", "with", "to", "of", "in", "then", "when", ",", ".", "!",
  ]),
].sort();

type Slot = readonly string[];

function nounPhrase(rng: Rng): string[] {
  const det = rng.pick(DET);
  return rng.next() < 0.5 ? [det, rng.pick(ADJ), rng.pick(NOUN)] : [det, rng.pick(NOUN)];
}

function clause(rng: Rng): string[] {
  const subject = rng.next() < 0.3 ? [rng.pick(PRON)] : nounPhrase(rng);
  switch (rng.int(6)) {
    case 0:
      return [...subject, rng.pick(VERB_T), ...nounPhrase(rng)];
    case 1:
      return [...subject, rng.pick(VERB_I), rng.pick(PREP), ...nounPhrase(rng)];
    case 2:
      return [...subject, rng.pick(VERB_I), rng.pick(ADV)];
    case 3:
      return [...subject, rng.pick(["was", "is"] as Slot), ...(rng.next() < 0.4 ? ["not"] : []), rng.pick(ADJ)];
    case 4:
      return [...subject, rng.pick(VERB_T), ...nounPhrase(rng), "with", ...nounPhrase(rng)];
    default:
      return ["then", ...subject, rng.pick(VERB_I), "to", ...nounPhrase(rng)];
  }
}

/** One filler sentence as words, ending with "." or "!". */
export function fillerSentence(rng: Rng): string[] {
  const words = clause(rng);
  if (rng.next() < 0.3) words.push(",", rng.pick(CONJ), ...clause(rng));
  words.push(rng.next() < 0.9 ? "." : "!");
  return words;
}

/**
 * Filler of exactly `length` words, built from whole sentences; the last sentence may be cut.
 * Also returns the sentence boundaries (word indices where a sentence starts), where facts can be inserted.
 */
export function fillerWords(rng: Rng, length: number): { words: string[]; boundaries: number[] } {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`Cannot generate filler: length must be a non-negative integer, got ${length}`);
  }
  const words: string[] = [];
  const boundaries: number[] = [];
  while (words.length < length) {
    boundaries.push(words.length);
    words.push(...fillerSentence(rng));
  }
  words.length = length;
  boundaries.push(length);
  return { words, boundaries: [...new Set(boundaries)] };
}
