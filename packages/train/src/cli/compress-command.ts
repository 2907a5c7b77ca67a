// `longpo compress`: split a document into token-bounded chunks with the model's tokenizer (JSONL out).
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@longpo/io";
import { chunkDocument, type ChunkUnits } from "@longpo/compress";
import { loadTokenizer } from "../model/tokenizer.ts";
import { type CommandSpec, num, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { requireFile, requireFolder } from "./open-model.ts";

export const compressSpec: CommandSpec = {
  name: "compress",
  summary: "split a long document into chunks of at most N tokens (whole paragraphs where possible)",
  options: {
    model: { kind: "string", required: true, description: "model folder whose tokenizer counts the tokens" },
    input: { kind: "string", required: true, description: "text file to split" },
    out: { kind: "string", required: true, description: "JSONL file of chunks ({ index, start, end, tokens, text })" },
    "max-tokens": { kind: "integer", required: true, min: 1, description: "most tokens per chunk" },
    overlap: { kind: "integer", default: 0, description: "tokens repeated from the previous chunk" },
    units: { kind: "string", default: "paragraph", description: "what to keep whole: paragraph, markdown, latex or sentence" },
  },
};

/** `longpo compress`. */
export async function compressCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, compressSpec);
  await requireFolder(str(args, "model"), "model");
  await requireFile(str(args, "input"), "document");
  const units = str(args, "units");
  if (!["paragraph", "markdown", "latex", "sentence"].includes(units)) {
    throw new InputError(`Cannot compress: --units must be paragraph, markdown, latex or sentence, got "${units}"`);
  }
  const tok = await loadTokenizer(str(args, "model"));
  const text = await readFile(str(args, "input"), "utf8");
  const chunks = chunkDocument(text, tok, { maxTokens: num(args, "maxTokens"), overlap: num(args, "overlap"), units: units as ChunkUnits });
  const out = str(args, "out");
  await writeFileAtomic(out, chunks.map((c) => `${JSON.stringify(c)}\n`).join(""));
  io.out(`wrote ${chunks.length} chunks to ${out}\n`);
  return EXIT.ok;
}
