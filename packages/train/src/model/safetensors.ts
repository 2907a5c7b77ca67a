// safetensors read/write for float weights (F32/F16/BF16 in, F32/BF16 out), single files and sharded folders.
// Format: u64le header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end)}, __metadata__},
// then the data; offsets are relative to the end of the header and tile the data without holes or overlaps.

import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { CheckpointError } from "./checkpoint-error.ts";
import type { WeightMap } from "./config.ts";

/** The dtypes this package reads. */
export type SafetensorsReadDtype = "F32" | "F16" | "BF16";
/** The dtypes this package writes. */
export type SafetensorsWriteDtype = "F32" | "BF16";

/** Largest JSON header accepted (the reference implementation's bound). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Every dtype the safetensors format defines, with its size in bytes; only F32, F16 and BF16 are read. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};
const READABLE = new Set<string>(["F32", "F16", "BF16"]);

const TensorHeader = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
  data_offsets: z.tuple([
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ]),
});
const Metadata = z.record(z.string(), z.string());

/** A decoded safetensors file: float32 tensors by name, the file's dtype per tensor, and its `__metadata__`. */
export interface SafetensorsContents {
  tensors: WeightMap;
  dtypes: Map<string, SafetensorsReadDtype>;
  metadata: Record<string, string>;
}

// Shared scratch for bit casts between float32 and its 32-bit pattern.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** float32 → bfloat16 bits, rounding to nearest even; NaN becomes the quiet NaN 0x7fc0 (as PyTorch). */
export function float32ToBfloat16(x: number): number {
  scratchF32[0] = x;
  const u = scratchU32[0] as number;
  if ((u & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits → float32 (exact). */
export function bfloat16ToFloat32(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0] as number;
}

/** float16 bits → float32 (exact). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

// Byte copies keep F32 bit-exact (NaN payloads included) and fast; big-endian hosts take the DataView path.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decodeData(bytes: Uint8Array, dtype: SafetensorsReadDtype, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === "F32" && LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes); // copies: `bytes` may be an unaligned view of a pooled Buffer
  } else if (dtype === "F32") {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
  }
  return out;
}

/**
 * Decodes a safetensors file held in memory, treating it as untrusted: the header length is bounded, the header
 * must be valid UTF-8 JSON of the right form, every dtype known and readable, every tensor's byte range inside the
 * data and equal to shape × dtype size, and the ranges must tile the data without overlaps or holes.
 *
 * @param bytes The whole file.
 * @param file The file's name, for errors.
 * @returns float32 copies of every tensor (row-major), their stored dtypes, and the metadata.
 * @throws {CheckpointError} naming `file` and the problem.
 * @example
 * const { tensors } = decodeSafetensors(await readFile(path), path);
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const fail = (problem: string): never => {
    throw new CheckpointError(file, problem);
  };
  if (bytes.byteLength < 8) fail(`the file must hold at least an 8-byte header length, got ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    fail(`the header length must be at most ${MAX_HEADER_BYTES} bytes, got ${declared}`);
  }
  const headerBytes = Number(declared);
  if (8 + headerBytes > bytes.byteLength) {
    fail(`the header length ${headerBytes} runs past the end of the file (${bytes.byteLength} bytes): truncated?`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (cause) {
    throw new CheckpointError(file, `the header must be valid UTF-8 JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    return fail("the header must be a JSON object");
  }
  const dataStart = 8 + headerBytes;
  const dataLength = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsReadDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      const parsed = Metadata.safeParse(raw);
      if (!parsed.success) fail("__metadata__ must map strings to strings");
      else metadata = parsed.data;
      continue;
    }
    const parsed = TensorHeader.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(`tensor ${name}: field ${issue?.path.join(".") ?? "?"} is invalid: ${issue?.message ?? ""}`);
    }
    const { dtype, shape, data_offsets: [begin, end] } = parsed.data;
    const itemBytes = DTYPE_BYTES[dtype];
    if (itemBytes === undefined) return fail(`tensor ${name} has unknown dtype ${dtype}`);
    if (!READABLE.has(dtype)) return fail(`tensor ${name} has dtype ${dtype}; only F32, F16 and BF16 are supported`);
    if (end < begin) return fail(`tensor ${name} has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataLength) {
      return fail(`tensor ${name} has data_offsets [${begin}, ${end}] past the end of the data (${dataLength} bytes)`);
    }
    let count = 1;
    for (const d of shape) count *= d; // bounded below: a product beyond the data length fails the size check
    if (count * itemBytes !== end - begin) {
      return fail(
        `tensor ${name} of shape [${shape.join(", ")}] and dtype ${dtype} needs ${count * itemBytes} bytes, ` +
          `but its data_offsets span ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsReadDtype, shape, begin, end });
  }
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = "";
  for (const e of ordered) {
    if (e.begin < covered) fail(`tensors ${previous} and ${e.name} have overlapping byte ranges`);
    if (e.begin > covered) fail(`the data has a hole of ${e.begin - covered} bytes before tensor ${e.name}`);
    covered = e.end;
    previous = e.name;
  }
  if (covered !== dataLength) fail(`the data has ${dataLength - covered} trailing bytes that no tensor uses`);

  const tensors: WeightMap = new Map();
  const dtypes = new Map<string, SafetensorsReadDtype>();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = decodeData(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, count);
    tensors.set(e.name, { shape: [...e.shape], data });
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, dtypes, metadata };
}

/**
 * Encodes float32 weights as a safetensors file, tensors in name order, stored as F32 (bit-exact) or BF16
 * (rounded to nearest even). The metadata gets `format: "pt"` so that transformers loads the file.
 *
 * @throws {TypeError} when a tensor's data length does not match its shape.
 * @example
 * await writeFile("model.safetensors", encodeSafetensors(weights, { dtype: "BF16" }));
 */
export function encodeSafetensors(
  weights: WeightMap,
  options: { dtype?: SafetensorsWriteDtype; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = options.dtype ?? "F32";
  const itemBytes = DTYPE_BYTES[dtype] as number;
  const names = [...weights.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: "pt", ...options.metadata } };
  let offset = 0;
  for (const name of names) {
    const { shape, data } = weights.get(name) as { shape: number[]; data: Float32Array };
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new TypeError(
        `Cannot encode tensor ${name}: data length must match shape [${shape.join(", ")}] (${count}), got ${data.length}`,
      );
    }
    header[name] = { dtype, shape, data_offsets: [offset, offset + count * itemBytes] };
    offset += count * itemBytes;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  while (encoder.encode(json).byteLength % 8 !== 0) json += " "; // pad so that the data starts 8-byte aligned
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.byteLength;
  for (const name of names) {
    const { data } = weights.get(name) as { data: Float32Array };
    if (dtype === "F32" && LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), p);
      p += data.byteLength;
    } else if (dtype === "F32") {
      for (let i = 0; i < data.length; i++, p += 4) view.setFloat32(p, data[i] as number, true);
    } else {
      for (let i = 0; i < data.length; i++, p += 2) view.setUint16(p, float32ToBfloat16(data[i] as number), true);
    }
  }
  return out;
}

/** The file name of a single-file checkpoint's weights. */
export const SAFETENSORS_FILE = "model.safetensors";
/** The file name of a sharded checkpoint's index. */
export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";

const ShardIndex = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(
    z.string(),
    z.string().regex(/^[\w.-]+\.safetensors$/, "must be a plain file name ending in .safetensors"),
  ),
});

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new CheckpointError(path, `the file cannot be read: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Reads one safetensors file from disk.
 *
 * @throws {CheckpointError} when it cannot be read or is malformed.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readBytes(path), path);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads a checkpoint folder's weights: `model.safetensors`, or the shards listed by `model.safetensors.index.json`
 * (each shard must hold exactly the tensors the index assigns to it).
 *
 * @returns float32 weights by Hugging Face name.
 * @throws {CheckpointError} naming the file at fault.
 * @example
 * const weights = await readSafetensorsFolder("out/stories260K");
 */
export async function readSafetensorsFolder(dir: string): Promise<WeightMap> {
  const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
  const singlePath = join(dir, SAFETENSORS_FILE);
  if (!(await exists(indexPath))) return (await readSafetensorsFile(singlePath)).tensors;

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await readBytes(indexPath)));
  } catch (cause) {
    if (cause instanceof CheckpointError) throw cause;
    throw new CheckpointError(indexPath, `the index must be valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = ShardIndex.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(indexPath, `field ${issue?.path.join(".") ?? "?"} is invalid: ${issue?.message ?? ""}`);
  }
  const byShard = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(parsed.data.weight_map)) {
    const names = byShard.get(shard) ?? new Set<string>();
    names.add(name);
    byShard.set(shard, names);
  }
  const weights: WeightMap = new Map();
  for (const [shard, expected] of [...byShard].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const shardPath = join(dir, shard);
    const { tensors } = await readSafetensorsFile(shardPath);
    for (const [name, tensor] of tensors) {
      if (!expected.has(name)) {
        throw new CheckpointError(shardPath, `tensor ${name} is not assigned to this shard by ${SAFETENSORS_INDEX_FILE}`);
      }
      weights.set(name, tensor);
    }
    for (const name of expected) {
      if (!tensors.has(name)) {
        throw new CheckpointError(shardPath, `tensor ${name}, listed in ${SAFETENSORS_INDEX_FILE}, is missing`);
      }
    }
  }
  return weights;
}

/**
 * Writes weights into a folder as `model.safetensors`, or, when they exceed `maxShardBytes`, as shards
 * `model-0000i-of-0000n.safetensors` plus `model.safetensors.index.json` (Hugging Face's layout).
 *
 * @returns The file names written, relative to `dir`.
 * @example
 * await writeSafetensorsFolder(tmpDir, weights, { dtype: "BF16", maxShardBytes: 2e9 });
 */
export async function writeSafetensorsFolder(
  dir: string,
  weights: WeightMap,
  options: { dtype?: SafetensorsWriteDtype; maxShardBytes?: number } = {},
): Promise<string[]> {
  const dtype = options.dtype ?? "F32";
  const itemBytes = DTYPE_BYTES[dtype] as number;
  const maxShardBytes = options.maxShardBytes ?? Infinity;
  if (!(maxShardBytes > 0)) {
    throw new RangeError(`Cannot write shards: maxShardBytes must be positive, got ${maxShardBytes}`);
  }
  await mkdir(dir, { recursive: true });
  const shards: WeightMap[] = [];
  let current: WeightMap = new Map();
  let currentBytes = 0;
  let totalBytes = 0;
  for (const name of [...weights.keys()].sort()) {
    const tensor = weights.get(name) as { shape: number[]; data: Float32Array };
    const size = tensor.data.length * itemBytes;
    if (currentBytes > 0 && currentBytes + size > maxShardBytes) {
      shards.push(current);
      current = new Map();
      currentBytes = 0;
    }
    current.set(name, tensor);
    currentBytes += size;
    totalBytes += size;
  }
  shards.push(current);
  if (shards.length === 1) {
    await writeFile(join(dir, SAFETENSORS_FILE), encodeSafetensors(weights, { dtype }));
    return [SAFETENSORS_FILE];
  }
  const n = shards.length;
  const pad = (i: number) => String(i).padStart(5, "0");
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  for (const [i, shard] of shards.entries()) {
    const file = `model-${pad(i + 1)}-of-${pad(n)}.safetensors`;
    await writeFile(join(dir, file), encodeSafetensors(shard, { dtype }));
    for (const name of shard.keys()) weightMap[name] = file;
    files.push(file);
  }
  const index = { metadata: { total_size: totalBytes }, weight_map: weightMap };
  await writeFile(join(dir, SAFETENSORS_INDEX_FILE), JSON.stringify(index, null, 2) + "\n");
  return [...files, SAFETENSORS_INDEX_FILE];
}
