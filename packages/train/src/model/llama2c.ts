// llama2.c import: a legacy-format model .bin and tokenizer .bin become a Hugging Face checkpoint folder.
// Layout facts: ../shared/assets/SOURCES.md and karpathy/llama2.c (run.c, export.py, tokenizer.py).

import { readFile } from "node:fs/promises";
import { saveCheckpoint } from "./checkpoint.ts";
import { CheckpointError } from "./checkpoint-error.ts";
import type { ModelConfig, WeightMap } from "./config.ts";
import type { SafetensorsWriteDtype } from "./safetensors.ts";

const HEADER_INTS = 7;
/** The first int32 of llama2.c's versioned exports ("ak42"), which this reader does not handle. */
const VERSIONED_MAGIC = 0x616b3432;

/** llama2.c's tokenizer: pieces (text, with spaces, not "▁") and their merge scores, by id. */
export interface Llama2cTokenizer {
  maxTokenLength: number;
  pieces: string[];
  scores: Float32Array;
}

/**
 * Reorders the rows of a q or k projection from llama2.c's RoPE layout, which rotates adjacent pairs (x0,x1),
 * (x2,x3)…, to Hugging Face's, which rotates halves (x_i, x_{i+d/2}): within each head, row 2i+j moves to
 * j·d/2 + i (transformers' convert_llama_weights_to_hf.py `permute`).
 *
 * @param w (numHeads·headDim, cols) row-major.
 * @returns A new (numHeads·headDim, cols) array.
 */
export function adjacentPairsToHalves(w: Float32Array, numHeads: number, headDim: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let h = 0; h < numHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h * headDim + 2 * i + j) * cols;
        const dst = (h * headDim + j * half + i) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/**
 * Reads a llama2.c legacy model file: seven int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
 * seq_len; vocab_size < 0 means an unshared classifier) then float32 arrays, and returns its Hugging Face config and
 * weights (q/k rows permuted for rotate-half RoPE; w1 → gate_proj, w3 → up_proj, w2 → down_proj).
 *
 * @param bytes The whole file.
 * @param file Its name, for errors.
 * @throws {CheckpointError} when the header is invalid or the file size does not match it.
 */
export function readLlama2cModel(bytes: Uint8Array, file: string): { config: ModelConfig; weights: WeightMap } {
  const fail = (problem: string): never => {
    throw new CheckpointError(file, problem);
  };
  if (bytes.byteLength < 4 * HEADER_INTS) fail(`the file must start with 7 int32 header fields, got ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = Array.from({ length: HEADER_INTS }, (_, i) => view.getInt32(4 * i, true));
  if (view.getUint32(0, true) === VERSIONED_MAGIC) {
    fail("it is a versioned llama2.c export (magic ak42); only the legacy format is supported");
  }
  const [dim, hiddenDim, numLayers, numHeads, numKvHeads, signedVocab, seqLen] = header as [
    number, number, number, number, number, number, number,
  ];
  const vocabSize = Math.abs(signedVocab);
  const shared = signedVocab > 0;
  for (const [name, value] of [["dim", dim], ["hidden_dim", hiddenDim], ["n_layers", numLayers], ["n_heads", numHeads],
    ["n_kv_heads", numKvHeads], ["vocab_size", vocabSize], ["seq_len", seqLen]] as const) {
    if (!(value > 0)) fail(`header field ${name} must be positive, got ${value}`);
  }
  if (dim % numHeads !== 0) fail(`header field n_heads ${numHeads} must divide dim ${dim}`);
  if (numHeads % numKvHeads !== 0) fail(`header field n_kv_heads ${numKvHeads} must divide n_heads ${numHeads}`);
  const headDim = dim / numHeads;
  if (headDim % 2 !== 0) fail(`the head size dim/n_heads must be even, got ${headDim}`);
  const kvDim = numKvHeads * headDim;

  const sizes: [string, number][] = [
    ["token_embedding", vocabSize * dim],
    ["rms_att", numLayers * dim],
    ["wq", numLayers * dim * dim],
    ["wk", numLayers * kvDim * dim],
    ["wv", numLayers * kvDim * dim],
    ["wo", numLayers * dim * dim],
    ["rms_ffn", numLayers * dim],
    ["w1", numLayers * hiddenDim * dim],
    ["w2", numLayers * dim * hiddenDim],
    ["w3", numLayers * hiddenDim * dim],
    ["rms_final", dim],
    ["freq_cis", seqLen * headDim], // real and imaginary tables, seqLen·headDim/2 each: skipped
    ...(shared ? [] : [["wcls", vocabSize * dim] as [string, number]]),
  ];
  const floats = sizes.reduce((total, [, n]) => total + n, 0);
  const expectedBytes = 4 * HEADER_INTS + 4 * floats;
  if (expectedBytes !== bytes.byteLength) {
    fail(`the header (${header.join(", ")}) implies ${expectedBytes} bytes, but the file has ${bytes.byteLength}`);
  }
  const all = new Float32Array(floats);
  new Uint8Array(all.buffer).set(bytes.subarray(4 * HEADER_INTS)); // little-endian, as llama2.c writes it
  const arrays = new Map<string, Float32Array>();
  let offset = 0;
  for (const [name, n] of sizes) {
    arrays.set(name, all.subarray(offset, offset + n));
    offset += n;
  }
  const get = (name: string) => arrays.get(name) as Float32Array;
  const layer = (name: string, l: number, n: number) => get(name).slice(l * n, (l + 1) * n);

  const weights: WeightMap = new Map();
  weights.set("model.embed_tokens.weight", { shape: [vocabSize, dim], data: get("token_embedding").slice() });
  for (let l = 0; l < numLayers; l++) {
    const p = `model.layers.${l}`;
    const wq = adjacentPairsToHalves(layer("wq", l, dim * dim), numHeads, headDim, dim);
    const wk = adjacentPairsToHalves(layer("wk", l, kvDim * dim), numKvHeads, headDim, dim);
    weights.set(`${p}.self_attn.q_proj.weight`, { shape: [dim, dim], data: wq });
    weights.set(`${p}.self_attn.k_proj.weight`, { shape: [kvDim, dim], data: wk });
    weights.set(`${p}.self_attn.v_proj.weight`, { shape: [kvDim, dim], data: layer("wv", l, kvDim * dim) });
    weights.set(`${p}.self_attn.o_proj.weight`, { shape: [dim, dim], data: layer("wo", l, dim * dim) });
    weights.set(`${p}.mlp.gate_proj.weight`, { shape: [hiddenDim, dim], data: layer("w1", l, hiddenDim * dim) });
    weights.set(`${p}.mlp.down_proj.weight`, { shape: [dim, hiddenDim], data: layer("w2", l, dim * hiddenDim) });
    weights.set(`${p}.mlp.up_proj.weight`, { shape: [hiddenDim, dim], data: layer("w3", l, hiddenDim * dim) });
    weights.set(`${p}.input_layernorm.weight`, { shape: [dim], data: layer("rms_att", l, dim) });
    weights.set(`${p}.post_attention_layernorm.weight`, { shape: [dim], data: layer("rms_ffn", l, dim) });
  }
  weights.set("model.norm.weight", { shape: [dim], data: get("rms_final").slice() });
  if (!shared) weights.set("lm_head.weight", { shape: [vocabSize, dim], data: get("wcls").slice() });

  const config: ModelConfig = {
    architecture: "llama",
    vocabSize,
    hiddenSize: dim,
    intermediateSize: hiddenDim,
    numLayers,
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: 1e-5, // llama2.c's rmsnorm
    ropeTheta: 10000, // llama2.c's RoPE base
    ropeScaling: null,
    maxPositionEmbeddings: seqLen,
    tieWordEmbeddings: shared,
    attentionBias: false,
    slidingWindow: null,
    bosTokenId: 1,
    eosTokenIds: [2],
    padTokenId: null,
  };
  return { config, weights };
}

/**
 * Reads a llama2.c tokenizer file: int32 max_token_length, then per piece float32 score, int32 byte length and the
 * UTF-8 bytes. The file does not store the vocabulary size; the model's is used.
 *
 * @throws {CheckpointError} when the file is too short, too long or holds invalid pieces.
 */
export function readLlama2cTokenizer(bytes: Uint8Array, vocabSize: number, file: string): Llama2cTokenizer {
  const fail = (problem: string): never => {
    throw new CheckpointError(file, problem);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) fail("the file must start with an int32 max_token_length");
  const maxTokenLength = view.getInt32(0, true);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const pieces: string[] = [];
  const scores = new Float32Array(vocabSize);
  let p = 4;
  for (let id = 0; id < vocabSize; id++) {
    if (p + 8 > bytes.byteLength) fail(`the file ends at piece ${id} of ${vocabSize}`);
    scores[id] = view.getFloat32(p, true);
    const length = view.getInt32(p + 4, true);
    p += 8;
    if (length < 0 || p + length > bytes.byteLength) fail(`piece ${id} has an invalid byte length ${length}`);
    try {
      pieces.push(decoder.decode(bytes.subarray(p, p + length)));
    } catch {
      fail(`piece ${id} is not valid UTF-8`);
    }
    p += length;
  }
  if (p !== bytes.byteLength) fail(`the file has ${bytes.byteLength - p} bytes after ${vocabSize} pieces`);
  const seen = new Set<string>();
  for (const [id, piece] of pieces.entries()) {
    if (seen.has(piece)) fail(`piece ${id} ${JSON.stringify(piece)} appears twice`);
    seen.add(piece);
  }
  return { maxTokenLength, pieces, scores };
}

/** llama2.c writes the special pieces with newlines around them ("\n<s>\n"); Hugging Face names them plainly. */
const SPECIAL_PIECES: Record<number, string> = { 0: "<unk>", 1: "<s>", 2: "</s>" };
const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/;

/** A simple chat template for models without one; every turn ends in a newline, so a turn boundary never merges. */
export const LLAMA2C_CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}" +
  "{{ message['role'] + ':\\n' + message['content'] + '\\n' }}" +
  "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'assistant:\\n' }}{% endif %}";

/**
 * Builds Hugging Face `tokenizer.json` and `tokenizer_config.json` contents equivalent to llama2.c's encoder: a
 * SentencePiece-style BPE with byte fallback whose merges are every split (a, b) of every piece a+b, ranked by the
 * piece's score, so that the lowest-rank merge is the highest-scoring pair, as llama2.c's `encode` picks it.
 *
 * @param tokenizer The llama2.c tokenizer.
 * @param modelMaxLength The model's context length.
 */
export function llama2cTokenizerFiles(
  tokenizer: Llama2cTokenizer,
  modelMaxLength: number,
): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const names = tokenizer.pieces.map((piece, id) => SPECIAL_PIECES[id] ?? piece.replaceAll(" ", "▁"));
  const vocab: Record<string, number> = {};
  for (const [id, name] of names.entries()) vocab[name] = id;

  const mergeable = (id: number) => SPECIAL_PIECES[id] === undefined && !BYTE_PIECE.test(names[id] as string);
  const merges: { left: string; right: string; score: number; id: number; split: number }[] = [];
  for (const [id, name] of names.entries()) {
    if (!mergeable(id)) continue;
    const chars = Array.from(name);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join("");
      const right = chars.slice(k).join("");
      const l = vocab[left];
      const r = vocab[right];
      if (l !== undefined && r !== undefined && mergeable(l) && mergeable(r)) {
        merges.push({ left, right, score: tokenizer.scores[id] as number, id, split: k });
      }
    }
  }
  merges.sort((a, b) => b.score - a.score || a.id - b.id || a.split - b.split);

  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizerJson = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    // llama2.c's "dummy prefix": a space before non-empty text; spaces are "▁" inside pieces
    normalizer: {
      type: "Sequence",
      normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }],
    },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "<s>", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "<s>", type_id: 1 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: "▁" }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        { type: "Strip", content: " ", start: 1, stop: 0 },
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: "<unk>",
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: merges.map((m) => `${m.left} ${m.right}`),
    },
  };
  const tokenizerConfig = {
    tokenizer_class: "LlamaTokenizer",
    add_bos_token: true,
    add_eos_token: false,
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: "<unk>",
    pad_token: null,
    legacy: true,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    chat_template: LLAMA2C_CHAT_TEMPLATE,
  };
  return { tokenizerJson, tokenizerConfig };
}

/** Options of `convertLlama2c`. */
export interface ConvertLlama2cOptions {
  /** llama2.c legacy model file (e.g. stories260K.bin). */
  modelPath: string;
  /** llama2.c tokenizer file (e.g. tok512.bin). */
  tokenizerPath: string;
  /** Folder to write (replaced whole if it exists). */
  outDir: string;
  /** Weight storage dtype; default F32 (exact). */
  dtype?: SafetensorsWriteDtype;
}

/**
 * Converts a llama2.c model and tokenizer into a Hugging Face folder: `config.json` (model_type llama),
 * `model.safetensors`, `tokenizer.json` and `tokenizer_config.json` (bos `<s>` = 1, eos `</s>` = 2, a simple chat
 * template). The folder loads with `loadCheckpoint` and `loadTokenizer`.
 *
 * @returns The converted config.
 * @throws {CheckpointError} naming the input file at fault.
 * @example
 * await convertLlama2c({ modelPath: "stories260K.bin", tokenizerPath: "tok512.bin", outDir: "out/stories260K" });
 */
export async function convertLlama2c(options: ConvertLlama2cOptions): Promise<{ config: ModelConfig }> {
  const read = async (path: string) => {
    try {
      return await readFile(path);
    } catch (cause) {
      throw new CheckpointError(path, `the file cannot be read: ${(cause as Error).message}`, { cause });
    }
  };
  const { config, weights } = readLlama2cModel(await read(options.modelPath), options.modelPath);
  const tokenizer = readLlama2cTokenizer(await read(options.tokenizerPath), config.vocabSize, options.tokenizerPath);
  const { tokenizerJson, tokenizerConfig } = llama2cTokenizerFiles(tokenizer, config.maxPositionEmbeddings);
  await saveCheckpoint(options.outDir, { config, weights }, {
    dtype: options.dtype ?? "F32",
    extraFiles: {
      "tokenizer.json": JSON.stringify(tokenizerJson),
      "tokenizer_config.json": JSON.stringify(tokenizerConfig, null, 2) + "\n",
    },
  });
  return { config };
}
