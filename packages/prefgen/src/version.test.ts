import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PREFGEN_VERSION } from "./version.ts";

describe("PREFGEN_VERSION", () => {
  it("equals the version in package.json and deno.json", () => {
    for (const file of ["package.json", "deno.json"]) {
      const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "..", file), "utf8")) as { version: string };
      expect(manifest.version).toBe(PREFGEN_VERSION);
    }
  });
});
