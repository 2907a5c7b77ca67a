// Check that --documents names documents before a model is loaded: no documents is bad input (exit 2), said plainly.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { readDocuments } from "@longpo/prefgen";
import { InputError } from "./cli-io.ts";

const WHAT = "a folder of .txt/.md files, a .jsonl of { id, text } lines, or one text file";

/** Counts of the files under a folder (recursively) by extension, e.g. ".png ×12". */
function otherFiles(dir: string): string {
  const counts = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else counts.set(extname(e.name) || "(no extension)", (counts.get(extname(e.name) || "(no extension)") ?? 0) + 1);
    }
  };
  walk(dir);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return "it is empty";
  return `it holds ${total} other file${total === 1 ? "" : "s"}: ${[...counts].map(([ext, n]) => `${ext} ×${n}`).join(", ")}`;
}

/**
 * The number of non-empty documents at `path` (as `@longpo/prefgen`'s `readDocuments` reads them).
 * @throws {InputError} when the path does not exist or holds no non-empty document, saying what was looked for where
 * @example
 * await requireDocuments("docs/"); // InputError: Cannot generate pairs: found no documents in docs/ (looked for .txt and .md files ...)
 */
export async function requireDocuments(path: string): Promise<number> {
  if (!existsSync(path)) throw new InputError(`Cannot generate pairs: --documents ${path} does not exist (give ${WHAT})`);
  let count = 0;
  for await (const d of readDocuments(path)) if (d.text.trim() !== "") count++;
  if (count > 0) return count;
  if (statSync(path).isDirectory()) {
    throw new InputError(`Cannot generate pairs: found no documents in ${path} (looked for non-empty .txt and .md files in it and its subfolders; ${otherFiles(path)})`);
  }
  const looked = path.endsWith(".jsonl") ? "looked for { id, text } lines with non-empty text" : "the file is empty";
  throw new InputError(`Cannot generate pairs: found no documents in ${path} (${looked}; give ${WHAT})`);
}
