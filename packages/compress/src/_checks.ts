// Argument checks shared by selection and compression, worded "Cannot X: Y must Z, got W".
import type { Chunk } from "./chunk-document.ts";
import { typeName } from "./tokenize-document.ts";

export function checkChunks(action: string, chunks: readonly Chunk[]): void {
  if (!Array.isArray(chunks)) throw new TypeError(`Cannot ${action}: chunks must be an array, got ${typeName(chunks)}`);
  if (chunks.length === 0) throw new RangeError(`Cannot ${action}: chunks must be non-empty, got an empty list`);
}

export function checkPositiveInteger(action: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: ${name} must be a number, got ${typeName(value)}`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot ${action}: ${name} must be an integer ≥ 1, got ${value}`);
  }
}

export function checkDocument(action: string, document: unknown): asserts document is string {
  if (typeof document !== "string") {
    throw new TypeError(`Cannot ${action}: document must be a string, got ${typeName(document)}`);
  }
  if (document.length === 0) throw new RangeError(`Cannot ${action}: document must be non-empty, got an empty string`);
}
