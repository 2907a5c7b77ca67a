import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { acquireOutputLock, mulberry32, openJsonlAppender, readJsonlLines } from "@longpo/io";

const out = mkdtempSync(`${tmpdir()}/io-`), lock = acquireOutputLock(out, "quick start");
const rows = openJsonlAppender(`${out}/rows.jsonl`);
for (const n of mulberry32(42).shuffle([1, 2, 3])) rows.append({ n });
rows.close();
for await (const { line, text } of readJsonlLines(`${out}/rows.jsonl`)) console.log(line, text);
lock.release();
