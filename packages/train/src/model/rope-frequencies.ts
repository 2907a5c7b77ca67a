// ropeFrequencies: RoPE inverse frequencies after linear / dynamic-NTK / YaRN / Llama-3 scaling, as HF transformers.

import type { ModelConfig } from "./config.ts";

/** 1 / θ^(2i/d) for i < d/2: the unscaled RoPE inverse frequencies (float64). */
function baseInvFreq(theta: number, dim: number): Float64Array {
  const inv = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = 1 / theta ** ((2 * i) / dim);
  return inv;
}

/** YaRN's attention temperature: 0.1·ln(s) + 1 for s > 1 (YaRN paper eq. 22). */
function yarnMscale(scale: number): number {
  return scale <= 1 ? 1 : 0.1 * Math.log(scale) + 1;
}

/**
 * RoPE inverse frequencies after the config's scaling, and the attention scaling that multiplies cos and sin.
 * Same math as Hugging Face transformers' `modeling_rope_utils.py` (computed in float64, returned as float32).
 *
 * - none: invFreq[i] = 1 / θ^(2i/d).
 * - `linear`: invFreq / factor (positions interpolated by the factor).
 * - `dynamic` (NTK-aware): when `seqLen` > maxPositionEmbeddings, θ' = θ·(factor·T/Tmax − (factor − 1))^(d/(d−2)).
 * - `yarn`: per-dimension blend of interpolated (÷factor) and original frequencies, ramped between the dimensions
 *   that rotate betaFast and betaSlow times over the original context; attentionScaling = attentionFactor or
 *   0.1·ln(factor) + 1. The explicit factor is used, as current transformers do.
 * - `llama3`: wavelengths longer than original/lowFreqFactor are divided by factor, shorter than
 *   original/highFreqFactor are kept, and those between are smoothly interpolated.
 *
 * @param config The model config (headDim, ropeTheta, ropeScaling, maxPositionEmbeddings).
 * @param seqLen The sequence length; only `dynamic` scaling uses it.
 * @returns `invFreq` of length headDim/2, and `attentionScaling` (1 except for yarn).
 * @example
 * const { invFreq, attentionScaling } = ropeFrequencies(config); // angle(pos, i) = pos * invFreq[i]
 */
export function ropeFrequencies(
  config: ModelConfig,
  seqLen?: number,
): { invFreq: Float32Array; attentionScaling: number } {
  const dim = config.headDim;
  const scaling = config.ropeScaling;
  if (scaling === null) return { invFreq: Float32Array.from(baseInvFreq(config.ropeTheta, dim)), attentionScaling: 1 };
  switch (scaling.type) {
    case "linear": {
      const inv = baseInvFreq(config.ropeTheta, dim).map((f) => f / scaling.factor);
      return { invFreq: Float32Array.from(inv), attentionScaling: 1 };
    }
    case "dynamic": {
      const maxPos = config.maxPositionEmbeddings;
      const t = seqLen !== undefined && seqLen > maxPos ? seqLen : maxPos;
      const theta = config.ropeTheta * ((scaling.factor * t) / maxPos - (scaling.factor - 1)) ** (dim / (dim - 2));
      return { invFreq: Float32Array.from(baseInvFreq(theta, dim)), attentionScaling: 1 };
    }
    case "yarn": {
      const { factor, betaFast, betaSlow, originalMaxPositionEmbeddings: original } = scaling;
      const base = config.ropeTheta;
      // The dimension whose wavelength fits `rotations` times into the original context.
      const correctionDim = (rotations: number) =>
        (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
      const low = Math.max(Math.floor(correctionDim(betaFast)), 0);
      let high = Math.min(Math.ceil(correctionDim(betaSlow)), dim - 1);
      if (low === high) high += 0.001; // as transformers: avoid a zero-width ramp
      const extrapolated = baseInvFreq(base, dim);
      const inv = new Float32Array(dim / 2);
      for (let i = 0; i < dim / 2; i++) {
        const ramp = Math.min(Math.max((i - low) / (high - low), 0), 1);
        const keep = 1 - ramp; // 1: keep the original frequency (high-frequency dims), 0: interpolate
        const f = extrapolated[i] as number;
        inv[i] = (f / factor) * (1 - keep) + f * keep;
      }
      return { invFreq: inv, attentionScaling: scaling.attentionFactor ?? yarnMscale(factor) };
    }
    case "llama3": {
      const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: original } = scaling;
      const lowFreqWavelen = original / lowFreqFactor;
      const highFreqWavelen = original / highFreqFactor;
      const inv = baseInvFreq(config.ropeTheta, dim).map((f) => {
        const wavelen = (2 * Math.PI) / f;
        if (wavelen < highFreqWavelen) return f;
        if (wavelen > lowFreqWavelen) return f / factor;
        const smooth = (original / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * (f / factor) + smooth * f;
      });
      return { invFreq: Float32Array.from(inv), attentionScaling: 1 };
    }
  }
}
