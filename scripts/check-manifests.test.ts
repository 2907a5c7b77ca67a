import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkManifests } from "./check-manifests.ts";

const root = join(import.meta.dirname, "..");
let scratch: string | undefined;

function copyOfRepoManifests(): string {
  scratch = mkdtempSync(join(tmpdir(), "longpo-manifests-"));
  for (const file of ["package.json", "deno.json"]) cpSync(join(root, file), join(scratch, file));
  cpSync(join(root, "packages"), join(scratch, "packages"), {
    recursive: true,
    filter: (src) => !src.includes("node_modules") && !src.includes("dist"),
  });
  return scratch;
}

afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe("checkManifests", () => {
  it("finds no problem in the repository as committed", () => {
    expect(checkManifests(root)).toEqual([]);
  });

  it("reports a deno.json whose version disagrees with package.json", () => {
    const dir = copyOfRepoManifests();
    const file = join(dir, "packages", "loss", "deno.json");
    const deno = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...deno, version: "9.9.9" }));
    expect(checkManifests(dir)).toEqual([`${file}: version "9.9.9" differs from package.json's "0.1.0"`]);
  });

  it("reports a package missing from the deno workspace", () => {
    const dir = copyOfRepoManifests();
    const file = join(dir, "deno.json");
    const deno = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...deno, workspace: deno.workspace.filter((w: string) => !w.endsWith("eval")) }));
    expect(checkManifests(dir).join("\n")).toMatch(/deno.json: workspace lists .* but packages\/ holds/);
  });
});
