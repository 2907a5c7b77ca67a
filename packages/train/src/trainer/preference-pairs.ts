// Read PreferencePair JSONL (the @longpo/prefgen schema) and turn pairs into the dialogues the trainer tokenizes.
import { readJsonlUnique } from "@longpo/io";
import { longDialogue, PreferencePair, shortDialogue } from "@longpo/prefgen";
import type { PairDialogues } from "./training-example.ts";

/**
 * Every pair of a JSONL file, validated; a bad line (not UTF-8, over 64 MiB, not JSON, off-schema, or repeating
 * the id of an earlier line, which would train that pair twice) stops the read with `PreferenceDataError`
 * (file, line, issues). A last line without a newline is parsed, not dropped: a training file is read whole or
 * not at all.
 */
export async function readPreferencePairs(file: string): Promise<PreferencePair[]> {
  return readJsonlUnique(file, PreferencePair, (pair) => pair.id, "pair id", { tornTail: "parse" });
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
