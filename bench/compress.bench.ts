// How long does @longpo/compress take to chunk a 128K-token document and pick chunks with BM25 (tokenisation aside)?
// Run: npx bun bench/compress.bench.ts   (also: npx deno run -A bench/compress.bench.ts)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { Bench } from "tinybench";
import {
  adaptTransformersTokenizer,
  chunkTokenized,
  selectByBm25,
  type TokenizedDocument,
  tokenStarts,
} from "@longpo/compress";

const TARGET_TOKENS = 128 * 1024;
const ASSETS = join(import.meta.dirname, "..", "..", "shared", "assets");
const PHI3 = join(ASSETS, "tokenizers", "phi-3-mini");
const SHAKESPEARE = join(ASSETS, "haystack", "tinyshakespeare.txt");
if (!existsSync(join(PHI3, "tokenizer.json")) || !existsSync(SHAKESPEARE)) {
  console.error(`compress bench needs ${PHI3} and ${SHAKESPEARE}`);
  throw new Error("Cannot run the compress bench: shared assets are missing");
}

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun
  ? `Bun ${g.Bun.version}`
  : g.Deno
  ? `Deno ${g.Deno.version.deno}`
  : `Node ${globalThis.process?.version}`;
console.log(
  `# compress bench: ${runtime}, backend: none (plain JS, no tensors), tokenizer phi-3-mini via transformers.js`,
);

env.allowRemoteModels = false;
const tokenizer = adaptTransformersTokenizer(await AutoTokenizer.from_pretrained(PHI3));
// ~3.1 characters per token on this text: 420,000 characters give a little more than 128K tokens; cut to 128K.
const source = readFileSync(SHAKESPEARE, "utf8").slice(0, 420_000);

let t0 = performance.now();
const allIds = tokenizer.encode(source);
const encodeMs = performance.now() - t0;
t0 = performance.now();
const allStarts = tokenStarts(source, allIds, tokenizer);
const offsetsMs = performance.now() - t0;
if (allIds.length < TARGET_TOKENS) throw new Error(`Cannot bench: only ${allIds.length} tokens, need ${TARGET_TOKENS}`);
const doc: TokenizedDocument = {
  text: source.slice(0, allStarts[TARGET_TOKENS]),
  ids: allIds.slice(0, TARGET_TOKENS),
  starts: allStarts.slice(0, TARGET_TOKENS),
};
console.log(
  `document: ${doc.ids.length} tokens, ${doc.text.length} characters; tokenisation (once, not in the timings below): ` +
    `encode ${encodeMs.toFixed(0)} ms for ${allIds.length} tokens, token offsets ${offsetsMs.toFixed(0)} ms`,
);

const query = "Who killed the king, and what does the queen say of it?";
const cases = [
  { maxTokens: 4096, budget: 8192 },
  { maxTokens: 512, budget: 4096 },
];
const bench = new Bench({ time: 2000, warmup: true });
for (const { maxTokens, budget } of cases) {
  const chunks = chunkTokenized(doc, { maxTokens });
  const label = `maxTokens ${maxTokens} (${chunks.length} chunks), budget ${budget}`;
  bench.add(`chunk: ${label}`, () => {
    chunkTokenized(doc, { maxTokens });
  });
  bench.add(`BM25 select: ${label}`, () => {
    selectByBm25(chunks, query, { budget });
  });
  bench.add(`chunk + BM25 select: ${label}`, () => {
    selectByBm25(chunkTokenized(doc, { maxTokens }), query, { budget });
  });
}
bench.add("token offsets only (part of tokenisation): 128K tokens", () => {
  tokenStarts(doc.text, doc.ids, tokenizer);
});
await bench.run();

console.log("| task | mean ms | p50 ms | p99 ms | min ms | samples |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const task of bench.tasks) {
  const r = task.result;
  if (r.state !== "completed") {
    console.log(`| ${task.name} | ${r.state} | | | | |`);
    continue;
  }
  const l = r.latency;
  console.log(
    `| ${task.name} | ${l.mean.toFixed(2)} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} | ${
      l.min.toFixed(2)
    } | ${l.samplesCount} |`,
  );
}
