/**
 * @module
 * The I/O primitives every LongPO package shares, each implemented once: an OpenAI-compatible HTTP client
 * (a deadline over headers and body, bounded retries, zod-validated bodies), JSONL reads (linear, capped, strict
 * UTF-8) and crash-safe appends, atomic writes with fsync, the output-folder lock, and the seeded generators.
 *
 * @example
 * ```ts
 * import { acquireOutputLock, mulberry32, writeFileAtomic } from "@longpo/io";
 * const lock = acquireOutputLock("out", "example");
 * await writeFileAtomic("out/draw.json", JSON.stringify(mulberry32(42).shuffle([1, 2, 3])));
 * lock.release();
 * ```
 */
export { hashSeed, hashString } from "./hash-seed.ts";
export { JsonlError } from "./jsonl-error.ts";
export { appendJsonl, countLines, type JsonlAppender, type JsonlAppenderOptions, openJsonlAppender, readKeys, repairJsonl } from "./jsonl-appender.ts";
export { type Mulberry32, mulberry32 } from "./mulberry32.ts";
export { createOpenAIClient, type OpenAIClient, OpenAIClientError, type OpenAIClientErrorKind, type OpenAIClientOptions, type PostOptions, retryAfter } from "./openai-client.ts";
export { acquireOutputLock, LOCK_FILE, type LockOwner, type OutputLock, OutputLockedError } from "./output-lock.ts";
export { type Random, randomFrom, sampleIndices } from "./random.ts";
export { DEFAULT_MAX_LINE_BYTES, type JsonlLine, readJsonl, readJsonlEntries, readJsonlLines, type ReadJsonlOptions, readJsonlUnique } from "./read-jsonl.ts";
export { type Sfc32, sfc32 } from "./sfc32.ts";
export { syncFolder } from "./sync-folder.ts";
export { fsyncDir, writeFileAtomic } from "./write-file-atomic.ts";
export { type Xoshiro128, xoshiro128 } from "./xoshiro128.ts";
