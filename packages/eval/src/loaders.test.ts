import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DataFileError } from "./data-file-error.ts";
import { InfiniteBenchRecord, infiniteBenchTask } from "./infinite-bench-task.ts";
import { parseJsonl, readJsonl } from "./jsonl.ts";
import { LongBenchRecord, longBenchTask } from "./long-bench-task.ts";
import { RulerRecord, rulerTask } from "./ruler-task.ts";
import { writeFileAtomic } from "@longpo/io";

describe("parseJsonl and readJsonl", () => {
  it("reports file, line and the zod path of a record that does not fit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-jsonl-"));
    const file = join(dir, "qasper.jsonl");
    await writeFile(file, '{"input":"q","context":"c","answers":["a"]}\n\n{"input":"q","context":"c","answers":"a"}\n');
    const err = await readJsonl(file, LongBenchRecord).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).file).toBe(file);
    expect((err as DataFileError).line).toBe(3);
    expect((err as DataFileError).message).toMatch(/line 3: answers:/);
  });

  it("reports a line that is not JSON", () => {
    expect(() => parseJsonl('{"a":1}\n{"a":', z.object({ a: z.number() }), "x.jsonl")).toThrow(/x\.jsonl line 2: the line must be JSON/);
  });
});

describe("benchmark loaders", () => {
  it("turns LongBench records into a qa_f1 task with length metadata", () => {
    const records = parseJsonl(
      '{"input":"Who?","context":"Ann met Bob.","answers":["Ann"],"length":3,"dataset":"qasper","all_classes":null,"_id":"id1"}',
      LongBenchRecord,
    );
    const task = longBenchTask({ records });
    const ex = [...task.examples()][0];
    expect(task.name).toBe("longbench_qasper");
    expect(ex).toMatchObject({ id: "id1", references: ["Ann"], metadata: { length: 3, dataset: "qasper" } });
    expect(Object.keys(task.metrics)).toEqual(["qa_f1"]);
  });

  it("reads InfiniteBench answers of any shape as strings and lists the options", () => {
    const records = parseJsonl(
      ['{"id":0,"context":"c","input":"Which?","answer":["B"],"options":["x","y"]}', '{"id":1,"context":"c","input":"n?","answer":42}'].join("\n"),
      InfiniteBenchRecord,
    );
    const ex = [...infiniteBenchTask({ records }).examples()];
    expect(ex.map((e) => e.references)).toEqual([["B"], ["42"]]);
    expect(ex[0]?.prompt).toEqual([{ role: "user", content: "c\n\nWhich?\n\nOptions:\nA. x\nB. y" }]);
  });

  it("feeds RULER's input plus answer prefix as raw text", () => {
    const records = parseJsonl('{"index":7,"input":"ctx\\nQ?","outputs":["v1","v2"],"length":4096,"answer_prefix":" A:"}', RulerRecord);
    const ex = [...rulerTask({ name: "ruler_mv", records }).examples()][0];
    expect(ex).toMatchObject({ id: "ruler_mv-7", prompt: "ctx\nQ? A:", references: ["v1", "v2"], metadata: { length: 4096 } });
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file whole and leaves no temporary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-atomic-"));
    const file = join(dir, "sub", "r.json");
    await writeFileAtomic(file, "old");
    await writeFileAtomic(file, "new");
    expect(await readFile(file, "utf8")).toBe("new");
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(join(dir, "sub"))).toEqual(["r.json"]);
  });
});
