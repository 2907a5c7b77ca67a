// `longpo generate`: continue a prompt (or BOS alone) with a model folder; prints the new text.
import { generate } from "../model/generate.ts";
import { bool, type CommandSpec, num, optNum, parseArgs, str } from "./args.ts";
import { type CliIo, EXIT, InputError } from "./cli-io.ts";
import { openEngine, readModelFolder, useBackend } from "./open-model.ts";
import { warnUnknownTokens } from "./unknown-tokens.ts";

export const generateSpec: CommandSpec = {
  name: "generate",
  summary: "generate text from a model folder (an empty prompt starts from BOS alone)",
  options: {
    model: { kind: "string", required: true, description: "Hugging Face model folder" },
    prompt: { kind: "string", default: "", description: "prompt text (raw, after BOS)" },
    chat: { kind: "boolean", description: "send the prompt as a user message through the chat template" },
    "max-new-tokens": { kind: "integer", default: 128, min: 1, description: "new tokens at most" },
    temperature: { kind: "number", default: 0, min: 0, description: "0 is greedy" },
    "top-k": { kind: "integer", default: 0, min: 0, description: "keep the k most likely tokens (0: off)" },
    "top-p": { kind: "number", default: 1, min: 0, description: "nucleus mass (1: off)" },
    seed: { kind: "integer", default: 0, min: 0, description: "sampling seed" },
    "rope-theta": { kind: "number", description: "override the model's RoPE θ" },
    "no-cache": { kind: "boolean", description: "recompute the whole sequence per token instead of using the KV cache" },
    stream: { kind: "boolean", description: "print tokens as they are generated" },
    backend: { kind: "string", default: "auto", description: "auto, webgpu, tensorflow-gpu, tensorflow, wasm or cpu" },
    inference: { kind: "string", default: "auto", description: "scoring/generation engine: native (ONNX Runtime), tfjs, or auto (native where it loads)" },
  },
  notes: ["Example: longpo generate --model out/stories260K --max-new-tokens 200 --temperature 0"],
};

/** `longpo generate`. */
export async function generateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, generateSpec);
  const folder = await readModelFolder(str(args, "model"));
  const backend = await useBackend(str(args, "backend"));
  io.err(`generate: backend ${backend.name} (${backend.reason})\n`);
  const tok = folder.tokenizer;
  const prompt = str(args, "prompt");
  warnUnknownTokens(io, "generate", str(args, "model"), tok, [prompt]);
  let ids: number[];
  if (bool(args, "chat")) {
    ids = tok.encode(tok.applyChatTemplate([{ role: "user", content: prompt }], { addGenerationPrompt: true }));
  } else {
    const bos = tok.bosTokenId ?? folder.config.bosTokenId;
    ids = [...(bos === null ? [] : [bos]), ...(prompt === "" ? [] : tok.encode(prompt))];
  }
  if (ids.length === 0) throw new InputError("Cannot generate: the prompt must hold a token, got none and the model has no BOS");
  const model = await openEngine(folder, str(args, "inference"), (line) => io.err(`generate: ${line}\n`), optNum(args, "ropeTheta"));
  try {
    const streamed: number[] = [];
    let printed = "";
    const [result] = await generate(model, [ids], {
      maxNewTokens: num(args, "maxNewTokens"),
      temperature: num(args, "temperature"),
      topK: num(args, "topK"),
      topP: num(args, "topP"),
      seed: num(args, "seed"),
      useCache: !bool(args, "noCache"),
      ...(bool(args, "stream")
        ? {
          onToken: (_row: number, id: number) => {
            streamed.push(id);
            const text = tok.decode(streamed, { skipSpecialTokens: true });
            io.out(text.slice(printed.length));
            printed = text;
          },
        }
        : {}),
    });
    const text = tok.decode(result?.tokenIds ?? [], { skipSpecialTokens: true });
    if (bool(args, "stream")) io.out(`${text.slice(printed.length)}\n`);
    else io.out(`${text}\n`);
    io.err(`generate: ${result?.tokenIds.length ?? 0} tokens, finished by ${result?.finishReason ?? "?"}\n`);
    return EXIT.ok;
  } finally {
    await model.dispose();
  }
}
