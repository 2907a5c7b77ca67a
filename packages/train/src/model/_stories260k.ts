// Test helper: where the stories260K assets live and the reference text of ../shared/assets/SOURCES.md.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** ../shared/assets, seen from the repository root. */
export const SHARED_ASSETS = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "assets");
/** The folder holding stories260K.bin and tok512.bin. */
export const STORIES260K_DIR = join(SHARED_ASSETS, "stories260K");

/** Whether the stories260K model and tokenizer are present. */
export function hasStories260k(): boolean {
  return existsSync(join(STORIES260K_DIR, "stories260K.bin")) && existsSync(join(STORIES260K_DIR, "tok512.bin"));
}

/**
 * The text llama2.c produces from BOS, greedy, 200 positions (decoded, leading space stripped): the fenced block
 * after "Reference behaviour" in SOURCES.md.
 */
export function stories260kReference(): string {
  const sources = readFileSync(join(SHARED_ASSETS, "SOURCES.md"), "utf8");
  const match = /Reference behaviour[\s\S]*?```\n([\s\S]*?)\n```/.exec(sources);
  if (match?.[1] === undefined) throw new Error("Cannot find the stories260K reference text in SOURCES.md");
  return match[1];
}
