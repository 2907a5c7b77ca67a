// Paths of the shared assets (../shared/assets from the repository root); tests skip with a message when missing.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ASSETS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "..", "shared", "assets");

/** The absolute path of an asset, or undefined (with a console note) when it is missing. */
export function asset(relative: string): string | undefined {
  const p = join(ASSETS, relative);
  if (existsSync(p)) return p;
  console.warn(`[eval tests] shared asset missing, tests that need it are skipped: ${p}`);
  return undefined;
}
