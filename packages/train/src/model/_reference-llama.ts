// A naive float64 Llama forward in plain JavaScript, written straight from the Hugging Face modeling code.
// Test oracle only: independent of TF.js and of the blocked, per-head layout of llama.ts.

import type { ModelConfig, WeightMap } from "./config.ts";
import { ropeFrequencies } from "./config.ts";

/** x (n, in) · Wᵀ with W (out, in) in PyTorch layout. */
function linear(x: Float64Array, n: number, w: { shape: number[]; data: Float32Array }, bias?: Float32Array) {
  const [out, inp] = w.shape as [number, number];
  const y = new Float64Array(n * out);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < out; o++) {
      let s = bias === undefined ? 0 : bias[o]!;
      for (let j = 0; j < inp; j++) s += x[i * inp + j]! * w.data[o * inp + j]!;
      y[i * out + o] = s;
    }
  }
  return y;
}

function rmsNorm(x: Float64Array, n: number, h: number, w: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(n * h);
  for (let i = 0; i < n; i++) {
    let ms = 0;
    for (let j = 0; j < h; j++) ms += x[i * h + j]! ** 2;
    const r = 1 / Math.sqrt(ms / h + eps);
    for (let j = 0; j < h; j++) y[i * h + j] = x[i * h + j]! * r * w[j]!;
  }
  return y;
}

/**
 * Logits (B, T, V) row-major for one batch of left-padded rows, full causal attention (no cache).
 * mask[b][t] = 1 for real tokens; positions count real tokens from 0.
 */
export function referenceLogits(config: ModelConfig, weights: WeightMap, ids: number[][], mask?: number[][]) {
  const W = (name: string) => weights.get(name)!;
  const { hiddenSize: H, numHeads: nH, numKvHeads: nKv, headDim: hd, vocabSize: V } = config;
  const B = ids.length;
  const T = ids[0]!.length;
  const m = mask ?? ids.map((r) => r.map(() => 1));
  const pos = m.map((r) => {
    let p = 0;
    return r.map((v) => (v === 1 ? p++ : 0));
  });
  let maxPos = 0;
  for (const r of pos) for (const p of r) maxPos = Math.max(maxPos, p);
  const { invFreq, attentionScaling } = ropeFrequencies(config, maxPos + 1);
  const logits = new Float64Array(B * T * V);
  for (let b = 0; b < B; b++) {
    const row = ids[b]!;
    let x = new Float64Array(T * H);
    const emb = W("model.embed_tokens.weight").data;
    for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) x[t * H + j] = emb[row[t]! * H + j]!;
    const rope = (y: Float64Array, heads: number) => {
      for (let t = 0; t < T; t++) {
        for (let h = 0; h < heads; h++) {
          const o = t * heads * hd + h * hd;
          const rotated = new Float64Array(hd);
          for (let i = 0; i < hd / 2; i++) {
            const a = Math.fround(pos[b]![t]! * invFreq[i]!);
            const c = Math.cos(a) * attentionScaling;
            const s = Math.sin(a) * attentionScaling;
            const x1 = y[o + i]!;
            const x2 = y[o + i + hd / 2]!;
            rotated[i] = x1 * c - x2 * s;
            rotated[i + hd / 2] = x2 * c + x1 * s;
          }
          y.set(rotated, o);
        }
      }
    };
    for (let l = 0; l < config.numLayers; l++) {
      const p = `model.layers.${l}.`;
      const bias = (n: string) => (config.attentionBias ? W(p + n).data : undefined);
      const h = rmsNorm(x, T, H, W(p + "input_layernorm.weight").data, config.rmsNormEps);
      const q = linear(h, T, W(p + "self_attn.q_proj.weight"), bias("self_attn.q_proj.bias"));
      const k = linear(h, T, W(p + "self_attn.k_proj.weight"), bias("self_attn.k_proj.bias"));
      const v = linear(h, T, W(p + "self_attn.v_proj.weight"), bias("self_attn.v_proj.bias"));
      rope(q, nH);
      rope(k, nKv);
      const att = new Float64Array(T * nH * hd);
      for (let head = 0; head < nH; head++) {
        const kvh = Math.floor(head / (nH / nKv));
        for (let i = 0; i < T; i++) {
          const scores: number[] = [];
          const keys: number[] = [];
          for (let j = 0; j <= i; j++) {
            if (m[b]![j] !== 1) continue;
            if (config.slidingWindow !== null && i - j >= config.slidingWindow) continue;
            let s = 0;
            for (let d = 0; d < hd; d++) s += q[i * nH * hd + head * hd + d]! * k[j * nKv * hd + kvh * hd + d]!;
            scores.push(s / Math.sqrt(hd));
            keys.push(j);
          }
          if (keys.length === 0) continue; // a padding query with no visible key: output unused
          const mx = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - mx));
          const z = e.reduce((a, c) => a + c, 0);
          keys.forEach((j, n) => {
            for (let d = 0; d < hd; d++) {
              att[i * nH * hd + head * hd + d]! += (e[n]! / z) * v[j * nKv * hd + kvh * hd + d]!;
            }
          });
        }
      }
      const o = linear(att, T, W(p + "self_attn.o_proj.weight"));
      const x1 = x.map((val, i) => val + o[i]!);
      const h2 = rmsNorm(x1, T, H, W(p + "post_attention_layernorm.weight").data, config.rmsNormEps);
      const g = linear(h2, T, W(p + "mlp.gate_proj.weight"));
      const u = linear(h2, T, W(p + "mlp.up_proj.weight"));
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
      const d = linear(act, T, W(p + "mlp.down_proj.weight"));
      x = x1.map((val, i) => val + d[i]!);
    }
    const xf = rmsNorm(x, T, H, W("model.norm.weight").data, config.rmsNormEps);
    const head = config.tieWordEmbeddings ? W("model.embed_tokens.weight") : W("lm_head.weight");
    logits.set(linear(xf, T, head), b * T * V);
  }
  return logits;
}
