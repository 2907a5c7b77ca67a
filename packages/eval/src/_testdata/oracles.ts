// Test models: an oracle that solves each generated task by reading its prompt, and a constant model.
import type { EvalModel, Prompt } from "../model.ts";

function text(prompt: Prompt): string {
  return typeof prompt === "string" ? prompt : prompt.map((m) => m.content).join("\n");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** NIAH: collect "special magic X for KEY is: VALUE." needles and answer the values of the queried keys. */
function solveNiah(p: string): string | undefined {
  const q = /What are all the special magic (\w+) for (.+) mentioned in the provided text\?/.exec(p);
  if (q === null) return undefined;
  const keys = (q[2] as string).split(/, and |, | and /);
  const values: string[] = [];
  for (const key of keys) {
    const re = new RegExp(`One of the special magic ${q[1]} for ${escapeRegExp(key)} is: ([^ ]+)\\.(?= |\\n|$)`, "g");
    for (const m of p.matchAll(re)) values.push(m[1] as string);
  }
  return values.join(", ");
}

/** Solves every generated task whose template it knows; throws on an unknown prompt so a test notices. */
export function oracleModel(): EvalModel {
  return {
    name: "oracle",
    generate: async (prompts) =>
      prompts.map((prompt) => {
        const p = text(prompt);
        for (const solve of [solveNiah]) {
          const answer = solve(p);
          if (answer !== undefined) return answer;
        }
        throw new Error(`oracle cannot read prompt: ${p.slice(0, 80)}`);
      }),
  };
}

/** Answers the same text to every prompt. */
export function constantModel(answer: string): EvalModel {
  return { name: `constant:${answer}`, generate: async (prompts) => prompts.map(() => answer) };
}
