// Token-boundary helpers shared by the compressors: where the first or last k tokens begin or end.
import { checkDocument, checkPositiveInteger } from "./_checks.ts";
import type { CompressOptions, ShortContext, Span } from "./compressor.ts";
import { tokenIndexAt, type TokenizedDocument } from "./tokenize-document.ts";

/** Offset that ends the longest head of at most `k` tokens (never inside a group of tokens sharing a start). */
export function headEnd(document: TokenizedDocument, k: number): number {
  const { starts, text } = document;
  if (k >= starts.length) return text.length;
  let j = k;
  while (j > 0 && starts[j - 1] === starts[j]) j--;
  return starts[j]!;
}

/** Offset that starts the longest tail of at most `k` tokens (never inside a group of tokens sharing a start). */
export function tailStart(document: TokenizedDocument, k: number): number {
  const { starts, text } = document;
  if (k >= starts.length) return 0;
  if (k <= 0) return text.length;
  let j = starts.length - k;
  while (j < starts.length && j > 0 && starts[j - 1] === starts[j]) j++;
  return j < starts.length ? starts[j]! : text.length;
}

/** Tokens of the document inside `[start, end)`, from the token starts. */
export function tokensIn(document: TokenizedDocument, span: Span): number {
  const { starts, text } = document;
  const at = (offset: number): number => (offset >= text.length ? starts.length : tokenIndexAt(starts, offset));
  return at(span.end) - at(span.start);
}

/** The short context made of `spans` (empty ones dropped), each counted from the document's tokens. */
export function contextOf(
  document: TokenizedDocument,
  spans: readonly Span[],
  separator = "",
  separatorTokens = 0,
): ShortContext {
  const kept = spans.filter((s) => s.end > s.start);
  const tokens = kept.reduce((sum, s) => sum + tokensIn(document, s), 0) +
    separatorTokens * Math.max(kept.length - 1, 0);
  return { text: kept.map((s) => document.text.slice(s.start, s.end)).join(separator), tokens, spans: kept };
}

/** Check a compressor's arguments. */
export function checkCompress(action: string, document: unknown, options: CompressOptions): void {
  checkDocument(action, document);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object with a budget, got ${String(options)}`);
  }
  checkPositiveInteger(action, "budget", options.budget);
}
