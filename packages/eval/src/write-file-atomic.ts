// Atomic file writes: write a temporary file beside the target, then rename it over the target.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `data` to `path` so that readers see the old file or the new one, never a partial one: the bytes go
 * to `path.<random>.tmp` in the same folder (created if missing), which is then renamed over `path`.
 * @example await writeFileAtomic("out/results.json", JSON.stringify(result));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
