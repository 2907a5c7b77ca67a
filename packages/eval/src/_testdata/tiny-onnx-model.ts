// A real ONNX bigram model (Gather + MatMul) and a word-level tokenizer, written to a folder for transformers.js.
// Next-token logits depend only on the current token, so every log-prob can be worked out by hand.
// (prefgen's tests carry a similar fixture; packages may not import each other's test files.)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// protobuf wire format: varints, tagged fields, length-delimited bytes
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const field = (n: number, wire: number): number[] => varint(n * 8 + wire);
const num = (n: number, v: number): number[] => [...field(n, 0), ...varint(v)];
const raw = (n: number, b: ArrayLike<number>): number[] => [...field(n, 2), ...varint(b.length), ...Array.from(b)];
const txt = (n: number, s: string): number[] => raw(n, new TextEncoder().encode(s));

// ONNX ModelProto pieces (onnx.proto field numbers)
const ELEM_FLOAT = 1;
const ELEM_INT64 = 7;
const opNode = (inputs: string[], output: string, op: string): number[] =>
  raw(1, [...inputs.flatMap((i) => txt(1, i)), ...txt(2, output), ...txt(3, op.toLowerCase()), ...txt(4, op)]);
const weight = (name: string, dims: number[], data: Float32Array): number[] =>
  raw(5, [...dims.flatMap((d) => num(1, d)), ...num(2, ELEM_FLOAT), ...txt(8, name), ...raw(9, new Uint8Array(data.buffer))]);
const io = (n: number, name: string, elem: number, dims: (number | string)[]): number[] =>
  raw(n, [...txt(1, name), ...raw(2, raw(1, [...num(1, elem), ...raw(2, dims.flatMap((d) => raw(1, typeof d === "number" ? num(1, d) : txt(2, d))))]))]);

/** The chat template: "<s> <user> TEXT <assistant>" (generation prompt "<assistant>"). */
const CHAT_TEMPLATE =
  "{{ bos_token }} {% for m in messages %}{% if m['role'] == 'user' %}<user> {{ m['content'] }} {% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}<assistant>{% endif %}";

/**
 * Writes config, tokenizer and `onnx/model.onnx` of a bigram model over `vocab` (which must start with
 * `<pad> <s> </s> <user> <assistant>`): logits[to] after token `from` is `bigrams[from][to]`, else 0.
 */
export function writeTinyOnnxModel(dir: string, vocab: readonly string[], bigrams: Record<string, Record<string, number>>): void {
  const V = vocab.length;
  const id = (t: string): number => {
    const i = vocab.indexOf(t);
    if (i < 0) throw new RangeError(`Cannot write the tiny model: ${t} must be in the vocabulary`);
    return i;
  };
  const oneHot = new Float32Array(V * V);
  for (let i = 0; i < V; i++) oneHot[i * V + i] = 1;
  const table = new Float32Array(V * V);
  for (const [from, row] of Object.entries(bigrams)) for (const [to, l] of Object.entries(row)) table[id(from) * V + id(to)] = l;
  const graph = [
    ...opNode(["embedding", "input_ids"], "hidden", "Gather"),
    ...opNode(["hidden", "table"], "logits", "MatMul"),
    ...txt(2, "tiny-bigram"),
    ...weight("embedding", [V, V], oneHot),
    ...weight("table", [V, V], table),
    ...io(11, "input_ids", ELEM_INT64, ["batch", "sequence"]),
    ...io(11, "attention_mask", ELEM_INT64, ["batch", "sequence"]),
    ...io(12, "logits", ELEM_FLOAT, ["batch", "sequence", V]),
  ];
  mkdirSync(join(dir, "onnx"), { recursive: true });
  writeFileSync(join(dir, "onnx", "model.onnx"), new Uint8Array([...num(1, 7), ...raw(7, graph), ...raw(8, [...txt(1, ""), ...num(2, 13)])]));
  const [pad, bos, eos] = [id("<pad>"), id("<s>"), id("</s>")];
  const json = (name: string, value: unknown) => writeFileSync(join(dir, name), JSON.stringify(value));
  json("config.json", {
    model_type: "llama",
    architectures: ["LlamaForCausalLM"],
    vocab_size: V,
    hidden_size: V,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    bos_token_id: bos,
    eos_token_id: eos,
    pad_token_id: pad,
  });
  json("generation_config.json", { bos_token_id: bos, eos_token_id: eos, pad_token_id: pad });
  json("tokenizer.json", {
    version: "1.0",
    added_tokens: vocab.slice(0, 5).map((content, i) => ({ id: i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), unk_token: "<pad>" },
  });
  json("tokenizer_config.json", {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: "<s>",
    eos_token: "</s>",
    pad_token: "<pad>",
    unk_token: "<pad>",
    chat_template: CHAT_TEMPLATE,
  });
}
