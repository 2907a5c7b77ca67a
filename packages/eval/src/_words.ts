// Word material for generated tasks: key words for needles and pronounceable pseudo-words for word lists.
import type { Random } from "./_random.ts";

const ADJECTIVES = (
  "amber brave calm dusty eager faint gentle hollow icy jolly keen lively mellow noble odd proud quiet rapid " +
  "silent tidy upbeat vivid wary young zesty bold crisp dark early fancy grand happy ivory jagged kind lucky " +
  "misty narrow olive plain rough sharp tender unique velvet wild yellow brisk clever dense elegant fierce " +
  "glossy humble loyal modest nimble polite rustic sturdy swift thin vast witty"
).split(" ");

const NOUNS = (
  "anchor badger cactus dolphin engine falcon garden harbor island jacket kettle lantern meadow needle orchard " +
  "pebble quarry rabbit saddle tunnel umbrella valley walrus yacht zipper beacon canyon dagger ember forest " +
  "glacier hammer insect jungle kitten ladder magnet nectar oyster parrot quiver river salmon thunder violin " +
  "whistle basket candle desert feather goblet helmet igloo jewel kernel lizard mirror"
).split(" ");

/** An "adjective-noun" key such as "amber-falcon" (RULER draws its word keys the same way). */
export function randomWordKey(rng: Random): string {
  return `${rng.pick(ADJECTIVES)}-${rng.pick(NOUNS)}`;
}

const CONSONANTS = "bdfgklmnprstvz".split("");
const VOWELS = "aeiou".split("");

/** A pronounceable pseudo-word of `syllables` consonant-vowel syllables, e.g. "bakilo". */
export function randomPseudoWord(rng: Random, syllables = 3): string {
  let w = "";
  for (let i = 0; i < syllables; i++) w += rng.pick(CONSONANTS) + rng.pick(VOWELS);
  return w;
}

/** `n` distinct values drawn by `draw`, none of them in `used` (which is updated). */
export function distinct(n: number, used: Set<string>, draw: () => string): string[] {
  const out: string[] = [];
  let attempts = 0;
  while (out.length < n) {
    const v = draw();
    if (++attempts > 1000 * (n + 10)) throw new RangeError(`Cannot draw ${n} distinct values: the pool is too small`);
    if (used.has(v)) continue;
    used.add(v);
    out.push(v);
  }
  return out;
}
