// AdamW (decoupled weight decay), Adam and RMSprop with state that a checkpoint can save and restore exactly.
import * as tf from "@tensorflow/tfjs-core";
import { fusedAdam } from "./fused-adam.ts";
import type { OptimizerName } from "./train-config.ts";

/** Hyper-parameters shared by the optimizers (PyTorch's semantics). */
export interface OptimizerOptions {
  name: OptimizerName;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** The optimizer's state as plain data: the step count and one Float32Array per slot ("m/<param>", "v/<param>"). */
export interface OptimizerState {
  name: OptimizerName;
  step: number;
  slots: Record<string, { shape: number[]; data: Float32Array }>;
}

/**
 * A first-order optimizer over named variables. `apply` updates them in place from named gradients.
 *
 * - adamw: p ← p − lr·wd·p; m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; p ← p − lr·m̂ / (√v̂ + ε)
 *   (Loshchilov & Hutter; PyTorch `AdamW`), with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
 * - adam: the same without weight decay.
 * - rmsprop: v ← β2 v + (1−β2) g²; p ← p − lr·g / (√v + ε) (PyTorch `RMSprop`, alpha = β2).
 *
 * @example
 * const opt = new Optimizer({ name: "adamw", beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, vars);
 * opt.apply(grads, 1e-3);
 */
export class Optimizer {
  readonly options: OptimizerOptions;
  #params: Map<string, tf.Variable>;
  #slots = new Map<string, tf.Variable>();
  #step = 0;

  constructor(options: OptimizerOptions, params: Map<string, tf.Variable>) {
    this.options = options;
    this.#params = params;
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.#step;
  }

  #slot(kind: string, name: string, like: tf.Variable): tf.Variable {
    const key = `${kind}/${name}`;
    let s = this.#slots.get(key);
    if (s === undefined) {
      s = tf.tidy(() => tf.variable(tf.zerosLike(like), false)); // tidy frees the initial value; the variable keeps its data
      this.#slots.set(key, s);
    }
    return s;
  }

  /**
   * One update of every parameter that has a gradient.
   *
   * @param grads gradient per parameter name, same shapes as the parameters (not disposed here).
   * @param lr the learning rate of this step.
   */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.#step += 1;
    const t = this.#step;
    const { name, beta1, beta2, epsilon, weightDecay } = this.options;
    for (const [pname, g] of grads) {
      const p = this.#params.get(pname);
      if (p === undefined) throw new RangeError(`Cannot apply optimizer: unknown parameter "${pname}"`);
      if (name === "rmsprop") {
        const v = this.#slot("v", pname, p);
        tf.tidy(() => {
          const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
          v.assign(v2);
          p.assign(tf.sub(p, tf.div(tf.mul(g, lr), tf.add(tf.sqrt(v2), epsilon))));
        });
        continue;
      }
      const m = this.#slot("m", pname, p);
      const v = this.#slot("v", pname, p);
      const decay = name === "adamw" && weightDecay > 0 ? 1 - lr * weightDecay : null;
      const constants = { beta1, beta2, epsilon, lr, decay, correction1: 1 - beta1 ** t, correction2: 1 - beta2 ** t };
      const fused = tf.tidy(() => {
        const out = fusedAdam(p, m, v, g, constants); // [p, m, v], one pass on wasm
        if (out === null) return false;
        p.assign(out[0]!);
        m.assign(out[1]!);
        v.assign(out[2]!);
        return true;
      });
      if (fused) continue;
      tf.tidy(() => {
        const m2 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m2);
        v.assign(v2);
        const mHat = tf.div(m2, 1 - beta1 ** t);
        const vHat = tf.div(v2, 1 - beta2 ** t);
        let base: tf.Tensor = p;
        if (name === "adamw" && weightDecay > 0) base = tf.mul(p, 1 - lr * weightDecay);
        p.assign(tf.sub(base, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), epsilon))));
      });
    }
  }

  /** A copy of the state as plain arrays (safe to keep after the optimizer is disposed). */
  async state(): Promise<OptimizerState> {
    const slots: OptimizerState["slots"] = {};
    for (const [key, s] of this.#slots) slots[key] = { shape: [...s.shape], data: (await s.data()) as Float32Array };
    return { name: this.options.name, step: this.#step, slots };
  }

  /**
   * Replace the state with a saved one.
   *
   * @throws {RangeError} when the optimizer kind differs or a slot names an unknown parameter or has the wrong shape.
   */
  loadState(state: OptimizerState): void {
    if (state.name !== this.options.name) {
      throw new RangeError(`Cannot restore optimizer: saved state is ${state.name}, the config asks for ${this.options.name}`);
    }
    this.disposeSlots();
    for (const [key, { shape, data }] of Object.entries(state.slots)) {
      const pname = key.slice(key.indexOf("/") + 1);
      const p = this.#params.get(pname);
      if (p === undefined) throw new RangeError(`Cannot restore optimizer: slot "${key}" names an unknown parameter`);
      if (shape.join(",") !== p.shape.join(",")) {
        throw new RangeError(`Cannot restore optimizer: slot "${key}" must have shape [${p.shape}], got [${shape}]`);
      }
      this.#slots.set(key, tf.tidy(() => tf.variable(tf.tensor(data, shape, "float32"), false)));
    }
    this.#step = state.step;
  }

  private disposeSlots(): void {
    for (const s of this.#slots.values()) s.dispose();
    this.#slots.clear();
  }

  /** Free the moment tensors. */
  dispose(): void {
    this.disposeSlots();
  }
}
