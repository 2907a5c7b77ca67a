import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { appendJsonl, countLines, openJsonlAppender, readKeys, repairJsonl } from "./jsonl-appender.ts";
import { JsonlError } from "./jsonl-error.ts";
import { readJsonl, readJsonlLines, readJsonlUnique } from "./read-jsonl.ts";

const Row = z.object({ id: z.string(), n: z.number() });
const tmp = () => mkdtempSync(join(tmpdir(), "io-jsonl-"));
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

  it("a line that fails the schema raises JsonlError with file, line number and zod issues", async () => {
    const file = join(tmp(), "bad.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":"two"}\n');
    const error = await collect(readJsonl(file, Row)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonlError);
    const e = error as JsonlError;
    expect([e.file, e.line]).toEqual([file, 2]);
    expect(e.issues[0]?.path).toEqual(["n"]);
    expect(e.message).toContain("line 2");
  });

  it("a line that is not JSON raises JsonlError with empty issues", async () => {
    const file = join(tmp(), "nojson.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id": oops}\n{"id":"c","n":3}\n');
    const e = (await collect(readJsonl(file, Row)).catch((x: unknown) => x)) as JsonlError;
    expect(e).toBeInstanceOf(JsonlError);
    expect([e.line, e.issues.length]).toEqual([2, 0]);
  });

  it("readKeys collects the keys of complete lines only", async () => {
    const file = join(tmp(), "keys.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":2}\n');
    appendFileSync(file, '{"id":"c"');
    expect([...(await readKeys(file, Row, (r) => r.id))]).toEqual(["a", "b"]);
    expect((await readKeys(join(tmp(), "none.jsonl"), Row, (r) => r.id)).size).toBe(0);
  });

  it("reads a line that spans many read chunks whole, and yields its number", async () => {
    const file = join(tmp(), "long.jsonl");
    const big = "é".repeat(3_000_000); // 6 MB of two-byte characters: six 1 MiB chunks, cut inside characters
    writeFileSync(file, `{"id":"a","n":1}\n${JSON.stringify({ id: big, n: 2 })}\n{"id":"c","n":3}\n`);
    const rows = await collect(readJsonl(file, Row));
    expect(rows.map((r) => r.id.length)).toEqual([1, 3_000_000, 1]);
    expect(rows[1]!.id).toBe(big);
    expect((await collect(readJsonlLines(file))).map((l) => l.line)).toEqual([1, 2, 3]);
  });

  it("stops at a line longer than maxLineBytes, naming file and line, whether it ends in a chunk or spans several", async () => {
    const file = join(tmp(), "cap.jsonl");
    writeFileSync(file, `{"id":"a","n":1}\n${JSON.stringify({ id: "x".repeat(100), n: 2 })}\n`);
    const e = (await collect(readJsonl(file, Row, { maxLineBytes: 50 })).catch((x: unknown) => x)) as JsonlError;
    expect(e).toBeInstanceOf(JsonlError);
    expect([e.file, e.line]).toEqual([file, 2]);
    expect(e.message).toBe(`Cannot read ${file}: line 2 is longer than the limit of 50 bytes (maxLineBytes)`);
    const spanning = join(tmp(), "cap2.jsonl");
    writeFileSync(spanning, `{"id":"a","n":1}\n${"x".repeat(3 << 20)}`); // 3 MiB without a newline
    const e2 = (await collect(readJsonlLines(spanning, { maxLineBytes: 2 << 20 })).catch((x: unknown) => x)) as JsonlError;
    expect([e2.line, e2.reason]).toEqual([2, `is longer than the limit of ${2 << 20} bytes (maxLineBytes)`]);
    expect((await collect(readJsonl(file, Row))).length).toBe(2); // the default cap is 64 MiB
  });

  it("rejects a line that is not valid UTF-8, naming file and line, instead of reading U+FFFD", async () => {
    const file = join(tmp(), "latin1.jsonl");
    writeFileSync(file, Buffer.concat([Buffer.from('{"id":"a","n":1}\n{"id":"caf'), Buffer.from([0xe9]), Buffer.from('","n":2}\n')]));
    const e = (await collect(readJsonl(file, Row)).catch((x: unknown) => x)) as JsonlError;
    expect(e).toBeInstanceOf(JsonlError);
    expect(e.message).toBe(`Cannot read ${file}: line 2 is not valid UTF-8 (the file must be UTF-8 text)`);
  });

  it("readJsonlUnique rejects a repeated key naming both lines", async () => {
    const file = join(tmp(), "dup.jsonl");
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":2}\n\n{"id":"a","n":3}\n');
    const e = (await readJsonlUnique(file, Row, (r) => r.id, "id").catch((x: unknown) => x)) as JsonlError;
    expect(e.message).toBe(`Cannot read ${file}: line 4 repeats id "a" of line 1 (each id must appear once)`);
    writeFileSync(file, '{"id":"a","n":1}\n{"id":"b","n":2}');
    expect(await readJsonlUnique(file, Row, (r) => r.id, "id", { tornTail: "parse" })).toEqual([{ id: "a", n: 1 }, { id: "b", n: 2 }]);
  });

  it("appendJsonl adds one line per value and countLines counts them", async () => {
    const file = join(tmp(), "m.jsonl");
    appendJsonl(file, { step: 1 });
    appendJsonl(file, { step: 2 });
    expect(readFileSync(file, "utf8")).toBe('{"step":1}\n{"step":2}\n');
    expect(await countLines(file)).toBe(2);
  });
});
