// syncFolder: fsync every file under a folder, then the folder itself, so a rename of it survives a power cut.
// (Minimal, for checkpoints; the shared @longpo/io package's fsyncDir is the place to fold it into.)
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

async function fsyncPath(path: string, folder: boolean): Promise<void> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (e) {
    if (folder) return; // platforms that cannot open a folder (Windows) cannot sync one either
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (!folder) throw e; // EISDIR/EPERM/EINVAL where folders cannot be synced
  } finally {
    await handle.close();
  }
}

/**
 * fsync every file under `dir` (recursively), each sub-folder, then `dir`: after it returns, the folder's
 * contents are on disk, and renaming it into place cannot leave empty files after a power cut.
 *
 * @returns the number of files synced.
 * @example
 * await syncFolder(staging); await rename(staging, target); await syncFolder(dirname(target), { shallow: true });
 */
export async function syncFolder(dir: string, options: { shallow?: boolean } = {}): Promise<number> {
  let files = 0;
  if (options.shallow !== true) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) files += await syncFolder(path);
      else if (entry.isFile()) {
        await fsyncPath(path, false);
        files++;
      }
    }
  }
  await fsyncPath(dir, true);
  return files;
}
