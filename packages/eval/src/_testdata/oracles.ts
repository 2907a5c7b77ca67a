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

/** Passkey: the number in "The pass key is N. Remember it." */
function solvePasskey(p: string): string | undefined {
  if (!p.includes("What is the pass key?")) return undefined;
  return /The pass key is (\d+)\. Remember it\./.exec(p)?.[1] ?? "";
}

/** Key-value retrieval: parse the JSON object and look the key up. */
function solveKv(p: string): string | undefined {
  const key = /\nKey: (".*")/.exec(p)?.[1];
  const json = /JSON data:\n(\{.*\})\n/.exec(p)?.[1];
  if (key === undefined || json === undefined) return undefined;
  return String((JSON.parse(json) as Record<string, string>)[JSON.parse(key) as string]);
}

/** Variable tracking: follow the assignments from the queried value. */
function solveVariableTracking(p: string): string | undefined {
  const value = /Find all variables that are assigned the value (\d+)/.exec(p)?.[1];
  if (value === undefined) return undefined;
  const holds = new Set<string>();
  for (const m of p.matchAll(/VAR ([A-Z]{5}) = (\d+)\./g)) if (m[2] === value) holds.add(m[1] as string);
  const links = [...p.matchAll(/VAR ([A-Z]{5}) = VAR ([A-Z]{5})\./g)];
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of links) {
      if (holds.has(m[2] as string) && !holds.has(m[1] as string)) {
        holds.add(m[1] as string);
        grew = true;
      }
    }
  }
  return [...holds].join(" ");
}

function topByCount(words: readonly string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([w]) => w);
}

/** Common words: count the numbered list. */
function solveCommonWords(p: string): string | undefined {
  const n = /What are the (\d+) most common words in the above list\?/.exec(p)?.[1];
  if (n === undefined) return undefined;
  const list = p.split("\n")[1] as string;
  return topByCount([...list.matchAll(/\d+\. ([a-z]+)/g)].map((m) => m[1] as string), Number(n)).join(", ");
}

/** Frequent words: count the coded text. */
function solveFrequentWords(p: string): string | undefined {
  if (!p.includes("three most frequently appeared coded words")) return undefined;
  return topByCount((p.split("\n")[1] as string).split(" "), 3).join(", ");
}

/** bAbI task 1 in a haystack: the latest place each of the four people moved to. */
function solveBabiQa1(p: string): string | undefined {
  const who = /Question: Where is (\w+)\?/.exec(p)?.[1];
  if (who === undefined) return undefined;
  let place = "";
  for (const m of p.matchAll(/\b(John|Mary|Sandra|Daniel) (?:moved|went back|went|journeyed|travelled) to the (\w+)\./g)) {
    if (m[1] === who) place = m[2] as string;
  }
  return place;
}

/** Solves every generated task whose template it knows; throws on an unknown prompt so a test notices. */
export function oracleModel(): EvalModel {
  return {
    name: "oracle",
    generate: async (prompts) =>
      prompts.map((prompt) => {
        const p = text(prompt);
        for (const solve of [solveNiah, solvePasskey, solveKv, solveVariableTracking, solveCommonWords, solveFrequentWords, solveBabiQa1]) {
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
