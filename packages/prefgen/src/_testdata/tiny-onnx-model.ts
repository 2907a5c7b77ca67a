// Writes a tiny bigram "language model" as a real ONNX file plus a Hugging Face word-level tokenizer with a chat
// template, so transformers.js can load it offline from a folder. Next-token logits depend on the current token
// only (logits = W[token]), which makes every log-prob computable by hand.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// --- a minimal protobuf writer, enough for ONNX's ModelProto ---
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: Uint8Array | number[]) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);
const msg = (field: number, parts: number[]) => bytes(field, parts);

const FLOAT = 1;
const INT64 = 7;
type Dim = number | string;
const valueInfo = (field: number, name: string, elemType: number, dims: Dim[]) =>
  msg(field, [
    ...str(1, name),
    ...msg(2, msg(1, [...int(1, elemType), ...msg(2, dims.flatMap((d) => msg(1, typeof d === "number" ? int(1, d) : str(2, d))))])),
  ]);
const tensor = (field: number, name: string, dims: number[], data: Float32Array) =>
  msg(field, [...dims.flatMap((d) => int(1, d)), ...int(2, FLOAT), ...str(8, name), ...bytes(9, new Uint8Array(data.buffer))]);
const node = (inputs: string[], outputs: string[], name: string, op: string) =>
  msg(1, [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(3, name), ...str(4, op)]);

/** The tiny model's vocabulary and its bigram logits. */
export interface TinyModelSpec {
  /** Tokens in id order; must include `<pad>`, `<s>`, `</s>`, `<user>`, `<assistant>`. */
  vocab: string[];
  /** `logits[from][to]` for the listed pairs; every other logit is 0. */
  logits: Record<string, Record<string, number>>;
}

/** The chat template: `<s> <user> TEXT <assistant> ANSWER </s>`, generation prompt `<assistant>`. */
export const TINY_CHAT_TEMPLATE =
  "{{ bos_token }} {% for m in messages %}{% if m['role'] == 'user' %}<user> {{ m['content'] }} " +
  "{% elif m['role'] == 'assistant' %}<assistant> {{ m['content'] }} {{ eos_token }} {% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}<assistant>{% endif %}";

/** Write `config.json`, `generation_config.json`, `tokenizer.json`, `tokenizer_config.json` and `onnx/model.onnx`. */
export function writeTinyModel(dir: string, spec: TinyModelSpec): void {
  const V = spec.vocab.length;
  const id = (t: string) => {
    const i = spec.vocab.indexOf(t);
    if (i === -1) throw new RangeError(`Cannot build the tiny model: token ${t} must be in the vocabulary`);
    return i;
  };
  const embedding = new Float32Array(V * V);
  for (let i = 0; i < V; i += 1) embedding[i * V + i] = 1; // one-hot rows
  const weights = new Float32Array(V * V);
  for (const [from, row] of Object.entries(spec.logits)) for (const [to, logit] of Object.entries(row)) weights[id(from) * V + id(to)] = logit;
  const graph = [
    ...node(["embedding", "input_ids"], ["hidden"], "gather", "Gather"),
    ...node(["hidden", "weights"], ["logits"], "matmul", "MatMul"),
    ...str(2, "tiny-bigram"),
    ...tensor(5, "embedding", [V, V], embedding),
    ...tensor(5, "weights", [V, V], weights),
    ...valueInfo(11, "input_ids", INT64, ["batch_size", "sequence_length"]),
    ...valueInfo(11, "attention_mask", INT64, ["batch_size", "sequence_length"]),
    ...valueInfo(12, "logits", FLOAT, ["batch_size", "sequence_length", V]),
  ];
  const model = [...int(1, 7), ...str(2, "longpo-prefgen-test"), ...msg(7, graph), ...msg(8, [...str(1, ""), ...int(2, 13)])];
  mkdirSync(join(dir, "onnx"), { recursive: true });
  writeFileSync(join(dir, "onnx", "model.onnx"), new Uint8Array(model));

  const specials = ["<pad>", "<s>", "</s>", "<user>", "<assistant>"];
  const ids = { pad: id("<pad>"), bos: id("<s>"), eos: id("</s>") };
  writeFileSync(join(dir, "config.json"), JSON.stringify({
    model_type: "llama", architectures: ["LlamaForCausalLM"], vocab_size: V, hidden_size: V, intermediate_size: V,
    num_hidden_layers: 1, num_attention_heads: 1, num_key_value_heads: 1, max_position_embeddings: 512,
    bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad,
  }));
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad }));
  const added = specials.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({
    version: "1.0", truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" }, post_processor: null, decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(spec.vocab.map((t, i) => [t, i])), unk_token: "<pad>" },
  }));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({
    tokenizer_class: "PreTrainedTokenizerFast", bos_token: "<s>", eos_token: "</s>", pad_token: "<pad>", unk_token: "<pad>",
    add_bos_token: false, add_eos_token: false, clean_up_tokenization_spaces: false, model_max_length: 512, chat_template: TINY_CHAT_TEMPLATE,
  }));
}
