import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededUniform } from "./_random-weights.ts";
import { CheckpointError } from "./checkpoint-error.ts";
import type { WeightMap } from "./config.ts";
import {
  bfloat16ToFloat32,
  decodeSafetensors,
  encodeSafetensors,
  float16ToFloat32,
  float32ToBfloat16,
  readSafetensorsFolder,
  writeSafetensorsFolder,
} from "./safetensors.ts";

const enc = new TextEncoder();

/** A safetensors file from a header object and raw data bytes (no validation: for corrupt fixtures). */
function rawFile(header: unknown, data: Uint8Array | number): Uint8Array {
  const json = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function bits(data: Float32Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length);
}

function problemOf(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes, "bad.safetensors");
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).file).toBe("bad.safetensors");
    return (e as CheckpointError).problem;
  }
  throw new Error("expected a CheckpointError");
}

const sample: WeightMap = new Map([
  ["b.weight", { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0.1, -0, 1e-40]) }],
  ["a.bias", { shape: [3], data: Float32Array.from([Infinity, -Infinity, 65504]) }],
  ["c.scalar", { shape: [], data: Float32Array.from([7]) }],
]);

describe("bfloat16 conversion", () => {
  it("rounds float32 to the nearest bfloat16, ties to even", () => {
    expect(float32ToBfloat16(1)).toBe(0x3f80);
    expect(float32ToBfloat16(-2)).toBe(0xc000);
    // bfloat16 has 7 mantissa bits: near 1 the step is 2^-7
    expect(float32ToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // halfway between 0x3f80 (even) and 0x3f81 → 0x3f80
    expect(float32ToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82); // halfway between 0x3f81 and 0x3f82 (even) → 0x3f82
    expect(float32ToBfloat16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81); // just above halfway → up
    expect(float32ToBfloat16(Infinity)).toBe(0x7f80);
    expect(float32ToBfloat16(NaN)).toBe(0x7fc0);
    // the largest finite float32 rounds up to infinity, as PyTorch does
    expect(float32ToBfloat16(3.4028234663852886e38)).toBe(0x7f80);
    expect(bfloat16ToFloat32(0x3f82)).toBe(1 + 2 ** -6);
  });

  it("reads float16 bits exactly", () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x7bff)).toBe(65504); // (2 − 2^-10)·2^15
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(float16ToFloat32(0x7e00))).toBe(true);
  });
});

describe("encodeSafetensors / decodeSafetensors", () => {
  it("round-trips F32 bit for bit, NaN payloads and negative zero included", () => {
    const nan = new Float32Array(2);
    new Uint32Array(nan.buffer).set([0x7fc00001, 0xffa00000]);
    const weights: WeightMap = new Map([...sample, ["nan", { shape: [2], data: nan }]]);
    const { tensors, dtypes, metadata } = decodeSafetensors(encodeSafetensors(weights), "x");
    expect([...tensors.keys()].sort()).toEqual(["a.bias", "b.weight", "c.scalar", "nan"]);
    for (const [name, { shape, data }] of weights) {
      expect(tensors.get(name)?.shape).toEqual(shape);
      expect(bits(tensors.get(name)!.data)).toEqual(bits(data));
      expect(dtypes.get(name)).toBe("F32");
    }
    expect(metadata).toEqual({ format: "pt" });
  });

  it("stores BF16 as the rounded value of each float and reads it back exactly", () => {
    const { tensors, dtypes } = decodeSafetensors(encodeSafetensors(sample, { dtype: "BF16" }), "x");
    for (const [name, { data }] of sample) {
      const expected = Float32Array.from(data, (x) => bfloat16ToFloat32(float32ToBfloat16(x)));
      expect(bits(tensors.get(name)!.data)).toEqual(bits(expected));
      expect(dtypes.get(name)).toBe("BF16");
    }
    // 0.1 = 0x3dcccccd in float32; bfloat16 keeps 0x3dcd (0x3dcc + round up) = 0.10009765625
    expect(tensors.get("b.weight")!.data[3]).toBe(0.10009765625);
  });

  it("writes a header padded to 8 bytes, tensors in name order, as the reference writer does", () => {
    const bytes = encodeSafetensors(sample);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header["a.bias"]).toEqual({ dtype: "F32", shape: [3], data_offsets: [0, 12] });
    expect(header["b.weight"]).toEqual({ dtype: "F32", shape: [2, 3], data_offsets: [12, 36] });
    expect(header["c.scalar"]).toEqual({ dtype: "F32", shape: [], data_offsets: [36, 40] });
  });

  it("reads F16 tensors", () => {
    const data = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]).buffer);
    const { tensors } = decodeSafetensors(rawFile({ h: { dtype: "F16", shape: [4], data_offsets: [0, 8] } }, data), "x");
    expect(Array.from(tensors.get("h")!.data)).toEqual([1, -2, 65504, 2 ** -24]);
  });

  it("reads tensors from an unaligned view of a larger buffer", () => {
    const file = encodeSafetensors(sample);
    const pooled = new Uint8Array(file.length + 3);
    pooled.set(file, 3);
    const { tensors } = decodeSafetensors(pooled.subarray(3), "x");
    expect(Array.from(tensors.get("b.weight")!.data)).toEqual(Array.from(sample.get("b.weight")!.data));
  });

  it("rejects a data length that does not match the shape", () => {
    const bad: WeightMap = new Map([["x", { shape: [2, 2], data: new Float32Array(3) }]]);
    expect(() => encodeSafetensors(bad)).toThrow(TypeError);
  });
});

describe("decodeSafetensors on corrupted files", () => {
  const good = encodeSafetensors(sample);
  const t = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

  it("rejects a file shorter than its header length field", () => {
    expect(problemOf(good.subarray(0, 5))).toMatch(/at least an 8-byte header length/);
  });

  it("rejects a truncated file", () => {
    expect(problemOf(good.subarray(0, 40))).toMatch(/runs past the end of the file/);
    expect(problemOf(good.subarray(0, good.length - 4))).toMatch(/past the end of the data/);
  });

  it("rejects an oversized header length without allocating it", () => {
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(problemOf(huge)).toMatch(/header length must be at most 100000000 bytes/);
    new DataView(huge.buffer).setBigUint64(0, 99_000_000n, true);
    expect(problemOf(huge)).toMatch(/runs past the end of the file/);
  });

  it("rejects overlapping byte ranges", () => {
    const header = { a: t("F32", [2], 0, 8), b: t("F32", [2], 4, 12) };
    expect(problemOf(rawFile(header, 12))).toMatch(/tensors a and b have overlapping byte ranges/);
  });

  it("rejects holes and trailing bytes", () => {
    expect(problemOf(rawFile({ a: t("F32", [1], 0, 4), b: t("F32", [1], 8, 12) }, 12))).toMatch(/hole of 4 bytes/);
    expect(problemOf(rawFile({ a: t("F32", [1], 0, 4) }, 6))).toMatch(/2 trailing bytes/);
  });

  it("rejects unknown and unsupported dtypes", () => {
    expect(problemOf(rawFile({ a: t("F17", [1], 0, 4) }, 4))).toMatch(/tensor a has unknown dtype F17/);
    expect(problemOf(rawFile({ a: t("I64", [1], 0, 8) }, 8))).toMatch(/dtype I64; only F32, F16 and BF16/);
  });

  it("rejects a byte range that does not match shape times dtype size", () => {
    expect(problemOf(rawFile({ a: t("F32", [3], 0, 8) }, 8))).toMatch(/shape \[3\] and dtype F32 needs 12 bytes/);
    // a huge shape whose product overflows nothing useful: still a size mismatch, not an allocation
    expect(problemOf(rawFile({ a: t("F32", [2 ** 40, 2 ** 40], 0, 8) }, 8))).toMatch(/needs/);
  });

  it("rejects malformed headers", () => {
    expect(problemOf(rawFile("{not json", 0))).toMatch(/valid UTF-8 JSON/);
    expect(problemOf(rawFile("[1,2]", 0))).toMatch(/must be a JSON object/);
    expect(problemOf(rawFile({ a: { dtype: "F32", shape: [1] } }, 4))).toMatch(/tensor a: field data_offsets/);
    expect(problemOf(rawFile({ a: t("F32", [-1], 0, 4) }, 4))).toMatch(/field shape/);
    expect(problemOf(rawFile({ a: t("F32", [1], 4, 0) }, 4))).toMatch(/end before they begin/);
    expect(problemOf(rawFile({ __metadata__: { x: 1 } }, 0))).toMatch(/__metadata__/);
  });

  it("rejects invalid UTF-8 in the header", () => {
    const json = new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]); // {"\xc3(":1}
    const file = new Uint8Array(8 + json.length);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(json, 8);
    expect(problemOf(file)).toMatch(/valid UTF-8 JSON/);
  });

  it("gives a CheckpointError or a valid result for thousands of random byte mutations", () => {
    // A file that is mostly header, so that most mutations hit the JSON or the length field.
    const weights: WeightMap = new Map();
    for (let i = 0; i < 6; i++) weights.set(`model.layers.${i}.w`, { shape: [2, 2], data: new Float32Array(4).fill(i) });
    const base = encodeSafetensors(weights, { dtype: "BF16" });
    const next = seededUniform(42);
    const pick = (n: number) => Math.floor(next() * n);
    let rejected = 0;
    let accepted = 0;
    for (let trial = 0; trial < 4000; trial++) {
      let bytes = base.slice();
      const kind = trial % 4;
      if (kind === 3) {
        bytes = bytes.subarray(0, pick(bytes.length)); // random truncation
      } else {
        const flips = 1 + pick(4);
        for (let f = 0; f < flips; f++) {
          // kind 0: anywhere; 1: inside the header JSON; 2: the length field
          const at = kind === 2 ? pick(8) : kind === 1 ? 8 + pick(bytes.length - 8 - 48) : pick(bytes.length);
          bytes[at] = next() < 0.5 ? pick(256) : "{}[],:\"0123456789.-eE FBI"
            .charCodeAt(pick(25));
        }
      }
      try {
        const { tensors } = decodeSafetensors(bytes, "fuzz.safetensors");
        for (const { shape, data } of tensors.values()) expect(data.length).toBe(shape.reduce((a, b) => a * b, 1));
        accepted++;
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw e;
        rejected++;
      }
    }
    expect(rejected + accepted).toBe(4000);
    expect(rejected).toBeGreaterThan(2000);
  });
});

describe("safetensors folders", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "longpo-st-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one file below the shard size and reads it back", async () => {
    const out = join(dir, "single");
    expect(await writeSafetensorsFolder(out, sample)).toEqual(["model.safetensors"]);
    const back = await readSafetensorsFolder(out);
    expect(bits(back.get("b.weight")!.data)).toEqual(bits(sample.get("b.weight")!.data));
  });

  it("writes shards with an index above the shard size and reads them back", async () => {
    const out = join(dir, "sharded");
    // a.bias 12 bytes, b.weight 24, c.scalar 4: shards of at most 16 bytes → [a], [b], [c]
    const files = await writeSafetensorsFolder(out, sample, { maxShardBytes: 16 });
    expect(files).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      "model.safetensors.index.json",
    ]);
    const index = JSON.parse(await readFile(join(out, "model.safetensors.index.json"), "utf8"));
    expect(index).toEqual({
      metadata: { total_size: 40 },
      weight_map: {
        "a.bias": "model-00001-of-00003.safetensors",
        "b.weight": "model-00002-of-00003.safetensors",
        "c.scalar": "model-00003-of-00003.safetensors",
      },
    });
    const back = await readSafetensorsFolder(out);
    expect([...back.keys()].sort()).toEqual(["a.bias", "b.weight", "c.scalar"]);
    for (const [name, { data }] of sample) expect(bits(back.get(name)!.data)).toEqual(bits(data));
  });

  it("rejects an index that points outside the folder or disagrees with its shards", async () => {
    const out = join(dir, "bad-index");
    await writeSafetensorsFolder(out, sample, { maxShardBytes: 16 });
    const indexPath = join(out, "model.safetensors.index.json");
    const index = JSON.parse(await readFile(indexPath, "utf8"));

    await writeFile(indexPath, JSON.stringify({ ...index, weight_map: { "a.bias": "../../etc/passwd.safetensors" } }));
    await expect(readSafetensorsFolder(out)).rejects.toThrow(/plain file name/);

    await writeFile(indexPath, JSON.stringify({ weight_map: { ...index.weight_map, extra: index.weight_map["a.bias"] } }));
    await expect(readSafetensorsFolder(out)).rejects.toThrow(/tensor extra, listed in model.safetensors.index.json, is missing/);

    const { "c.scalar": _, ...rest } = index.weight_map;
    await writeFile(indexPath, JSON.stringify({ weight_map: rest }));
    // c's shard is no longer listed, so c is not read at all; a and b still load
    expect([...(await readSafetensorsFolder(out)).keys()].sort()).toEqual(["a.bias", "b.weight"]);

    await writeFile(indexPath, JSON.stringify({ weight_map: { ...rest, "b.weight": index.weight_map["a.bias"] } }));
    await expect(readSafetensorsFolder(out)).rejects.toThrow(/is missing/);

    await writeFile(indexPath, "{");
    await expect(readSafetensorsFolder(out)).rejects.toThrow(CheckpointError);
    expect((await readdir(out)).length).toBe(4);
  });

  it("names the missing file when a folder has no weights", async () => {
    await expect(readSafetensorsFolder(join(dir, "nothing"))).rejects.toThrow(/nothing\/model\.safetensors/);
  });
});
