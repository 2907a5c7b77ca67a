// Writes pairs as TRL DPOTrainer rows: prompt, chosen, rejected, ref_chosen_logps, ref_rejected_logps.
import type { ChatMessage } from "./model-interfaces.ts";
import type { PreferencePair } from "./preference-pair.ts";
import { rmSync } from "node:fs";
import { openJsonlAppender } from "@longpo/io";

/** A TRL preference row in the conversational format (TRL renders the chat template itself). */
export interface TrlConversationalRow {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  ref_chosen_logps: number;
  ref_rejected_logps: number;
}

/** A TRL preference row in the standard format (prompt already rendered to text). */
export interface TrlStandardRow {
  prompt: string;
  chosen: string;
  rejected: string;
  ref_chosen_logps: number;
  ref_rejected_logps: number;
}

/** Options of {@link toTrlRow} and {@link exportTrl}. */
export interface TrlExportOptions {
  /**
   * `"conversational"` (default): `prompt` is the long prompt as chat messages, `chosen`/`rejected` one assistant
   * message each. `"standard"`: `prompt` is `renderPrompt(prompt_long)`, the chat template applied with the
   * generation prompt, and `chosen`/`rejected` plain text.
   */
  format?: "conversational" | "standard";
  /** Renders chat messages to the model's prompt text; required for the standard format. */
  renderPrompt?: (messages: ChatMessage[]) => string;
}

/**
 * One pair as a TRL DPO row. The prompt is the LONG prompt x_L (what the policy sees) while `ref_*_logps` were
 * computed on the SHORT prompt x_S: that is LongPO's short-to-long reference, and TRL uses precomputed
 * `ref_chosen_logps` / `ref_rejected_logps` columns instead of running its reference model on x_L.
 * @returns the row, or `null` for a multi-turn pair, which TRL's single-response columns cannot hold
 * @throws {RangeError} when the pair has not been scored (null ref log-probs)
 * @throws {TypeError} when the standard format is asked for without `renderPrompt`
 */
export function toTrlRow(pair: PreferencePair, options: TrlExportOptions = {}): TrlConversationalRow | TrlStandardRow | null {
  if (pair.turns.length !== 1) return null;
  if (pair.ref_chosen_logps === null || pair.ref_rejected_logps === null) {
    throw new RangeError(`Cannot export pair ${pair.id} to TRL: ref_chosen_logps and ref_rejected_logps must be numbers, got null (run the scoring stage first)`);
  }
  const refs = { ref_chosen_logps: pair.ref_chosen_logps, ref_rejected_logps: pair.ref_rejected_logps };
  if ((options.format ?? "conversational") === "conversational") {
    return {
      prompt: pair.prompt_long,
      chosen: [{ role: "assistant", content: pair.chosen }],
      rejected: [{ role: "assistant", content: pair.rejected }],
      ...refs,
    };
  }
  if (options.renderPrompt === undefined) {
    throw new TypeError("Cannot export to TRL's standard format: renderPrompt must be a function, got undefined");
  }
  return { prompt: options.renderPrompt(pair.prompt_long), chosen: pair.chosen, rejected: pair.rejected, ...refs };
}

/** What {@link exportTrl} wrote. */
export interface TrlExportSummary {
  written: number;
  /** Multi-turn pairs left out: TRL's DPO columns hold one response per side. */
  skippedMultiTurn: number;
}

/**
 * Write pairs as TRL DPO rows to a JSONL file (replacing it), loadable with `datasets.load_dataset("json", ...)`.
 * TRL must use these columns, not compute its own (which would be the policy on the long prompt): with TRL ≥ 0.29 pass
 * `precompute_ref_log_probs=True` and keep TRL from recomputing them; see docs/scale-out.md and examples/trl.
 * @example
 * ```ts
 * await exportTrl(readJsonl("out/pairs.jsonl", PreferencePair), "out/trl.jsonl");
 * ```
 */
export async function exportTrl(pairs: AsyncIterable<PreferencePair> | Iterable<PreferencePair>, file: string, options: TrlExportOptions = {}): Promise<TrlExportSummary> {
  rmSync(file, { force: true });
  const out = openJsonlAppender(file);
  const summary: TrlExportSummary = { written: 0, skippedMultiTurn: 0 };
  try {
    for await (const pair of pairs) {
      const row = toTrlRow(pair, options);
      if (row === null) summary.skippedMultiTurn += 1;
      else {
        out.append(row);
        summary.written += 1;
      }
    }
  } finally {
    out.close();
  }
  return summary;
}
