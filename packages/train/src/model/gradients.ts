// registerGradients: makes tf.grad work where tfjs-core's gradient registry cannot load (plain Node ESM, plain Deno).

import * as tf from "@tensorflow/tfjs-core";
import { loadGradients } from "../runtime.ts";

type GradMap = Record<string, () => tf.Tensor>;
type Attrs = Record<string, unknown>;

interface Config {
  kernelName: string;
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: Attrs) => GradMap;
}

/** Sums a broadcast gradient back to the operand's shape. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

/** The gradient of a reduction over `axis`: dy broadcast back to x's shape. */
function spread(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const kept = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  return tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
}

const binary = (
  name: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): Config => ({
  kernelName: name,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, [a, b]) => ({
    a: () => unbroadcast(da(dy as tf.Tensor, a!, b!), a!.shape),
    b: () => unbroadcast(db(dy as tf.Tensor, a!, b!), b!.shape),
  }),
});

const unary = (name: string, dx: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor, output = false): Config => ({
  kernelName: name,
  ...(output ? { outputsToSave: [true] } : { inputsToSave: ["x"] }),
  gradFunc: (dy, [saved]) => ({ x: () => dx(dy as tf.Tensor, saved!) }),
});

/** Gradients of the kernels that LlamaModel, @longpo/loss and the usual loss arithmetic differentiate through. */
const CONFIGS: Config[] = [
  binary("Add", (dy) => dy, (dy) => dy),
  binary("Sub", (dy) => dy, (dy) => tf.neg(dy)),
  binary("Multiply", (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
  binary("RealDiv", (dy, _a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
  binary("Maximum", (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), "float32")), (dy, a, b) =>
    tf.mul(dy, tf.cast(tf.less(a, b), "float32"))),
  binary("Minimum", (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), "float32")), (dy, a, b) =>
    tf.mul(dy, tf.cast(tf.greater(a, b), "float32"))),
  unary("Neg", (dy) => tf.neg(dy)),
  unary("Identity", (dy) => dy),
  unary("Cast", (dy) => tf.clone(dy)),
  unary("Square", (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary("Log", (dy, x) => tf.div(dy, x)),
  unary("Log1p", (dy, x) => tf.div(dy, tf.add(x, 1))),
  unary("Exp", (dy, y) => tf.mul(dy, y), true),
  unary("Sqrt", (dy, y) => tf.div(dy, tf.mul(y, 2)), true),
  unary("Rsqrt", (dy, x) => tf.div(dy, tf.mul(tf.pow(x, 1.5), -2))),
  unary("Sigmoid", (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), true),
  unary("Softplus", (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unary("Tanh", (dy, y) => tf.mul(dy, tf.sub(1, tf.square(y))), true),
  unary("Abs", (dy, x) => tf.mul(dy, tf.sign(x))),
  {
    kernelName: "Reshape",
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }),
  },
  {
    kernelName: "ExpandDims",
    inputsToSave: ["input"],
    gradFunc: (dy, [x]) => ({ input: () => tf.reshape(dy as tf.Tensor, x!.shape) }),
  },
  {
    kernelName: "Transpose",
    gradFunc: (dy, _, attrs) => {
      const perm = attrs["perm"] as number[];
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
    },
  },
  {
    kernelName: "Sum",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => ({ x: () => spread(dy as tf.Tensor, x!, attrs["axis"]) }),
  },
  {
    kernelName: "Mean",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs["axis"] as number | number[], x!.shape);
      const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      return { x: () => tf.div(spread(dy as tf.Tensor, x!, attrs["axis"]), count) };
    },
  },
  {
    kernelName: "Softmax",
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dim = attrs["dim"] as number;
      return { logits: () => tf.mul(y!, tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y!), dim, true))) };
    },
  },
  {
    kernelName: "Unpack",
    gradFunc: (dy, _, attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], attrs["axis"] as number) }),
  },
  {
    kernelName: "Pack",
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const parts = tf.unstack(dy as tf.Tensor, attrs["axis"] as number);
      return Object.fromEntries(saved.map((_, i) => [String(i), () => parts[i]!]));
    },
  } as Config,
  {
    kernelName: "Concat",
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs["axis"] as number, saved[0]!.shape)[0]!;
      const parts = tf.split(dy as tf.Tensor, saved.map((t) => t.shape[axis]!), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  } as Config,
  {
    kernelName: "Slice",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs["begin"] as number[], attrs["size"] as number[]);
      const paddings = x!.shape.map((s, i) => [begin![i]!, s - begin![i]! - size![i]!] as [number, number]);
      return { x: () => tf.pad(dy as tf.Tensor, paddings) };
    },
  },
  {
    kernelName: "GatherV2",
    inputsToSave: ["x", "indices"],
    gradFunc: (dy, [x, indices], attrs) => {
      if ((attrs["axis"] as number) !== 0 || ((attrs["batchDims"] as number | undefined) ?? 0) !== 0) {
        throw new TypeError("Cannot differentiate gather: this fallback registry supports axis 0 without batchDims only");
      }
      const inner = x!.shape.slice(1);
      return {
        x: () =>
          tf.unsortedSegmentSum(
            tf.reshape(dy as tf.Tensor, [indices!.size, ...inner]),
            tf.reshape(indices!, [indices!.size]) as tf.Tensor1D,
            x!.shape[0]!,
          ),
        indices: () => tf.zerosLike(indices!),
      };
    },
  },
  {
    kernelName: "Select",
    inputsToSave: ["condition"],
    gradFunc: (dy, [condition]) => {
      const zero = () => tf.zerosLike(dy as tf.Tensor);
      return {
        condition: () => tf.zerosLike(condition!),
        t: () => tf.where(condition!, dy as tf.Tensor, zero()),
        e: () => tf.where(condition!, zero(), dy as tf.Tensor),
      };
    },
  },
  {
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b], attrs) => {
      const ta = attrs["transposeA"] === true;
      const tb = attrs["transposeB"] === true;
      const g = dy as tf.Tensor;
      if (!ta && !tb) return { a: () => tf.matMul(g, b!, false, true), b: () => tf.matMul(a!, g, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(g, b!, false, false), b: () => tf.matMul(g, a!, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b!, g, false, true), b: () => tf.matMul(a!, g, false, false) };
      return { a: () => tf.matMul(b!, g, true, true), b: () => tf.matMul(g, a!, true, true) };
    },
  },
];

/** The gradients this module registers when tfjs-core's own registry cannot load. */
export const FALLBACK_GRADIENT_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/** Registers the fallback gradients for kernels that have none yet. */
export function registerFallbackGradients(): void {
  for (const config of CONFIGS) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config as never);
  }
}

let done: Promise<"tfjs-core" | "fallback"> | null = null;

/**
 * Makes sure gradients are registered, once per process. tfjs-core keeps its gradients in
 * `dist/register_all_gradients.js`, whose extension-less imports load under Bun, vitest and bundlers, and under
 * plain Node through `runtime.ts`'s resolve hook (`loadGradients`), but not under plain Deno; where it cannot load,
 * the fallback set above (the kernels the model, `@longpo/loss` and ordinary loss arithmetic differentiate) is
 * registered instead. `selectBackend` calls this.
 *
 * @returns which registry is in use
 * @example
 * await registerGradients(); // before the first tf.grad / optimizer.minimize
 */
export function registerGradients(): Promise<"tfjs-core" | "fallback"> {
  done ??= loadGradients().then(
    () => "tfjs-core" as const,
    () => {
      registerFallbackGradients();
      return "fallback" as const;
    },
  );
  return done;
}
