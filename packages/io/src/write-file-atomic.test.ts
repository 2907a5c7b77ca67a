import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syncFolder } from "./sync-folder.ts";
import { writeFileAtomic } from "./write-file-atomic.ts";

describe("writeFileAtomic", () => {
  it("replaces a file's bytes, creating missing folders, and leaves no temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "io-atomic-"));
    const file = join(dir, "a", "b", "x.json");
    await writeFileAtomic(file, "old");
    await writeFileAtomic(file, new Uint8Array([104, 105]));
    expect(readFileSync(file, "utf8")).toBe("hi");
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["x.json"]);
  });

  it("leaves the old file whole and removes its temporary file when the write fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "io-atomic-"));
    const file = join(dir, "x.json");
    writeFileSync(file, "old");
    // a folder cannot be renamed over by a file: the rename fails after the temporary file was written
    await expect(writeFileAtomic(dir, "new")).rejects.toThrow();
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["x.json"]);
  });
});

describe("syncFolder", () => {
  it("fsyncs every file of a tree (counting them) and only the folder when shallow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "io-sync-"));
    writeFileSync(join(dir, "a"), "1");
    writeFileSync(join(dir, "b"), "2");
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "c"), "3");
    expect(await syncFolder(dir)).toBe(3);
    expect(await syncFolder(dir, { shallow: true })).toBe(0);
  });
});
