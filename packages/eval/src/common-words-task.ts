// RULER's common words extraction: find the words repeated most often in a long numbered list.
import { exampleRandom, generatedTask, resolveOptions, sizedExample } from "./_generate.ts";
import type { LongContextOptions } from "./long-context-options.ts";
import { createRandom, mixSeed } from "./_random.ts";
import { distinct, randomPseudoWord } from "./_words.ts";
import { promptTokens, renderPrompt } from "./haystack.ts";
import type { GenerateExample, GenerateTask } from "./task.ts";

/** Options of `commonWordsTask`. */
export interface CommonWordsOptions extends LongContextOptions {
  /** Words to find. Default 10. */
  commonWords?: number;
  /** Most repetitions of each common word; fewer on short targets (at least `uncommonFreq + 2`). Default 30. */
  commonFreq?: number;
  /** Repetitions of each other word. Default 3. */
  uncommonFreq?: number;
}

/**
 * RULER-style common words extraction (CWE): a numbered list "1. bakilo 2. zefomu ..." in which `commonWords`
 * words appear `commonFreq` times and all others `uncommonFreq` times; the number of other words sets the
 * length. On short targets the common frequency shrinks so that common words fill about 30% of the list.
 * Metric: `string_match_all` over the common words. Example metadata: `{ length, tokens, sample, commonFreq }`.
 * @example const task = commonWordsTask({ tokenizer, lengths: [4096] });
 */
export function commonWordsTask(options: CommonWordsOptions): GenerateTask {
  const { name, seed, samples, style } = resolveOptions(options, "common_words");
  const numCommon = options.commonWords ?? 10;
  const maxFreq = options.commonFreq ?? 30;
  const ucf = options.uncommonFreq ?? 3;
  if (!(numCommon >= 1 && ucf >= 1 && maxFreq >= ucf + 2)) {
    throw new RangeError(
      `Cannot generate ${name}: commonWords and uncommonFreq must be >= 1 and commonFreq >= uncommonFreq + 2, got ${numCommon}, ${ucf}, ${maxFreq}`,
    );
  }
  const make = (): GenerateExample[] => {
    const out: GenerateExample[] = [];
    for (const length of options.lengths) {
      for (let sample = 0; sample < samples; sample++) {
        const exampleSeed = mixSeed(seed, name, length, sample);
        const rng = exampleRandom(seed, name, length, sample);
        const used = new Set<string>();
        const common = distinct(numCommon, used, () => randomPseudoWord(rng));
        const uncommon: string[] = [];
        const draw = (k: number): string[] => {
          while (uncommon.length < k) uncommon.push(...distinct(1, used, () => randomPseudoWord(rng)));
          return uncommon.slice(0, k);
        };
        const perItem = promptTokens(options.tokenizer, common.map((w, i) => `${i + 101}. ${w}`).join(" ")) / numCommon;
        const cf = Math.min(maxFreq, Math.max(ucf + 2, Math.floor((0.3 * length) / (numCommon * perItem))));
        const build = (k: number) => {
          const words = [...common.flatMap((w) => Array<string>(cf).fill(w)), ...draw(k).flatMap((w) => Array<string>(ucf).fill(w))];
          const list = createRandom(mixSeed(exampleSeed, k)).shuffle(words).map((w, i) => `${i + 1}. ${w}`).join(" ");
          return renderPrompt(
            `Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones that appear most often.\n${list}\nQuestion: What are the ${numCommon} most common words in the above list?`,
            `Answer: The top ${numCommon} words that appear most often in the list are:`,
            style,
          );
        };
        const id = `${name}-${length}-${sample}`;
        out.push(sizedExample({ tokenizer: options.tokenizer, id, length, minK: 0, build, references: common, metadata: { sample, commonFreq: cf } }).example);
      }
    }
    return out;
  };
  return generatedTask({
    name,
    make,
    metric: "string_match_all",
    maxTokens: 120,
    config: { task: "common_words", lengths: options.lengths, seed, samples, style, commonWords: numCommon, commonFreq: maxFreq, uncommonFreq: ucf },
  });
}
