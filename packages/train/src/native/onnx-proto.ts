// encodeOnnxModel: a minimal protobuf writer for ONNX ModelProto (the few fields a graph of plain ops needs).

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;

/** A node attribute: a number is an int unless `float` says otherwise; arrays are ints. */
export type OnnxAttribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] }
  | { name: string; tensor: OnnxTensor };

/** One operator: `op` in the default domain unless `domain` is given. */
export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
  domain?: string;
}

/** A constant tensor: float32, int64 (as numbers) or int32 data, row-major. */
export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  type: typeof ONNX_FLOAT | typeof ONNX_INT64 | typeof ONNX_INT32;
  data: Float32Array | Int32Array | readonly number[];
}

/** A graph input or output: element type and dims (a string names a symbolic dimension). */
export interface OnnxValueInfo {
  name: string;
  type: number;
  dims: readonly (number | string)[];
}

/** A whole model: one graph and its opset. */
export interface OnnxModel {
  name: string;
  opset: number;
  /** Further operator sets, e.g. `{ "com.microsoft": 1 }` for ONNX Runtime's contrib ops. */
  extraOpsets?: Readonly<Record<string, number>>;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

/** Growable byte buffer with protobuf's wire encodings (varint, length-delimited, fixed32). */
class Writer {
  #buf = new Uint8Array(1024);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  varint(value: number): void {
    // Non-negative integers up to 2^53; negatives (not used by these fields except ints) as 10-byte two's complement.
    this.#reserve(10);
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.#buf[this.#len++] = Number(v);
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  tag(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    this.#reserve(4);
    new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#len, 4).setFloat32(0, value, true);
    this.#len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

function tensorBytes(t: OnnxTensor): Uint8Array {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new RangeError(`Cannot encode ONNX tensor ${t.name}: dims [${t.dims.join(", ")}] need ${count} values, got ${t.data.length}`);
  }
  if (t.type === ONNX_INT64) {
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) out[i] = BigInt(t.data[i]!);
    return new Uint8Array(out.buffer);
  }
  const typed = t.type === ONNX_FLOAT ? Float32Array.from(t.data as ArrayLike<number>) : Int32Array.from(t.data as ArrayLike<number>);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength); // little-endian, as ONNX raw_data
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9.
function writeTensor(w: Writer, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  w.string(8, t.name);
  w.bytes(9, tensorBytes(t));
}

// AttributeProto: name 1, f 2, i 3, t 5, ints 8, type 20 (FLOAT 1, INT 2, TENSOR 4, INTS 7).
function writeAttribute(w: Writer, a: OnnxAttribute): void {
  w.string(1, a.name);
  if ("int" in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else if ("float" in a) {
    w.float(2, a.float);
    w.int(20, 1);
  } else if ("ints" in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else {
    w.message(5, (m) => writeTensor(m, a.tensor));
    w.int(20, 4);
  }
}

// ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.type);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
      });
    })
  );
}

/**
 * Encodes an ONNX model as protobuf bytes (ModelProto, IR version 8), ready for `InferenceSession.create(bytes)`.
 *
 * @throws {RangeError} when a tensor's data does not match its dims
 * @example
 * const bytes = encodeOnnxModel({ name: "add", opset: 17, nodes: [{ op: "Add", inputs: ["a", "b"], outputs: ["c"] }],
 *   initializers: [], inputs: [a, b], outputs: [c] });
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, "longpo-ts"); // producer_name
  // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
  w.message(7, (g) => {
    model.nodes.forEach((n, i) => {
      g.message(1, (m) => {
        for (const s of n.inputs) m.string(1, s);
        for (const s of n.outputs) m.string(2, s);
        m.string(3, `${n.op}_${i}`);
        m.string(4, n.op);
        for (const a of n.attributes ?? []) m.message(5, (am) => writeAttribute(am, a));
        if (n.domain !== undefined) m.string(7, n.domain);
      });
    });
    g.string(2, model.name);
    for (const t of model.initializers) g.message(5, (m) => writeTensor(m, t));
    for (const v of model.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of model.outputs) g.message(12, (m) => writeValueInfo(m, v));
  });
  // OperatorSetIdProto: domain 1 ("" = ai.onnx), version 2.
  w.message(8, (o) => {
    o.string(1, "");
    o.int(2, model.opset);
  });
  for (const [domain, version] of Object.entries(model.extraOpsets ?? {})) {
    w.message(8, (o) => {
      o.string(1, domain);
      o.int(2, version);
    });
  }
  return w.finish();
}
