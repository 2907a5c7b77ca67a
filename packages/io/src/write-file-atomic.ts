// Atomic, durable file writes: temporary file, fsync, rename over the target, fsync of the folder.
import { closeSync, fsyncSync, openSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * fsync a folder, so a rename or a new file inside it survives a power cut. A no-op where folders cannot be
 * opened for sync (Windows).
 * @example fsyncDir("out");
 */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL on platforms that cannot sync a folder
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `data` to `path` so that readers see the old file or the new one, never a partial one, even after a
 * power cut: the bytes go to `path.<random>.tmp` in the same folder (created if missing) and are fsynced; the
 * file is renamed over `path`; then the folder is fsynced so the rename itself is durable.
 * @example await writeFileAtomic("out/results.json", JSON.stringify(result));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}
