// collapseWatch: notices a run whose loss sits still with zero gradient (e.g. at ln(vocab), a uniform model).

/** Steps in a row with a zero gradient and an unchanged loss before the watch speaks. */
export const COLLAPSE_PATIENCE = 3;

/** A gradient norm this small is zero for the watch (float32 noise, not learning). */
const ZERO_GRADIENT = 1e-8;

/**
 * A per-step check that returns a warning, once, when the gradient norm has been zero for `patience` steps in a
 * row while the loss stayed the same (or the NLL stayed at ln(vocabSize), a uniform prediction): the model has
 * collapsed and further steps cannot move it. The warning names the step, the value and where the plateau began.
 *
 * @example
 * const watch = collapseWatch(681);
 * const warning = watch({ step, loss, nll, gradNorm }); // a string once collapsed, else undefined
 */
export function collapseWatch(
  vocabSize: number | undefined,
  patience = COLLAPSE_PATIENCE,
): (s: { step: number; loss: number; nll: number; gradNorm: number }) => string | undefined {
  let since = 0;
  let streak = 0;
  let lastLoss = Number.NaN;
  let warned = false;
  return ({ step, loss, nll, gradNorm }) => {
    const zero = gradNorm < ZERO_GRADIENT;
    const same = Math.abs(loss - lastLoss) <= 1e-6 * Math.max(1, Math.abs(loss));
    // Uniform: the NLL is ln(V) whatever the batch (a preference loss still moves with the pair lengths).
    const uniform = vocabSize !== undefined && vocabSize > 1 && Math.abs(nll - Math.log(vocabSize)) <= 1e-3 * Math.log(vocabSize);
    if (!zero) streak = 0;
    else if (streak > 0 && (same || uniform)) streak++;
    else {
      streak = 1;
      since = step;
    }
    lastLoss = loss;
    if (warned || streak < patience) return undefined;
    warned = true;
    const what = uniform
      ? `the NLL is ${nll.toFixed(4)} = ln(${vocabSize}), a uniform distribution over the vocabulary,`
      : `the loss is ${loss.toFixed(4)}`;
    return `training has collapsed at step ${step}: ${what} with grad_norm ${gradNorm} since step ${since}; the model can no longer learn (is the learning rate too high?)`;
  };
}
