// The demo's phases with their expected cost, for the overall progress line (seconds on the project's 2-core machine).
import type { OverallStep } from "@longpo/prefgen";
import { DEMO_ROWS } from "./demo-rows.ts";
import type { DemoConfig } from "./run-demo.ts";

// Rates measured by `npx longpo demo` in a fresh clone on the idle 2-core machine (2 workers, native inference;
// BENCHMARKS.md, "longpo demo"): only the ratios between phases matter, since the ETA scales the elapsed time by the
// share left.
const EVAL_TOKENS_PER_S = 28000; // prompt tokens per second of greedy world-QA evaluation (2 new tokens each)
const QUESTION_S = 3.7 / 1280; // per question written (8 new tokens)
const CHOSEN_S = 3.7 / 1188; // per chosen answer (2 new tokens on a chunk)
const REJECTED_S_PER_TOKEN = 17.8 / (1166 * 290); // per long prompt token of a rejected answer
const REFERENCE_S = 4.7 / (1188 + 1166); // per reference scoring of one turn on its chunk
const TRAIN_S_PER_PAIR = { longpo: 96.3 / 640, sft: 51.7 / 640, dpo: 100 / 640 } as const; // per pair of a step
const DPO_REFERENCE_S_PER_DOCUMENT = 11.8 / 320; // DPO scores its reference on the long dialogues first
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
      return config.trainSeeds.flatMap((seed) => [
        ...(loss.method === "dpo" ? [{ label: "reference log-probs (long input)", cost: config.pairDocuments * KEPT * DPO_REFERENCE_S_PER_DOCUMENT }] : []),
        { label: `train ${loss.method}`, cost: pairs * TRAIN_S_PER_PAIR[loss.method] },
        { label: `eval ${label} seed ${seed}`, cost: rowCost },
      ]);
    }),
  ];
}
