// syncFolder: fsync every file under a folder, then the folder itself, so a rename of it survives a power cut.
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir } from "./write-file-atomic.ts";

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
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
        await fsyncFile(path);
        files++;
      }
    }
  }
  fsyncDir(dir);
  return files;
}
