// `longpo convert-llama2c`: a llama2.c model + tokenizer → a Hugging Face folder.
import { convertLlama2c } from "../model/llama2c.ts";
import { type CommandSpec, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { requireFile } from "./open-model.ts";

export const convertSpec: CommandSpec = {
  name: "convert-llama2c",
  summary: "convert a llama2.c model (.bin) and tokenizer (.bin) into a Hugging Face folder",
  options: {
    model: { kind: "string", required: true, description: "llama2.c legacy model file, e.g. stories260K.bin" },
    tokenizer: { kind: "string", required: true, description: "llama2.c tokenizer file, e.g. tok512.bin" },
    out: { kind: "string", required: true, description: "folder to write (replaced whole)" },
    dtype: { kind: "string", default: "F32", description: "weight storage: F32 (exact) or BF16" },
  },
  notes: ["Example: longpo convert-llama2c --model stories260K.bin --tokenizer tok512.bin --out models/stories260K"],
};

/** `longpo convert-llama2c`. */
export async function convertCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, convertSpec);
  const dtype = str(args, "dtype");
  if (dtype !== "F32" && dtype !== "BF16") throw new InputError(`Cannot convert: --dtype must be F32 or BF16, got "${dtype}"`);
  await requireFile(str(args, "model"), "llama2.c model");
  await requireFile(str(args, "tokenizer"), "llama2.c tokenizer");
  const { config } = await convertLlama2c({ modelPath: str(args, "model"), tokenizerPath: str(args, "tokenizer"), outDir: str(args, "out"), dtype });
  io.out(`wrote ${str(args, "out")}: ${config.numLayers} layers, hidden ${config.hiddenSize}, vocab ${config.vocabSize}\n`);
  return EXIT.ok;
}
