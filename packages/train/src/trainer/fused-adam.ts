// fusedAdam: one Adam/AdamW update of a parameter and its moments in a single pass over memory (wasm).
import * as tf from "@tensorflow/tfjs-core";

/** The per-step constants of an Adam update (PyTorch semantics; see `Optimizer`). */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  epsilon: number;
  lr: number;
  /** 1 − lr·weightDecay for AdamW's decoupled decay; null for none. */
  decay: number | null;
  /** 1 − β1^t and 1 − β2^t. */
  correction1: number;
  correction2: number;
}

/** The wasm backend's allocation and heap views, as the kernel needs them. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

const KERNEL = "LongpoFusedAdam";
let registered = false;

/**
 * The new parameter and moments of one Adam(W) step, computed by one JavaScript loop over the wasm heap instead of
 * ~12 elementwise kernels (each a pass over memory and a tensor). Every operation is rounded to float32 in the
 * order the op-by-op version runs them, so both give the same bits:
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← decay·p − (lr·m/c1) / (√(v/c2) + ε).
 *
 * @returns [p, m, v] new tensors of p's shape, or null when the backend is not wasm (use tensor ops then)
 */
export function fusedAdam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, c: AdamConstants): tf.Tensor[] | null {
  if (tf.getBackend() !== "wasm" || p.dtype !== "float32" || g.dtype !== "float32") return null;
  if (!registered) {
    tf.registerKernel({ kernelName: KERNEL, backendName: "wasm", kernelFunc: adamKernel as never });
    registered = true;
  }
  return tf.engine().runKernel(KERNEL, { p, m, v, g }, c as never) as tf.Tensor[];
}

function adamKernel({ inputs, attrs, backend }: {
  inputs: Record<string, tf.TensorInfo>;
  attrs: AdamConstants;
  backend: unknown;
}): tf.TensorInfo[] {
  const wasm = backend as WasmBackendLike;
  const { p, m, v, g } = inputs as Record<"p" | "m" | "v" | "g", tf.TensorInfo>;
  const outs = [p, m, v].map((t) => wasm.makeOutput([...t.shape], "float32"));
  // Views after makeOutput: allocating may grow the heap and detach older views.
  const [ps, ms, vs, gs] = [p, m, v, g].map((t) => wasm.typedArrayFromHeap(t));
  const [po, mo, vo] = outs.map((t) => wasm.typedArrayFromHeap(t));
  const f = Math.fround;
  // The scalars as the op-by-op version sees them: float32 tensors.
  const b1 = f(attrs.beta1);
  const k1 = f(1 - attrs.beta1);
  const b2 = f(attrs.beta2);
  const k2 = f(1 - attrs.beta2);
  const c1 = f(attrs.correction1);
  const c2 = f(attrs.correction2);
  const lr = f(attrs.lr);
  const eps = f(attrs.epsilon);
  const decay = attrs.decay === null ? null : f(attrs.decay);
  const n = ps!.length;
  for (let i = 0; i < n; i++) {
    const gi = gs![i]!;
    const m2 = f(f(ms![i]! * b1) + f(gi * k1));
    const v2 = f(f(vs![i]! * b2) + f(f(gi * gi) * k2));
    const base = decay === null ? ps![i]! : f(ps![i]! * decay);
    const step = f(f(f(m2 / c1) * lr) / f(f(Math.sqrt(f(v2 / c2))) + eps));
    mo![i] = m2;
    vo![i] = v2;
    po![i] = f(base - step);
  }
  return outs;
}
