// Held-out LongPO pairs as a two-choice task: does the model, reading the long document, prefer the chunk's answer?
import type { ChoiceExample, LoglikelihoodTask } from "@longpo/eval";
import type { PreferencePair } from "@longpo/prefgen";
import type { ChatTokenizer } from "../model/tokenizer.ts";

/**
 * The first turn of each pair as a two-choice log-likelihood task: context = the long prompt x_L through the chat
 * template, choices = [chosen y_S, rejected y_L] each closed by the end-of-turn token, gold = 0 (chosen). `acc` is
 * the share of pairs where log π(y_S | x_L) > log π(y_L | x_L): what LongPO's preference term pushes up (on pairs
 * the model was not trained on, it measures whether that preference generalises). The template's leading BOS is
 * left out of the context, since the eval adapter adds BOS to raw text.
 * @example
 * const task = pairPreferenceTask(await readPreferencePairs("held-out.jsonl"), tokenizer);
 */
export function pairPreferenceTask(pairs: readonly PreferencePair[], tok: ChatTokenizer, name = "pair-preference"): LoglikelihoodTask {
  const bos = tok.bosTokenId === null ? "" : tok.decode([tok.bosTokenId]);
  const eos = tok.eosTokenId === null ? "" : tok.decode([tok.eosTokenId]);
  // A pair whose first-turn answers are equal shows no preference (and a tie would count as gold): left out.
  const distinct = pairs.filter((p) => (p.turns[0]?.chosen ?? p.chosen) !== (p.turns[0]?.rejected ?? p.rejected));
  const examples: ChoiceExample[] = distinct.map((p) => {
    const turn = p.turns[0];
    const rendered = tok.applyChatTemplate(p.prompt_long, { addGenerationPrompt: true });
    const context = bos !== "" && rendered.startsWith(bos) ? rendered.slice(bos.length).trimStart() : rendered;
    const close = (answer: string) => `${answer}${eos === "" ? "" : ` ${eos}`}`;
    return {
      id: p.id,
      context,
      choices: [close(turn?.chosen ?? p.chosen), close(turn?.rejected ?? p.rejected)],
      gold: 0,
      metadata: { doc_id: p.doc_id },
    };
  });
  return { kind: "loglikelihood", name, examples: () => examples, config: { pairs: pairs.length, distinct: distinct.length, first_turn_only: true } };
}
