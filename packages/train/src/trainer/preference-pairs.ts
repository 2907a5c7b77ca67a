// Read PreferencePair JSONL (the @longpo/prefgen schema) and turn pairs into the dialogues the trainer tokenizes.
import { longDialogue, PreferencePair, readJsonl, shortDialogue } from "@longpo/prefgen";
import type { PairDialogues } from "./training-example.ts";

/**
 * Every pair of a JSONL file, validated; a bad line stops the read with `PreferenceDataError` (file, line,
 * issues). A last line without a newline is parsed, not dropped: a training file is read whole or not at all.
 */
export async function readPreferencePairs(file: string): Promise<PreferencePair[]> {
  const pairs: PreferencePair[] = [];
  for await (const pair of readJsonl(file, PreferencePair, { tornTail: "parse" })) pairs.push(pair);
  return pairs;
}

/** The policy's long dialogues and the reference's per-turn short dialogues of a pair. */
export function pairDialogues(pair: PreferencePair): PairDialogues {
  return {
    id: pair.id,
    longChosen: longDialogue(pair, "chosen"),
    longRejected: longDialogue(pair, "rejected"),
    shortChosen: pair.turns.map((_, i) => shortDialogue(pair, i, "chosen")),
    shortRejected: pair.turns.map((_, i) => shortDialogue(pair, i, "rejected")),
    refChosenLogps: pair.ref_chosen_logps,
    refRejectedLogps: pair.ref_rejected_logps,
  };
}
