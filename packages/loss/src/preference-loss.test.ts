import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { BACKENDS, expectClose, finiteDifferences, onBackends, read, seededRandom, useBackend } from "./_backends.ts";
import { type PlainOptions, type PlainPairs, referenceLosses } from "./_reference-losses.ts";
import { type PreferenceLossOptions, preferenceLoss } from "./preference-loss.ts";
import { type PreferenceLossType, preferenceLosses } from "./preference-losses.ts";

// Shared inputs of the hand-worked cases.
// A: π_c = −9.5, π_r = −11.5, ref_c = ref_r = −11, n_c = 2, n_r = 4 → c = 1.5, r = −0.5, Δ = 2,
//    Δ̄ = 1.5/2 − (−0.5)/4 = 0.875, π̄_c = −4.75, π̄_r = −2.875. With β = 0.5: z = βΔ = 1, βc = 0.75, βr = −0.25.
const A: PlainPairs = {
  policyChosenLogps: [-9.5],
  policyRejectedLogps: [-11.5],
  refChosenLogps: [-11],
  refRejectedLogps: [-11],
  chosenTokens: [2],
  rejectedTokens: [4],
};
// H: huge margins, β = 1, one token each. Pair 0: π_c = −1, π_r = −10001, refs −1 → c = 0, r = −1e4, Δ = 1e4.
//    Pair 1: π_c = −10001, π_r = −1 → c = −1e4, r = 0, Δ = −1e4. So z = ±1e4 (and Δ̄ = Δ, π̄ = π).
const H: PlainPairs = {
  policyChosenLogps: [-1, -10001],
  policyRejectedLogps: [-10001, -1],
  refChosenLogps: [-1, -1],
  refRejectedLogps: [-1, -1],
  chosenTokens: [1, 1],
  rejectedTokens: [1, 1],
};
// S: two pairs for the sorting losses. π_c − π_r = [3, −1], ref_c − ref_r = [1, −2]; c = [1, −2], r = [−1, −3].
const S: PlainPairs = {
  policyChosenLogps: [-5, -8],
  policyRejectedLogps: [-8, -7],
  refChosenLogps: [-6, -6],
  refRejectedLogps: [-7, -4],
};
const LN2 = Math.LN2;
// In the comments below, sp(x) = softplus(x) = log(1 + eˣ) = −logσ(−x).

interface HandCase {
  name: string;
  pairs: PlainPairs;
  options: Omit<PreferenceLossOptions, "type">;
  losses: number[];
  rewards?: [number[], number[]];
}

// Every case: the arithmetic is in the comment, the number is what the comment evaluates to.
const handCases: Record<PreferenceLossType, HandCase[]> = {
  sigmoid: [
    // A: −logσ(1) = log(1 + e⁻¹) = 0.3132616875; rewards βc = 0.75, βr = −0.25.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.31326168751822286], rewards: [[0.75], [-0.25]] },
    // A, ε = 0.1: 0.9·0.3132616875 + 0.1·log(1 + e¹) = 0.2819355188 + 0.1313261688 = 0.4132616875.
    { name: "A ε=0.1", pairs: A, options: { beta: 0.5, labelSmoothing: 0.1 }, losses: [0.4132616875182229] },
    // H: −logσ(1e4) = e⁻¹⁰⁰⁰⁰ = 0 (to float precision); −logσ(−1e4) = 1e4 exactly. Rewards βc = [0, −1e4].
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000], rewards: [[0, -10000], [-10000, 0]] },
    // β = 1e-6: z = 2e-6, log(1 + e^−z) = ln 2 − z/2 + z²/8 = 0.6931471806 − 0.000001 = 0.6931461806.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.6931461805604453] },
  ],
  robust: [
    // A, ε = 0.1: (0.9·0.3132616875 − 0.1·1.3132616875) / 0.8 = (0.2819355188 − 0.1313261688) / 0.8 = 0.1882616875.
    { name: "A ε=0.1", pairs: A, options: { beta: 0.5, labelSmoothing: 0.1 }, losses: [0.1882616875182229], rewards: [[0.75], [-0.25]] },
    // A, ε = 0: plain DPO, 0.3132616875.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.31326168751822286] },
    // H, ε = 0.1: pair 0 (0.9·0 + 0.1·(−1e4)) / 0.8 = −1250; pair 1 (0.9·1e4 + 0.1·0) / 0.8 = 11250.
    { name: "H ε=0.1", pairs: H, options: { beta: 1, labelSmoothing: 0.1 }, losses: [-1250, 11250] },
    // β = 1e-6, ε = 0.1: (0.9·(ln 2 − 1e-6) − 0.1·(ln 2 + 1e-6)) / 0.8 = (0.8·ln 2 − 1e-6) / 0.8 = ln 2 − 1.25e-6.
    { name: "tiny β ε=0.1", pairs: A, options: { beta: 1e-6, labelSmoothing: 0.1 }, losses: [0.6931459305604452] },
  ],
  hinge: [
    // A: relu(1 − 1) = 0 (at the kink).
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0], rewards: [[0.75], [-0.25]] },
    // S, β = 0.5: Δ = (3) − (1) = 2 → relu(1 − 1) = 0; Δ = (−1) − (−2) = 1 → relu(1 − 0.5) = 0.5.
    { name: "S", pairs: S, options: { beta: 0.5 }, losses: [0, 0.5] },
    // H: relu(1 − 1e4) = 0; relu(1 + 1e4) = 10001.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10001] },
    // β = 1e-6: relu(1 − 2e-6) = 0.999998.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.999998] },
  ],
  ipo: [
    // A: (Δ̄ − 1/(2β))² = (0.875 − 1)² = 0.015625.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.015625], rewards: [[0.75], [-0.25]] },
    // H: (1e4 − 0.5)² = 99990000.25; (−1e4 − 0.5)² = 100010000.25.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [99990000.25, 100010000.25] },
    // β = 1e-6: (0.875 − 500000)² = 499999.125² = 249999125000.765625.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [249999125000.765625] },
  ],
  exo_pair: [
    // A, ε → 1e-3: σ(1)(logσ(1) − log 0.999) + σ(−1)(logσ(−1) − log 0.001)
    //   = 0.7310585786·(−0.3132616875 + 0.0010005003) + 0.2689414214·(−1.3132616875 + 6.9077552790) = 1.2763098387.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [1.2763098386691134], rewards: [[0.75], [-0.25]] },
    // A, ε = 0.1: 0.7310585786·(−0.3132616875 + 0.1053605157) + 0.2689414214·(−1.3132616875 + 2.3025850930) = 0.1140821077.
    { name: "A ε=0.1", pairs: A, options: { beta: 0.5, labelSmoothing: 0.1 }, losses: [0.11408210766749785] },
    // H: z = 1e4 → 1·(0 − log 0.999) + 0·(…) = 0.0010005003; z = −1e4 → 0·(…) + 1·(0 − log 0.001) = 6.9077552790.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0.0010005003335835335, 6.907755278982137] },
    // β = 1e-6: z ≈ 0 → ½(−ln 2 − log 0.999) + ½(−ln 2 − log 0.001) = 2.7612272557 (to 1e-6).
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [2.7612272557210256] },
  ],
  nca_pair: [
    // A: −logσ(0.75) − ½logσ(−0.75) − ½logσ(0.25) = sp(−0.75) + ½sp(0.75) + ½sp(−0.25)
    //   = 0.3859684164 + ½·1.1359684164 + ½·0.5759929244 = 1.2432762191.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [1.2432762191117717], rewards: [[0.75], [-0.25]] },
    // H: pair 0 (βc = 0, βr = −1e4): ln 2 + ½ln 2 + ½·0 = 1.0397207708;
    //    pair 1 (βc = −1e4, βr = 0): 1e4 + ½·0 + ½ln 2 = 10000.3465735903.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [1.0397207708399179, 10000.34657359028] },
    // β = 1e-6: ≈ ln 2 + ½ln 2 + ½ln 2 − (1.5e-6)/2 + (1.5e-6)/4 + (−0.5e-6)/4 ... = 2 ln 2 − 5e-7 = 1.3862938611.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [1.3862938611203282] },
  ],
  bco_pair: [
    // A, δ = 0: −logσ(0.75) − logσ(0.25) = sp(−0.75) + sp(−0.25) = 0.3859684164 + 0.5768420096 = 0.9628104260.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.9628104259937436], rewards: [[0.75], [-0.25]] },
    // A, δ = 0.25: −logσ(0.5) − logσ(0.5) = 2·sp(−0.5) = 2·0.4740769842 = 0.9481539684.
    { name: "A δ=0.25", pairs: A, options: { beta: 0.5, delta: 0.25 }, losses: [0.9481539683602134] },
    // H: pair 0 −logσ(0) − logσ(1e4) = ln 2; pair 1 −logσ(−1e4) − logσ(0) = 1e4 + ln 2.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [LN2, 10000 + LN2] },
    // β = 1e-6: sp(−1.5e-6) + sp(−0.5e-6) = 2 ln 2 − (1.5e-6 + 0.5e-6)/2 = 1.3862933611.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [1.386293361120203] },
  ],
  sppo_hard: [
    // A: (c − 1/(2β))² + (r + 1/(2β))² = (1.5 − 1)² + (−0.5 + 1)² = 0.25 + 0.25 = 0.5.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.5], rewards: [[0.75], [-0.25]] },
    // H: (0 − 0.5)² + (−1e4 + 0.5)² = 0.25 + 99990000.25; (−1e4 − 0.5)² + (0 + 0.5)² = 100010000.25 + 0.25.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [99990000.5, 100010000.5] },
    // β = 1e-6: (1.5 − 5e5)² + (−0.5 + 5e5)² = 499998.5² + 499999.5² = 249998500002.25 + 249999500000.25.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [499998000002.5] },
  ],
  aot: [
    // S: sort([3, −1]) − sort([1, −2]) = [−1, 3] − [−2, 1] = [1, 2] → β·δ = [0.5, 1] → [sp(−0.5), sp(−1)]
    //   = [0.4740769842, 0.3132616875] (the paired margins [2, 1] would give them in the other order).
    { name: "S", pairs: S, options: { beta: 0.5 }, losses: [0.4740769841801067, 0.31326168751822286] },
    // A, ε = 0.1: one pair sorts to itself, δ = 2 − 0 = 2 → conservative DPO at z = 1: 0.4132616875.
    { name: "A ε=0.1", pairs: A, options: { beta: 0.5, labelSmoothing: 0.1 }, losses: [0.4132616875182229], rewards: [[0.75], [-0.25]] },
    // H: sort([1e4, −1e4]) − sort([0, 0]) = [−1e4, 1e4] → [1e4, 0].
    { name: "H", pairs: H, options: { beta: 1 }, losses: [10000, 0] },
    // β = 1e-6: δ = 2 → ln 2 − 1e-6.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.6931461805604453] },
  ],
  aot_unpaired: [
    // S: sort(c) − sort(r) = sort([1, −2]) − sort([−1, −3]) = [−2, 1] − [−3, −1] = [1, 2] → [sp(−0.5), sp(−1)].
    { name: "S", pairs: S, options: { beta: 0.5 }, losses: [0.4740769841801067, 0.31326168751822286] },
    // H: sort([0, −1e4]) − sort([−1e4, 0]) = [0, 0] → [ln 2, ln 2]: huge inputs, finite exact output.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [LN2, LN2], rewards: [[0, -10000], [-10000, 0]] },
    // β = 1e-6: one pair, δ = c − r = 2 → ln 2 − 1e-6.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.6931461805604453] },
  ],
  apo_zero: [
    // A: 1 − σ(0.75) + σ(−0.25) = 1 − 0.6791786992 + 0.4378234991 = 0.7586447999.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.7586447999388088], rewards: [[0.75], [-0.25]] },
    // H: pair 0 1 − σ(0) + σ(−1e4) = 0.5; pair 1 1 − σ(−1e4) + σ(0) = 1.5.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0.5, 1.5] },
    // β = 1e-6: 1 − (0.5 + 1.5e-6/4) + (0.5 − 0.5e-6/4) = 1 − 5e-7 = 0.9999995.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.9999995] },
  ],
  apo_down: [
    // A: σ(0.75) + 1 − σ(1) = 0.6791786992 + 1 − 0.7310585786 = 0.9481201205.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.9481201205453881], rewards: [[0.75], [-0.25]] },
    // H: pair 0 σ(0) + 1 − σ(1e4) = 0.5; pair 1 σ(−1e4) + 1 − σ(−1e4) = 1.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0.5, 1] },
    // β = 1e-6: (0.5 + 1.5e-6/4) + 1 − (0.5 + 2e-6/4) = 1 − 1.25e-7 = 0.999999875.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.999999875] },
  ],
  discopop: [
    // A, τ = 0.05: z = 1, m = σ(20) = 1 − 2.06e-9 → sp(−1)·2.06e-9 + e⁻¹·(1 − 2.06e-9) = 0.3678794411.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.3678794410588667], rewards: [[0.75], [-0.25]] },
    // A, τ = 1: m = σ(1) = 0.7310585786 → 0.3132616875·0.2689414214 + 0.3678794412·0.7310585786 = 0.3531904649.
    { name: "A τ=1", pairs: A, options: { beta: 0.5, tau: 1 }, losses: [0.3531904648719092] },
    // H: z = 1e4 → 0·σ(−2e5) + exp(−1e4 + 0) = 0; z = −1e4 → 1e4·σ(2e5) + exp(1e4 − 2e5) = 1e4 + 0
    //    (the naive e^(−z)·m would be ∞·0 = NaN).
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000] },
    // β = 1e-6: z = 2e-6, z/τ = 4e-5 → (ln 2 − 1e-6)·(0.5 − 1e-5) + (1 − 2e-6)·(0.5 + 1e-5) = 0.8465751588.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.8465751587994166] },
  ],
  sigmoid_norm: [
    // A: −logσ(β·Δ̄) = sp(−0.4375) = 0.4981345475.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.49813454751437536], rewards: [[0.75], [-0.25]] },
    // H: Δ̄ = ±1e4 → [0, 1e4].
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000] },
    // β = 1e-6: sp(−0.875e-6) = ln 2 − 0.4375e-6 = 0.6931467431.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.693146743060041] },
  ],
  cpo: [
    // A: −logσ(β(π_c − π_r)) = −logσ(0.5·2) = sp(−1) = 0.3132616875; rewards βπ_c = −4.75, βπ_r = −5.75.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [0.31326168751822286], rewards: [[-4.75], [-5.75]] },
    // A, ε = 0.1: 0.9·sp(−1) + 0.1·sp(1) = 0.4132616875.
    { name: "A ε=0.1", pairs: A, options: { beta: 0.5, labelSmoothing: 0.1 }, losses: [0.4132616875182229] },
    // H: π_c − π_r = ±1e4 → [0, 1e4].
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000] },
    // β = 1e-6: sp(−2e-6) = ln 2 − 1e-6.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.6931461805604453] },
  ],
  simpo: [
    // A, γ = 0.5: β(π̄_c − π̄_r) − γ = 0.5·(−4.75 + 2.875) − 0.5 = −1.4375 → sp(1.4375) = 1.6506100388;
    //    rewards βπ̄ = −2.375 and −1.4375.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [1.650610038830676], rewards: [[-2.375], [-1.4375]] },
    // A, γ = 1: z = −0.9375 − 1 = −1.9375 → sp(1.9375) = 2.0720865375.
    { name: "A γ=1", pairs: A, options: { beta: 0.5, gamma: 1 }, losses: [2.072086537477125] },
    // H: z = 1e4 − 0.5 → 0; z = −1e4 − 0.5 → 10000.5.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000.5] },
    // β = 1e-6: z = −1.875e-6 − 0.5 → sp(0.500001875) = 0.9740769842 + 1.875e-6·σ(0.5) = 0.9740781513.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [0.9740781512917658] },
  ],
  orpo: [
    // A: log_odds = (−4.75 + 2.875) − (log1mexp(−4.75) − log1mexp(−2.875))
    //   = −1.875 − (−0.0086893384 + 0.0580700358) = −1.9243806974 → 0.5·sp(1.9243806974) = 1.0303143784;
    //   rewards βπ̄ = −2.375 and −1.4375.
    { name: "A", pairs: A, options: { beta: 0.5 }, losses: [1.0303143784186723], rewards: [[-2.375], [-1.4375]] },
    // H: log1mexp(−1) = log(1 − e⁻¹) = −0.4586751454, log1mexp(−10001) = 0.
    //    pair 0: log_odds = 1e4 + 0.4586751454 → 0; pair 1: log_odds = −1e4 − 0.4586751454 → 10000.4586751454.
    { name: "H", pairs: H, options: { beta: 1 }, losses: [0, 10000.458675145386] },
    // β = 1e-6: 1e-6 · sp(1.9243806974) = 1e-6 · 2.0606287568 = 2.0606287568e-6.
    { name: "tiny β", pairs: A, options: { beta: 1e-6 }, losses: [2.0606287568373445e-6] },
  ],
};

function toTensors(pairs: PlainPairs) {
  const t = (xs: number[] | undefined) => (xs === undefined ? undefined : tf.tensor1d(xs));
  return {
    policyChosenLogps: tf.tensor1d(pairs.policyChosenLogps),
    policyRejectedLogps: tf.tensor1d(pairs.policyRejectedLogps),
    refChosenLogps: t(pairs.refChosenLogps),
    refRejectedLogps: t(pairs.refRejectedLogps),
    chosenTokens: t(pairs.chosenTokens),
    rejectedTokens: t(pairs.rejectedTokens),
  };
}

describe("preferenceLoss", () => {
  it("has a hand-worked case for every loss in the table", () => {
    expect(Object.keys(handCases).sort()).toEqual(Object.keys(preferenceLosses).sort());
  });

  for (const [type, cases] of Object.entries(handCases) as [PreferenceLossType, HandCase[]][]) {
    for (const c of cases) {
      it(`${type} loss matches the hand-worked case ${c.name} on cpu and wasm`, async () => {
        const huge = c.name.startsWith("H");
        // Huge margins must be exact: relative 1e-6 and no absolute slack, so e⁻¹⁰⁰⁰⁰ must come out as 0.
        const tolerance = huge ? { rtol: 1e-6, atol: 0 } : { rtol: 1e-5, atol: 1e-7 };
        await onBackends(() => {
          const out = preferenceLoss(toTensors(c.pairs), { type, ...c.options });
          const result = { losses: read(out.losses), chosenRewards: read(out.chosenRewards), rejectedRewards: read(out.rejectedRewards) };
          expectClose(result.losses, c.losses, tolerance, "losses");
          expect(result.losses.every(Number.isFinite)).toBe(true);
          if (c.rewards) expectClose([result.chosenRewards, result.rejectedRewards], c.rewards, tolerance, "rewards");
          return result;
        }, tolerance);
      });
    }
  }

  it("agrees with the float64 formulas on random inputs for every loss", async () => {
    const random = seededRandom(11);
    const pairs = randomPairs(random, 6);
    const options: PlainOptions = { beta: 0.3, labelSmoothing: 0.05, gamma: 0.4, tau: 0.5, delta: 0.1 };
    for (const type of Object.keys(preferenceLosses) as PreferenceLossType[]) {
      const expected = referenceLosses(type, pairs, options);
      await onBackends(() => {
        const losses = read(preferenceLoss(toTensors(pairs), { type, ...options }).losses);
        expectClose(losses, expected, { rtol: 1e-5, atol: 1e-6 }, type);
        return losses;
      });
    }
  });

  it("has gradients with respect to the policy log-probs that match float64 central differences, for every loss", async () => {
    const random = seededRandom(12);
    const pairs = randomPairs(random, 4);
    const options: PlainOptions = { beta: 0.3, labelSmoothing: 0.05, gamma: 0.4, tau: 0.5, delta: 0.1 };
    const n = pairs.policyChosenLogps.length;
    for (const type of Object.keys(preferenceLosses) as PreferenceLossType[]) {
      // d/dπ of Σ losses, by central differences on the plain float64 formulas.
      const total = (x: number[]) =>
        referenceLosses(type, { ...pairs, policyChosenLogps: x.slice(0, n), policyRejectedLogps: x.slice(n) }, options).reduce(
          (a, b) => a + b,
          0,
        );
      const expected = finiteDifferences(total, [...pairs.policyChosenLogps, ...pairs.policyRejectedLogps], 1e-5);
      await onBackends(() => {
        const inputs = toTensors(pairs);
        const grads = tf.grads((chosen: tf.Tensor, rejected: tf.Tensor) =>
          tf.sum(
            preferenceLoss(
              { ...inputs, policyChosenLogps: chosen as tf.Tensor1D, policyRejectedLogps: rejected as tf.Tensor1D },
              { type, ...options },
            ).losses,
          ),
        )([inputs.policyChosenLogps, inputs.policyRejectedLogps]);
        const result = [...read(grads[0] as tf.Tensor), ...read(grads[1] as tf.Tensor)];
        expectClose(result, expected, { rtol: 1e-3, atol: 1e-5 }, `${type} gradient`);
        return result;
      }, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("leaks no tensor, forward or backward, for any loss once its outputs are disposed", async () => {
    const pairs = randomPairs(seededRandom(13), 3);
    for (const name of BACKENDS) {
      await useBackend(name);
      const inputs = toTensors(pairs);
      for (const type of Object.keys(preferenceLosses) as PreferenceLossType[]) {
        const before = tf.memory().numTensors;
        const out = preferenceLoss(inputs, { type, beta: 0.2 });
        tf.dispose([out.losses, out.chosenRewards, out.rejectedRewards]);
        expect(tf.memory().numTensors, `${name} ${type} forward`).toBe(before);
        const g = tf.grad((x: tf.Tensor) => tf.sum(preferenceLoss({ ...inputs, policyChosenLogps: x as tf.Tensor1D }, { type, beta: 0.2 }).losses))(
          inputs.policyChosenLogps,
        );
        g.dispose();
        expect(tf.memory().numTensors, `${name} ${type} backward`).toBe(before);
      }
      tf.dispose(Object.values(inputs).filter((t): t is tf.Tensor1D => t !== undefined));
    }
  });

  it("needs no reference log-probs for cpo, simpo and orpo, and takes int32 token counts", async () => {
    await onBackends(() => {
      const inputs = {
        policyChosenLogps: tf.tensor1d([-9.5]),
        policyRejectedLogps: tf.tensor1d([-11.5]),
        chosenTokens: tf.tensor1d([2], "int32"),
        rejectedTokens: tf.tensor1d([4], "int32"),
      };
      const losses = (["cpo", "simpo", "orpo"] as const).map((type) => read(preferenceLoss(inputs, { type, beta: 0.5 }).losses)[0] as number);
      expectClose(losses, [0.31326168751822286, 1.650610038830676, 1.0303143784186723]); // case A of each, above
      return losses;
    });
  });

  it("throws a TypeError when a loss lacks the inputs it needs or an input is not a float32 vector", () => {
    tf.tidy(() => {
      const policy = { policyChosenLogps: tf.tensor1d([-1]), policyRejectedLogps: tf.tensor1d([-2]) };
      expect(() => preferenceLoss(policy, { type: "sigmoid", beta: 0.1 })).toThrow(
        new TypeError("Cannot compute sigmoid loss: refChosenLogps and refRejectedLogps must be given, got no refChosenLogps and no refRejectedLogps"),
      );
      const withRef = { ...policy, refChosenLogps: tf.tensor1d([-1]), refRejectedLogps: tf.tensor1d([-1]) };
      expect(() => preferenceLoss(withRef, { type: "ipo", beta: 0.1 })).toThrow(TypeError);
      expect(() => preferenceLoss({ ...withRef, chosenTokens: tf.tensor1d([3]) }, { type: "simpo", beta: 0.1 })).toThrow(
        /rejectedTokens must be given, got no rejectedTokens/,
      );
      expect(() => preferenceLoss({ ...withRef, policyChosenLogps: tf.tensor1d([-1], "int32") }, { type: "sigmoid", beta: 0.1 })).toThrow(TypeError);
      expect(() => preferenceLoss({ ...withRef, policyChosenLogps: tf.tensor2d([[-1]]) as never }, { type: "sigmoid", beta: 0.1 })).toThrow(TypeError);
    });
  });

  it("throws a RangeError for mismatched batch sizes, an unknown type or an out-of-range hyper-parameter", () => {
    tf.tidy(() => {
      const inputs = {
        policyChosenLogps: tf.tensor1d([-1, -2]),
        policyRejectedLogps: tf.tensor1d([-2, -3]),
        refChosenLogps: tf.tensor1d([-1, -1]),
        refRejectedLogps: tf.tensor1d([-1, -1, -1]),
      };
      expect(() => preferenceLoss(inputs, { type: "sigmoid", beta: 0.1 })).toThrow(
        new RangeError("Cannot compute sigmoid loss: every input must have the same batch size, got 2 and 3 (refRejectedLogps)"),
      );
      const ok = { ...inputs, refRejectedLogps: tf.tensor1d([-1, -1]) };
      expect(() => preferenceLoss(ok, { type: "kto" as PreferenceLossType, beta: 0.1 })).toThrow(RangeError);
      expect(() => preferenceLoss(ok, { type: "sigmoid", beta: 0 })).toThrow(RangeError);
      expect(() => preferenceLoss(ok, { type: "robust", beta: 0.1, labelSmoothing: 0.5 })).toThrow(RangeError);
      expect(() => preferenceLoss(ok, { type: "discopop", beta: 0.1, tau: 0 })).toThrow(RangeError);
      expect(() => preferenceLoss(ok, { type: "sigmoid", beta: Number.NaN })).toThrow(RangeError);
    });
  });
});

/** Random float32-representable pairs with negative token-averaged log-probs (ORPO needs π̄ < 0). */
function randomPairs(random: () => number, n: number): Required<PlainPairs> {
  const f = (lo: number, hi: number) => Math.fround(lo + (hi - lo) * random());
  const tokens = () => Array.from({ length: n }, () => 1 + Math.floor(random() * 8));
  return {
    policyChosenLogps: Array.from({ length: n }, () => f(-30, -2)),
    policyRejectedLogps: Array.from({ length: n }, () => f(-30, -2)),
    refChosenLogps: Array.from({ length: n }, () => f(-30, -2)),
    refRejectedLogps: Array.from({ length: n }, () => f(-30, -2)),
    chosenTokens: tokens(),
    rejectedTokens: tokens(),
  };
}
