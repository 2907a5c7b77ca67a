// How long does @longpo/eval take to generate long-context examples in a real tokenizer's tokens, and to score answers?
// Run: npx bun bench/eval.bench.ts   (also: npx deno run -A bench/eval.bench.ts)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Bench } from "tinybench";
import { Haystack, loadTransformersTokenizer, niahTask, qaF1, rougeL, type Tokenizer } from "@longpo/eval";

const ASSETS = join(import.meta.dirname, "..", "..", "shared", "assets");
const PHI3 = join(ASSETS, "tokenizers", "phi-3-mini");
const SHAKESPEARE = join(ASSETS, "haystack", "tinyshakespeare.txt");
if (!existsSync(join(PHI3, "tokenizer.json")) || !existsSync(SHAKESPEARE)) {
  throw new Error(`Cannot run the eval bench: it needs ${PHI3} and ${SHAKESPEARE}`);
}
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : "Node";
console.log(`# eval bench: ${runtime}, backend: none (plain JS, no tensors), tokenizer phi-3-mini via transformers.js`);

const phi3 = await loadTransformersTokenizer(PHI3);
let encodes = 0;
let encodedTokens = 0;
const counting: Tokenizer = {
  encode: (t) => {
    const ids = phi3.encode(t);
    encodes++;
    encodedTokens += ids.length;
    return ids;
  },
  decode: (ids) => phi3.decode(ids),
};
const haystack = new Haystack(readFileSync(SHAKESPEARE, "utf8"), "tinyshakespeare");

// one NIAH example per length: how many whole-prompt tokenisations does sizing need, and how long does it take?
for (const length of [4096, 16384, 32768]) {
  encodes = 0;
  encodedTokens = 0;
  const t0 = performance.now();
  const [ex] = [...niahTask({ tokenizer: counting, lengths: [length], depths: [50], haystack, seed: 1 }).examples()];
  const ms = performance.now() - t0;
  console.log(
    `niah_single ${length} tokens: ${ms.toFixed(0)} ms, ${encodes} encode calls (${encodedTokens} tokens encoded), prompt ${ex?.metadata.tokens} tokens`,
  );
}

const bench = new Bench({ time: 1000, warmup: true });
const pred = "The special magic number for the amber falcon mentioned in the provided text is 1234567 and 7654321";
const refs = ["1234567", "the amber falcon number is 1234567 in the text"];
bench.add("qaF1, 1 prediction vs 2 references", () => {
  qaF1(pred, refs);
});
bench.add("rougeL, 1 prediction vs 2 references", () => {
  rougeL(pred, refs);
});
await bench.run();
console.log("| task | mean µs | p99 µs | samples |");
console.log("|---|---:|---:|---:|");
for (const t of bench.tasks) {
  const r = t.result as { latency?: { mean: number; p99?: number; samples?: number[]; samplesCount?: number } } | undefined;
  const lat = r?.latency;
  console.log(`| ${t.name} | ${((lat?.mean ?? 0) * 1000).toFixed(2)} | ${((lat?.p99 ?? 0) * 1000).toFixed(2)} | ${lat?.samplesCount ?? lat?.samples?.length ?? 0} |`);
}
