// The demo's phases with their expected cost, for the overall progress line (seconds on the project's 2-core machine).
import type { OverallStep } from "@longpo/prefgen";
import { DEMO_ROWS } from "./demo-rows.ts";
import type { DemoConfig } from "./run-demo.ts";

// Rates measured by the default `npx longpo demo` in a fresh clone on the idle 2-core machine (2 workers, native
// inference; BENCHMARKS.md, "longpo demo", 788 s): only the ratios between phases matter, since the ETA scales the
// elapsed time by the share left.
const EVAL_TOKENS_PER_S = 30000; // prompt tokens per second of greedy world-QA evaluation (2 new tokens each)
const QUESTION_S = 3.0 / 1280; // per question written (8 new tokens)
const CHOSEN_S = 2.0 / 1228; // per chosen answer (2 new tokens on a chunk)
const REJECTED_S_PER_TOKEN = 11.6 / (1141 * 290); // per long prompt token of a rejected answer
const REFERENCE_S = 3.2 / (1228 + 1141); // per reference scoring of one turn on its chunk
const TRAIN_S_PER_PAIR = { longpo: 142.7 / 800, sft: 67.1 / 800, dpo: 139.6 / 800 } as const; // per pair of a step
const DPO_REFERENCE_S_PER_DOCUMENT = 16.4 / 320; // DPO scores its reference on the long dialogues once (then cached)
const KEPT = 0.93; // share of written questions that parse and of turns that end in a kept pair

/**
 * The bars the demo runs, in order, with their expected seconds on the project's machine: the θ sweep, M0's
 * evaluations, the pair phases, each row's training per seed (and DPO's reference scoring) and evaluation.
 * `M0 θ×*` matches whichever factor wins the sweep (skipped when it is ×1).
 */
export function demoProgressPlan(config: DemoConfig): OverallStep[] {
  const longLength = config.shortLength * config.lengthFactor;
  const evalCost = (lengths: number[], perCell: number) => lengths.reduce((a, l) => a + (l + 11) * 4 * perCell, 0) / EVAL_TOKENS_PER_S;
  const turns = config.pairDocuments * config.turns;
  const pairs = config.train.steps * config.train.batchSize;
  const rowCost = evalCost([config.shortLength, longLength], config.evalExamplesPerCell);
  return [
    ...config.thetaFactors.map((f) => ({ label: `eval m0-theta-x${f}`, cost: evalCost([longLength], config.thetaSweepExamplesPerCell) })),
    { label: "eval M0", cost: rowCost },
    { label: "eval M0 θ×*", cost: rowCost },
    ...(config.questions === "template" ? [] : [{ label: "pairs: questions", cost: turns * QUESTION_S }]),
    { label: "pairs: chosen", cost: turns * KEPT * CHOSEN_S },
    { label: "pairs: reference (chosen)", cost: turns * KEPT * REFERENCE_S },
    { label: "pairs: rejected", cost: turns * KEPT * (longLength + 34) * REJECTED_S_PER_TOKEN },
    { label: "pairs: reference (rejected)", cost: turns * KEPT * REFERENCE_S },
    ...config.rows.flatMap((name) => {
      const { label, loss } = DEMO_ROWS[name];
      return config.trainSeeds.flatMap((seed, k) => [
        // the first seed scores DPO's reference; the later ones read it from the cache beside the pair file
        ...(loss.method === "dpo" && k === 0 ? [{ label: "reference log-probs (long input)", cost: config.pairDocuments * KEPT * DPO_REFERENCE_S_PER_DOCUMENT }] : []),
        { label: `train ${loss.method}`, cost: pairs * TRAIN_S_PER_PAIR[loss.method] },
        { label: `eval ${label} seed ${seed}`, cost: rowCost },
      ]);
    }),
  ];
}
