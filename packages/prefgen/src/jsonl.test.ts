import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openJsonlAppender, readJsonl, readKeys, repairJsonl } from "./jsonl.ts";
import { PreferenceDataError } from "./preference-data-error.ts";

const Row = z.object({ id: z.string(), n: z.number() });
const tmp = () => mkdtempSync(join(tmpdir(), "prefgen-jsonl-"));
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("jsonl", () => {
  it("reads lines back in order and skips blank lines", async () => {
    const file = join(tmp(), "a.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n\n{"id":"b","n":2}\n');
    expect(await collect(readJsonl(file, Row))).toEqual([{ id: "a", n: 1 }, { id: "b", n: 2 }]);
  });

  it("drops a torn last line instead of parsing it, unless asked to parse it", async () => {
    const file = join(tmp(), "torn.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":2}');
    expect((await collect(readJsonl(file, Row))).map((r) => r.id)).toEqual(["a"]);
    expect((await collect(readJsonl(file, Row, { tornTail: "parse" }))).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("repair truncates a torn tail so the next append starts a fresh line", async () => {
    const file = join(tmp(), "repair.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n"');
    expect(repairJsonl(file)).toBe('{"id":"b","n"'.length);
    const out = openJsonlAppender(file);
    out.append({ id: "c", n: 3 });
    out.close();
    expect(readFileSync(file, "utf8")).toBe('{"id":"a","n":1}\n{"id":"c","n":3}\n');
  });

  it("repair of a file with no newline at all empties it, and of a clean file removes nothing", () => {
    const dir = tmp();
    writeFileSync(join(dir, "x.jsonl"), '{"id":');
    expect(repairJsonl(join(dir, "x.jsonl"))).toBe(6);
    expect(readFileSync(join(dir, "x.jsonl"), "utf8")).toBe("");
    writeFileSync(join(dir, "y.jsonl"), '{"id":"a","n":1}\n');
    expect(repairJsonl(join(dir, "y.jsonl"))).toBe(0);
    expect(repairJsonl(join(dir, "missing.jsonl"))).toBe(0);
  });

  it("repair finds the last newline across 64 KiB blocks", () => {
    const file = join(tmp(), "big.jsonl");
    const line = `${JSON.stringify({ id: "x".repeat(100_000), n: 1 })}\n`;
    writeFileSync(file, line + "y".repeat(70_000));
    expect(repairJsonl(file)).toBe(70_000);
    expect(readFileSync(file, "utf8")).toBe(line);
  });

  it("a line that fails the schema raises PreferenceDataError with file, line number and zod issues", async () => {
    const file = join(tmp(), "bad.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":"two"}\n');
    const error = await collect(readJsonl(file, Row)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreferenceDataError);
    const e = error as PreferenceDataError;
    expect([e.file, e.line]).toEqual([file, 2]);
    expect(e.issues[0]?.path).toEqual(["n"]);
    expect(e.message).toContain("line 2");
  });

  it("a line that is not JSON raises PreferenceDataError with empty issues", async () => {
    const file = join(tmp(), "nojson.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id": oops}\n{"id":"c","n":3}\n');
    const e = (await collect(readJsonl(file, Row)).catch((x: unknown) => x)) as PreferenceDataError;
    expect(e).toBeInstanceOf(PreferenceDataError);
    expect([e.line, e.issues.length]).toEqual([2, 0]);
  });

  it("readKeys collects the keys of complete lines only", async () => {
    const file = join(tmp(), "keys.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":2}\n');
    appendFileSync(file, '{"id":"c"');
    expect([...(await readKeys(file, Row, (r) => r.id))]).toEqual(["a", "b"]);
    expect((await readKeys(join(tmp(), "none.jsonl"), Row, (r) => r.id)).size).toBe(0);
  });
});
