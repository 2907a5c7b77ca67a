// What does @longpo/prefgen cost beyond the model? (1) pipeline overhead per pair with an instant in-process model,
// model time subtracted; (2) requests/s of the HTTP adapter at concurrency 32 against a local OpenAI-compatible server.
// Run: npx bun bench/prefgen.bench.ts   (also: npx deno run -A bench/prefgen.bench.ts)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { createWordTokenizer } from "@longpo/compress";
import { createOpenAIModel, runPipeline, type GenerateRequest, type Generator, type Scorer } from "@longpo/prefgen";

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun ? `Bun ${g.Bun.version}` : g.Deno ? `Deno ${g.Deno.version.deno}` : `Node ${globalThis.process?.version}`;
console.log(`# prefgen bench: ${runtime}, backend: none (plain JS, no tensors); machine shared, timings noisy`);

// An instant model: numbered questions when asked for questions, a fixed-shape answer otherwise; its time is measured.
let modelMs = 0;
const answer = (r: GenerateRequest): string => {
  const last = r.messages.at(-1)?.content ?? "";
  if (last.includes("Write four questions")) return "1: Why did the crew sail?\n2: How do the captain and the mate differ?\n3: What can be inferred about the storm?\n4: Summarise the argument of the ledger.";
  return `The passage of ${last.length} characters suggests the crew sailed because the captain insisted, while the mate doubted the chart.`;
};
const instant: Generator & Scorer = {
  name: "instant",
  async generate(requests) {
    const t = performance.now();
    const out = requests.map((r) => ({ text: answer(r), finishReason: "stop" as const, promptTokens: r.messages[0]!.content.length >> 2, completionTokens: 24 }));
    modelMs += performance.now() - t;
    return out;
  },
  async score(items) {
    const t = performance.now();
    const out = items.map((i) => ({ logprob: -0.5 * i.completion.length, tokens: i.completion.length >> 2 }));
    modelMs += performance.now() - t;
    return out;
  },
};

const WORDS = ["captain", "mate", "storm", "chart", "ledger", "harbour", "lantern", "sailed", "doubted", "counted", "the", "a", "of"];
function writeDocs(dir: string, docs: number, paragraphs: number): void {
  mkdirSync(dir, { recursive: true });
  let k = 7;
  const word = () => WORDS[(k = (k * 1103515245 + 12345) % 2147483648) % WORDS.length]!;
  for (let d = 0; d < docs; d += 1) {
    const text = Array.from({ length: paragraphs }, () => Array.from({ length: 80 }, word).join(" ") + ".").join("\n\n");
    writeFileSync(join(dir, `doc-${d}.txt`), text);
  }
}

const cases = [
  { name: "short docs (40 docs × ~2.4K tokens, 300-token chunks)", docs: 40, paragraphs: 30, maxTokens: 300 },
  { name: "long docs (8 docs × ~16K tokens, 2K-token chunks)", docs: 8, paragraphs: 200, maxTokens: 2000 },
];
const root = mkdtempSync(join(tmpdir(), "prefgen-bench-"));
const overhead: string[] = [];
for (const c of cases) {
  const docs = join(root, `docs-${c.docs}-${c.paragraphs}`);
  writeDocs(docs, c.docs, c.paragraphs);
  let runs = 0;
  let pairs = 0;
  let totalMs = 0;
  let cpuMs = 0;
  modelMs = 0;
  const bench = new Bench({ iterations: 5, time: 0, warmup: false });
  bench.add(`pipeline: ${c.name}`, async () => {
    const outDir = join(root, `out-${runs++}`);
    const t = performance.now();
    const cpu = process.cpuUsage();
    const { filter } = await runPipeline({ documents: docs, outDir, tokenizer: createWordTokenizer(), chunk: { maxTokens: c.maxTokens }, generator: instant, scorer: instant, seed: 1, progress: false });
    totalMs += performance.now() - t;
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    pairs += filter.kept;
    rmSync(outDir, { recursive: true, force: true });
  });
  await bench.run();
  const perPair = (totalMs - modelMs) / pairs;
  const cpuPerPair = (cpuMs - modelMs) / pairs;
  overhead.push(`| ${c.name} | ${(pairs / runs).toFixed(0)} | ${(totalMs / runs).toFixed(1)} | ${(modelMs / runs).toFixed(2)} | ${perPair.toFixed(3)} | ${cpuPerPair.toFixed(3)} |`);
}
console.log("\n| pipeline case | pairs per run | wall ms per run | model ms per run | overhead wall ms per pair | overhead CPU ms per pair |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const line of overhead) console.log(line);

// A minimal OpenAI-compatible chat endpoint in this process: a fixed 40-token answer after a 5 ms "model" delay.
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "word ".repeat(40) }, finish_reason: "stop" }], usage: { prompt_tokens: body.length >> 2, completion_tokens: 40 } }));
    }, 5);
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const REQUESTS = 512;
const request: GenerateRequest = { messages: [{ role: "user", content: "lorem ipsum ".repeat(200) }], sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64 } };
const http = new Bench({ iterations: 5, time: 0, warmup: true, warmupIterations: 1 });
for (const concurrency of [1, 32]) {
  const model = createOpenAIModel({ baseURL: url, model: "bench", concurrency });
  const n = concurrency === 1 ? 64 : REQUESTS;
  http.add(`HTTP generate, concurrency ${concurrency}, ${n} requests, 5 ms server delay`, async () => {
    await model.generate(Array.from({ length: n }, () => request));
  });
}
await http.run();
console.log("\n| HTTP task | mean ms per batch | requests/s |");
console.log("|---|---:|---:|");
for (const task of http.tasks) {
  const r = task.result;
  if (r.state !== "completed") continue;
  const n = Number(/(\d+) requests/.exec(task.name)?.[1]);
  console.log(`| ${task.name} | ${r.latency.mean.toFixed(1)} | ${((n * 1000) / r.latency.mean).toFixed(0)} |`);
}
server.close();
(server as { closeAllConnections?: () => void }).closeAllConnections?.();
rmSync(root, { recursive: true, force: true });
