// Kernel fixes for tfjs-backend-wasm 4.22: a JS UnsortedSegmentSum, heap-view Slice/Unpack, a blocked Transpose.

import * as tf from "@tensorflow/tfjs-core";

/** The parts of the wasm backend object these kernels touch. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: Record<string, unknown>;
  backend: unknown;
};

let registered = false;

/**
 * Registers, once per process, the wasm kernels that make training fast and possible:
 *
 * - `UnsortedSegmentSum` (the gradient of `gather`, i.e. the embedding lookup): the wasm backend has none.
 * - `Slice` of a contiguous block and `Unpack` along axis 0: the stock kernels copy the whole input out of the
 *   heap on every call; these copy only the slice, straight from a view of the heap.
 * - `Transpose`: the stock kernel moves ~0.07 G elements/s on a (2048, 704) matrix, about as long as the matmul
 *   that follows it; this one collapses adjacent axes and copies in cache-sized tiles or contiguous runs.
 * - `Identity` (`clone`, and every tensor saved for a gradient): shares the input's memory instead of copying it.
 *
 * Harmless when the wasm backend is not in use (the kernels only run on wasm).
 *
 * @example
 * await tf.setBackend("wasm"); registerWasmKernels();
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel("UnsortedSegmentSum", "wasm") === undefined) {
    tf.registerKernel({ kernelName: "UnsortedSegmentSum", backendName: "wasm", kernelFunc: unsortedSegmentSum as never });
  }
  replaceKernel("Slice", (original) => (args: KernelArgs) => fastSlice(args, original));
  replaceKernel("Unpack", (original) => (args: KernelArgs) => fastUnpack(args, original));
  replaceKernel("Transpose", (original) => (args: KernelArgs) => fastTranspose(args, original));
  replaceKernel("Identity", (original) => (args: KernelArgs) => sharedIdentity(args, original));
  tf.registerKernel({ kernelName: FILL_KERNEL, backendName: "wasm", kernelFunc: fillFromJs as never });
}

const FILL_KERNEL = "LongpoFillFromJs";

function fillFromJs({ attrs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(attrs?.["shape"] as number[], "float32");
  (attrs?.["fill"] as (values: Float32Array) => void)(wasm.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/**
 * A new float32 tensor on the wasm backend whose values `fill` writes in place (a view of the wasm heap), so that
 * large computed constants need no JavaScript array of their own. Needs `registerWasmKernels()`.
 */
export function filledTensor<R extends tf.Rank>(shape: number[], fill: (values: Float32Array) => void): tf.Tensor<R> {
  return tf.engine().runKernel(FILL_KERNEL, {}, { shape, fill } as never) as tf.Tensor<R>;
}

/** `clone` (and every tensor saved for the backward pass) shares the data, as the cpu backend does; wasm copied it. */
function sharedIdentity(args: KernelArgs, original: KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs["x"]!;
  if (x.dtype === "string") return original(args);
  (args.backend as { incRef(dataId: unknown): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

function replaceKernel(name: string, make: (original: KernelFunc) => KernelFunc): void {
  const stock = tf.getKernel(name, "wasm");
  if (stock === undefined) return;
  const original = stock.kernelFunc as unknown as KernelFunc;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...stock, kernelFunc: make(original) as never });
}

function unsortedSegmentSum({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs["x"]!;
  const segmentIds = inputs["segmentIds"]!;
  const numSegments = attrs?.["numSegments"] as number;
  const wasm = backend as WasmBackendLike;
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  const inner = ids.length === 0 ? 0 : xs.length / ids.length;
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // Views are taken after makeOutput: allocating may grow the heap and detach older views.
  const xv = wasm.typedArrayFromHeap(x) as Float32Array;
  const iv = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  const ov = wasm.typedArrayFromHeap(out) as Float32Array;
  ov.fill(0);
  for (let i = 0; i < iv.length; i++) {
    const s = iv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xo = i * inner;
    for (let j = 0; j < inner; j++) ov[o + j]! += xv[xo + j]!;
  }
  return out;
}

function fastSlice(args: KernelArgs, original: KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs["x"]!;
  const attrs = args.attrs ?? {};
  if (x.dtype === "string") return original(args);
  const params = tf.slice_util.parseSliceParams(
    x as tf.Tensor,
    attrs["begin"] as number | number[],
    attrs["size"] as number | number[] | undefined,
  );
  const begin = params[0]!;
  const size = params[1]!;
  if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args);
  const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
  const n = tf.util.sizeFromShape(size);
  const wasm = args.backend as WasmBackendLike;
  const out = wasm.makeOutput(size, x.dtype);
  if (n > 0) wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x).subarray(offset, offset + n));
  return out;
}

function fastUnpack(args: KernelArgs, original: KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs["value"]!;
  const rawAxis = (args.attrs?.["axis"] as number | undefined) ?? 0;
  const axis = rawAxis < 0 ? rawAxis + x.shape.length : rawAxis;
  if (axis !== 0 || x.dtype === "string") return original(args);
  const wasm = args.backend as WasmBackendLike;
  const count = x.shape[0]!;
  const inner = x.shape.slice(1);
  const size = tf.util.sizeFromShape(inner);
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const out = wasm.makeOutput(inner, x.dtype);
    if (size > 0) wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
    outs.push(out);
  }
  return outs;
}

/**
 * The same permutation on fewer axes: axes of size 1 dropped, and axes that stay neighbours in the same order
 * merged. Returns the collapsed input shape and the permutation over it.
 */
export function collapseTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, a) => a).filter((a) => shape[a] !== 1);
  const p = perm.filter((a) => shape[a] !== 1).map((a) => kept.indexOf(a));
  const groups: number[][] = [];
  for (const a of p) {
    const last = groups.at(-1);
    if (last !== undefined && last.at(-1)! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: byInput.map((g) => g.reduce((n, a) => n * shape[kept[a]!]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

type Numeric = Float32Array | Int32Array | Uint8Array;

/** dst (cols, rows) = src (rows, cols)ᵀ, both at the given offsets, in 16×16 tiles written row by row. */
function transpose2d(src: Numeric, so: number, dst: Numeric, d0: number, rows: number, cols: number): void {
  const tile = 16; // measured: contiguous writes in 16-wide tiles beat contiguous reads ~3×
  for (let j0 = 0; j0 < cols; j0 += tile) {
    const j1 = Math.min(cols, j0 + tile);
    for (let i0 = 0; i0 < rows; i0 += tile) {
      const i1 = Math.min(rows, i0 + tile);
      for (let j = j0; j < j1; j++) {
        const d = d0 + j * rows;
        for (let i = i0; i < i1; i++) dst[d + i] = src[so + i * cols + j]!;
      }
    }
  }
}

function fastTranspose(args: KernelArgs, original: KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs["x"]!;
  const perm = args.attrs?.["perm"] as number[];
  if (x.dtype === "string" || x.dtype === "complex64") return original(args);
  const c = collapseTranspose(x.shape, perm);
  const r = c.shape.length;
  const kind = r <= 1 || c.perm.every((a, i) => a === i)
    ? "copy"
    : r === 2
    ? "2d"
    : r === 3 && c.perm[0] === 0 && c.perm[1] === 2 && c.perm[2] === 1
    ? "batched2d"
    : c.perm[r - 1] === r - 1 && c.shape[r - 1]! >= 8
    ? "runs"
    : null;
  if (kind === null) return original(args);
  const wasm = args.backend as WasmBackendLike;
  const out = wasm.makeOutput(perm.map((a) => x.shape[a]!), x.dtype);
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  if (kind === "copy") {
    dst.set(src);
  } else if (kind === "2d") {
    transpose2d(src, 0, dst, 0, c.shape[0]!, c.shape[1]!);
  } else if (kind === "batched2d") {
    const [n, rows, cols] = c.shape as [number, number, number];
    for (let b = 0; b < n; b++) transpose2d(src, b * rows * cols, dst, b * rows * cols, rows, cols);
  } else if (
    (r === 4 && c.perm.join() === "0,2,1,3") || (r === 3 && c.perm.join() === "1,0,2")
  ) {
    // (A, B, C, run) → (A, C, B, run), attention's head reshuffles: plain nested loops.
    const [a, b, cc, run] = (r === 4 ? c.shape : [1, ...c.shape]) as [number, number, number, number];
    let d = 0;
    for (let i = 0; i < a; i++) {
      for (let k = 0; k < cc; k++) {
        for (let j = 0; j < b; j++) {
          const o = ((i * b + j) * cc + k) * run;
          for (let e = 0; e < run; e++) dst[d++] = src[o + e]!;
        }
      }
    }
  } else {
    // The last axis stays last: copy contiguous runs of it, walking the output's other axes in order.
    const run = c.shape[r - 1]!;
    const inStrides = c.shape.map((_, a) => c.shape.slice(a + 1).reduce((n, s) => n * s, 1));
    const outDims = c.perm.slice(0, r - 1).map((a) => c.shape[a]!);
    const steps = c.perm.slice(0, r - 1).map((a) => inStrides[a]!);
    const index = new Array<number>(r - 1).fill(0);
    const total = outDims.reduce((n, s) => n * s, 1);
    let offset = 0;
    const short = run <= 64; // measured: an element loop beats subarray + set for short runs
    for (let k = 0; k < total; k++) {
      if (short) {
        const d0 = k * run;
        for (let e = 0; e < run; e++) dst[d0 + e] = src[offset + e]!;
      } else {
        dst.set(src.subarray(offset, offset + run), k * run);
      }
      for (let d = r - 2; d >= 0; d--) {
        index[d]!++;
        offset += steps[d]!;
        if (index[d]! < outDims[d]!) break;
        offset -= steps[d]! * outDims[d]!;
        index[d] = 0;
      }
    }
  }
  return out;
}
