import { describe, expect, it } from "vitest";
import { loadOrt } from "./native-llama.ts";
import { encodeOnnxModel, ONNX_FLOAT, ONNX_INT64 } from "./onnx-proto.ts";

describe("encodeOnnxModel", () => {
  it("writes ir_version and producer as protobuf fields 1 and 2", () => {
    const bytes = encodeOnnxModel({ name: "g", opset: 17, nodes: [], initializers: [], inputs: [], outputs: [] });
    // field 1 varint (tag 0x08) = 8; field 2 length-delimited (tag 0x12), 9 bytes "longpo-ts"
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x08, 8, 0x12, 9]);
    expect(new TextDecoder().decode(bytes.subarray(4, 13))).toBe("longpo-ts");
    // the opset import closes the model: field 8 (tag 0x42), 4 bytes: domain "" (0x0a 0x00), version 17 (0x10 0x11)
    expect(Array.from(bytes.subarray(bytes.length - 6))).toEqual([0x42, 4, 0x0a, 0, 0x10, 17]);
  });

  it("encodes a graph that ONNX Runtime runs: (x + w) · 2, reshaped by an int64 constant", async () => {
    const ort = await loadOrt();
    const bytes = encodeOnnxModel({
      name: "affine",
      opset: 17,
      nodes: [
        { op: "Add", inputs: ["x", "w"], outputs: ["s"] },
        { op: "Mul", inputs: ["s", "two"], outputs: ["m"] },
        { op: "Reshape", inputs: ["m", "shape"], outputs: ["y"] },
      ],
      initializers: [
        { name: "w", dims: [3], type: ONNX_FLOAT, data: Float32Array.of(1, -2, 0.5) },
        { name: "two", dims: [], type: ONNX_FLOAT, data: Float32Array.of(2) },
        { name: "shape", dims: [2], type: ONNX_INT64, data: [3, 1] },
      ],
      inputs: [{ name: "x", type: ONNX_FLOAT, dims: [3] }],
      outputs: [{ name: "y", type: ONNX_FLOAT, dims: [3, 1] }],
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.of(10, 20, 30), [3]) });
    // (10 + 1)·2 = 22, (20 − 2)·2 = 36, (30 + 0.5)·2 = 61
    expect(Array.from(out.y!.data as Float32Array)).toEqual([22, 36, 61]);
    expect(out.y!.dims).toEqual([3, 1]);
    await session.release();
  });

  it("rejects a tensor whose data does not fill its dims", () => {
    expect(() =>
      encodeOnnxModel({
        name: "bad",
        opset: 17,
        nodes: [],
        initializers: [{ name: "w", dims: [2, 2], type: ONNX_FLOAT, data: new Float32Array(3) }],
        inputs: [],
        outputs: [],
      })
    ).toThrow(/tensor w: dims \[2, 2\] need 4 values, got 3/);
  });
});
