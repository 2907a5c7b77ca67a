// Worker of scripts/fuzz-checkpoint.ts: applies mutations [start, end) of one kind to the shipped M0's
// model.safetensors, loads each with loadCheckpoint and prints one line per mutation:
// `<index> <rejected|unchanged|changed|crashed> <ms> <detail>`. Usage (from the parent):
// bun scripts/_fuzz-checkpoint-worker.ts <header|whole> <start> <end> <seed> <modelDir> <workDir> [stallAt]
// (stallAt: a mutation index that sleeps for a minute instead, to check the parent's watchdog)
import { writeSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seededUniform } from "../packages/train/src/model/_random-weights.ts";
import { loadCheckpoint } from "../packages/train/src/model/checkpoint.ts";
import { CheckpointError } from "../packages/train/src/model/checkpoint-error.ts";
import type { WeightMap } from "../packages/train/src/model/config.ts";
import { commandArgs } from "../packages/train/src/runtime.ts";

const [kind, startArg, endArg, seedArg, modelDir, workDir, stallAt] = commandArgs() as [string, string, string, string, string, string, string?];
const original = new Uint8Array(await readFile(join(modelDir, "model.safetensors")));
const headerLength = Number(new DataView(original.buffer).getBigUint64(0, true));
const headerText = new TextDecoder().decode(original.subarray(8, 8 + headerLength));
const baseline = await loadCheckpoint(modelDir);
const dir = join(workDir, `${kind}-${startArg}`);
await mkdir(dir, { recursive: true });
await copyFile(join(modelDir, "config.json"), join(dir, "config.json"));

type Next = () => number;
const int = (next: Next, n: number) => Math.floor(next() * n);
const pick = <T>(next: Next, xs: readonly T[]): T => xs[int(next, xs.length)] as T;

/** A file with the header replaced by `text` (and the length field set to its byte length). */
function withHeader(text: string, declared?: bigint): Uint8Array {
  const header = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + header.length + (original.length - 8 - headerLength));
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(header.length), true);
  out.set(header, 8);
  out.set(original.subarray(8 + headerLength), 8 + header.length);
  return out;
}

const ODD_VALUES: unknown[] = [null, -1, 0, 1.5, 2 ** 53, 1e300, "12", [], {}, true, [1, 2, 3], [-1], [0, 0], [2 ** 64, 0]];

/** One header mutation: byte edits, the length field, or a structural edit of the JSON. */
function mutateHeader(next: Next): { bytes: Uint8Array; what: string } {
  const k = int(next, 6);
  if (k === 0) {
    const bytes = original.slice();
    const n = 1 + int(next, 4);
    for (let f = 0; f < n; f++) bytes[8 + int(next, headerLength)] = int(next, 256);
    return { bytes, what: `${n} random header bytes` };
  }
  if (k === 1) {
    const bytes = original.slice();
    const choices = [0n, 1n, 7n, BigInt(headerLength - 1), BigInt(headerLength + 1), BigInt(headerLength + 1 + int(next, 1000)),
      BigInt(original.length), BigInt(original.length - 8), 100_000_001n, 2n ** 63n, 2n ** 64n - 1n, BigInt(int(next, headerLength))];
    const declared = pick(next, choices);
    new DataView(bytes.buffer).setBigUint64(0, declared, true);
    return { bytes, what: `header length ${declared}` };
  }
  if (k === 2) {
    const cut = int(next, headerLength);
    return { bytes: withHeader(headerText.slice(0, cut)), what: `header cut at ${cut}` };
  }
  if (k === 3) {
    const at = int(next, headerLength);
    const junk = pick(next, ["{", "}", "\"", ",", "\\", "\u0000", "\uffff", "\ud800", "[", "]", ":", "1e999", "NaN"]);
    return { bytes: withHeader(headerText.slice(0, at) + junk + headerText.slice(at)), what: `"${junk}" inserted at ${at}` };
  }
  // Structural: edit one tensor entry, the metadata, or the whole object, and re-serialise.
  const header = JSON.parse(headerText) as Record<string, Record<string, unknown>>;
  const names = Object.keys(header).filter((n) => n !== "__metadata__");
  const name = pick(next, names);
  const entry = header[name] as { dtype: unknown; shape: unknown; data_offsets: unknown };
  const edits: (() => string)[] = [
    () => ((entry.dtype = pick(next, ["F64", "I32", "U8", "BOOL", "f32", "F32 ", "", "F8_E4M3", 4, null])), `dtype of ${name} = ${JSON.stringify(entry.dtype)}`),
    () => ((entry.shape = pick(next, ODD_VALUES)), `shape of ${name} = ${JSON.stringify(entry.shape)}`),
    () => {
      const shape = [...(entry.shape as number[])];
      const i = int(next, shape.length);
      shape[i] = (shape[i] as number) + pick(next, [-1, 1, 2, -2]);
      entry.shape = shape;
      return `shape of ${name} = [${shape}]`;
    },
    () => ((entry.shape = [...(entry.shape as number[])].reverse()), `shape of ${name} reversed`),
    () => ((entry.shape = [...(entry.shape as number[]), 1]), `shape of ${name} with a trailing 1`),
    () => ((entry.data_offsets = pick(next, ODD_VALUES)), `data_offsets of ${name} = ${JSON.stringify(entry.data_offsets)}`),
    () => {
      const [a, b] = entry.data_offsets as [number, number];
      const d = pick(next, [-4, -1, 1, 4, 1024]);
      entry.data_offsets = pick(next, [[a + d, b], [a, b + d], [a + d, b + d], [b, a]]);
      return `data_offsets of ${name} = ${JSON.stringify(entry.data_offsets)}`;
    },
    () => (delete header[name], `${name} deleted`),
    () => ((header[`${name}.extra`] = { ...entry }), `${name} duplicated as ${name}.extra`),
    () => ((header.__metadata__ = pick(next, [{ format: 5 }, [], "pt", { a: null }, { format: { x: 1 } }]) as never), "odd __metadata__"),
    () => ((header[name] = pick(next, [null, [], "x", 1, {}]) as never), `${name} replaced by an odd value`),
  ];
  const what = pick(next, edits)();
  const whole = int(next, 10) === 0 ? pick(next, ["[]", "null", "1", "\"x\"", "{}"]) : JSON.stringify(header);
  return { bytes: withHeader(whole), what: whole === JSON.stringify(header) ? what : `header ${whole}` };
}

/** One whole-file mutation: truncation, appended/inserted/deleted bytes, random files, NaN/Inf written into data. */
function mutateWhole(next: Next): { bytes: Uint8Array; what: string } {
  const n = original.length;
  const k = int(next, 7);
  if (k === 0) {
    const cut = int(next, n);
    return { bytes: original.slice(0, cut), what: `truncated to ${cut} bytes` };
  }
  if (k === 1) {
    const extra = new Uint8Array(1 + int(next, 4096)).map(() => int(next, 256));
    const bytes = new Uint8Array(n + extra.length);
    bytes.set(original);
    bytes.set(extra, n);
    return { bytes, what: `${extra.length} bytes appended` };
  }
  if (k === 2) {
    const at = int(next, n);
    const len = 1 + int(next, 64);
    const bytes = new Uint8Array(n + len);
    bytes.set(original.subarray(0, at));
    bytes.set(new Uint8Array(len).map(() => int(next, 256)), at);
    bytes.set(original.subarray(at), at + len);
    return { bytes, what: `${len} bytes inserted at ${at}` };
  }
  if (k === 3) {
    const at = int(next, n - 1);
    const len = 1 + int(next, Math.min(4096, n - at - 1));
    const bytes = new Uint8Array(n - len);
    bytes.set(original.subarray(0, at));
    bytes.set(original.subarray(at + len), at);
    return { bytes, what: `${len} bytes deleted at ${at}` };
  }
  if (k === 4) {
    const len = pick(next, [0, 1, 7, 8, 9, 100, 4096, n]);
    return { bytes: new Uint8Array(len).map(() => int(next, 256)), what: `${len} random bytes` };
  }
  if (k === 5) {
    const bytes = new Uint8Array(2 * n);
    bytes.set(original);
    bytes.set(original, n);
    return { bytes, what: "the file twice" };
  }
  // Non-finite floats written over random weights (bit patterns of NaN, ±Inf, a signalling NaN).
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const words = (n - 8 - headerLength) / 4;
  const count = 1 + int(next, 8);
  for (let c = 0; c < count; c++) view.setUint32(8 + headerLength + 4 * int(next, words), pick(next, [0x7fc00000, 0x7f800000, 0xff800000, 0x7f800001, 0xffffffff]), true);
  return { bytes, what: `${count} weights set to NaN/Inf` };
}

function sameWeights(a: WeightMap, b: WeightMap): boolean {
  if (a.size !== b.size) return false;
  for (const [name, { shape, data }] of a) {
    const other = b.get(name);
    if (other === undefined || other.shape.join() !== shape.join() || other.data.length !== data.length) return false;
    const x = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const y = new Uint32Array(other.data.buffer, other.data.byteOffset, other.data.length);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

const seed = Number(seedArg);
for (let i = Number(startArg); i < Number(endArg); i++) {
  const next = seededUniform(seed * 1_000_003 + i * 7919 + (kind === "header" ? 0 : 500_009));
  const { bytes, what } = kind === "header" ? mutateHeader(next) : mutateWhole(next);
  await writeFile(join(dir, "model.safetensors"), bytes);
  if (stallAt !== undefined && i === Number(stallAt)) await new Promise((r) => setTimeout(r, 60_000));
  const started = performance.now();
  let outcome: string;
  let detail = what;
  try {
    const loaded = await loadCheckpoint(dir);
    outcome = JSON.stringify(loaded.config) === JSON.stringify(baseline.config) && sameWeights(loaded.weights, baseline.weights) ? "unchanged" : "changed";
  } catch (e) {
    outcome = e instanceof CheckpointError ? "rejected" : "crashed";
    if (outcome === "crashed") detail = `${what}: ${(e as Error).name}: ${(e as Error).message}`;
  }
  const ms = performance.now() - started;
  writeSync(1, `${i} ${outcome} ${ms.toFixed(1)} ${detail.replace(/\s+/g, " ").slice(0, 300)}\n`); // unbuffered: the watchdog reads it now
}
