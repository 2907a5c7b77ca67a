// Kernel fixes for tfjs-backend-wasm 4.22: a JS UnsortedSegmentSum and heap-view Slice/Unpack, registered once.

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
