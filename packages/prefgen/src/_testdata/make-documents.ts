// Writes small synthetic documents (seeded made-up prose in paragraphs) for pipeline tests and benchmarks.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashSeed, mulberry32 } from "@longpo/io";

const NAMES = ["Ahab", "Ishmael", "Queequeg", "Starbuck", "Stubb", "Flask", "Pip", "Fedallah", "Tashtego", "Daggoo"];
const VERBS = ["watched", "followed", "doubted", "praised", "carried", "mended", "counted", "feared", "greeted", "studied"];
const THINGS = ["the harpoon", "the compass", "the rigging", "the lantern", "the ledger", "the mast", "the chart", "the barrel", "the storm", "the harbour"];
const TAILS = ["before dawn", "in silence", "with great care", "near the bow", "for many days", "against the wind", "after supper", "without a word"];

/** One document: `paragraphs` paragraphs of 3–5 sentences, seeded by `seed` and `id`. */
export function makeDocument(id: string, paragraphs: number, seed = 1): string {
  const random = mulberry32(hashSeed(seed, "doc", id)).next;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const out: string[] = [];
  for (let p = 0; p < paragraphs; p += 1) {
    const n = 3 + Math.floor(random() * 3);
    const sentences = Array.from({ length: n }, () => `${pick(NAMES)} ${pick(VERBS)} ${pick(THINGS)} ${pick(TAILS)}.`);
    out.push(sentences.join(" "));
  }
  return out.join("\n\n");
}

/** Write `count` documents as `.txt`/`.md` files into `dir`; returns their ids (file names). */
export function writeDocumentFolder(dir: string, count: number, paragraphs = 6, seed = 1): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const name = `doc-${String(i).padStart(2, "0")}.${i % 2 === 0 ? "txt" : "md"}`;
    writeFileSync(join(dir, name), makeDocument(name, paragraphs, seed));
    return name;
  });
}
