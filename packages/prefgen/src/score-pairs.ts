// Stage 5: reference log-probs log π_S(y | x_S) for chosen and rejected, summed over turns.
import { countLines, openJsonlAppender, readJsonl, readKeys } from "@longpo/io";
import type { ScoreRequest, Scorer } from "./model-interfaces.ts";
import { PreferencePair } from "./preference-pair.ts";
import { checkBatchSize, runBatched, stageLog, stageProgress } from "./_stage.ts";
import type { StageCommon, StageReport } from "./stage-records.ts";

/** Options of {@link scorePairs}. */
export interface ScorePairsOptions extends StageCommon {
  /** The `filtered.jsonl` of stage 4. */
  input: string;
  /** The `pairs.jsonl` to append scored pairs to. */
  output: string;
  /** The frozen reference π_S (the model that generated the data). */
  scorer: Scorer;
  /** Pairs per scorer call (each needs two scores per turn); default 16. */
  batchSize?: number;
}

/**
 * Score one batch of pairs: per turn, `ref_chosen_logps = log π_S(chosen | prompt_short)` and
 * `ref_rejected_logps = log π_S(rejected | prompt_short)` (the reference sees the SHORT chunk: LongPO's
 * short-to-long KL anchor); the pair's values are the sums over turns.
 * @throws {RangeError} when the scorer returns the wrong number of scores or a non-finite log-prob
 */
export async function scoreBatch(pairs: readonly PreferencePair[], scorer: Scorer): Promise<PreferencePair[]> {
  const items: ScoreRequest[] = pairs.flatMap((p) =>
    p.turns.flatMap((t) => [
      { messages: t.prompt_short, completion: t.chosen },
      { messages: t.prompt_short, completion: t.rejected },
    ]),
  );
  const scores = await scorer.score(items);
  if (scores.length !== items.length) {
    throw new RangeError(`Cannot score pairs: the scorer must return one score per item, got ${scores.length} for ${items.length}`);
  }
  let at = 0;
  return pairs.map((pair) => {
    const turns = pair.turns.map((t) => {
      const chosen = scores[at++]!;
      const rejected = scores[at++]!;
      for (const s of [chosen, rejected]) {
        if (!Number.isFinite(s.logprob)) throw new RangeError(`Cannot score pair ${pair.id}: log-probs must be finite, got ${s.logprob}`);
      }
      return { ...t, ref_chosen_logps: chosen.logprob, ref_rejected_logps: rejected.logprob };
    });
    return {
      ...pair,
      turns,
      ref_chosen_logps: turns.reduce((s, t) => s + t.ref_chosen_logps, 0),
      ref_rejected_logps: turns.reduce((s, t) => s + t.ref_rejected_logps, 0),
      provenance: { ...pair.provenance, reference_model: scorer.name },
    };
  });
}

/**
 * Stage 5: score every pair of `input` not yet in `output` with {@link scoreBatch} and append it.
 * @returns the stage report
 */
export async function scorePairs(options: ScorePairsOptions): Promise<StageReport> {
  const batchSize = checkBatchSize(options.batchSize ?? 16, "score");
  const done = await readKeys(options.output, PreferencePair, (p) => p.id);
  const progress = stageProgress("score", options, Math.max(0, (await countLines(options.input)) - done.size));
  const out = openJsonlAppender(options.output);
  try {
    const { written, skipped } = await runBatched({
      items: readJsonl(options.input, PreferencePair),
      keyOf: (p) => p.id,
      done,
      batchSize,
      out,
      progress,
      handle: (batch) => scoreBatch(batch, options.scorer),
    });
    progress?.finish();
    stageLog(options)(`score: ${written} pair(s) scored, ${skipped} already done`);
    return { stage: "score", written, skipped, dropped: {} };
  } finally {
    out.close();
  }
}
