// parseDecimal: a command-line number as people write it in decimal, refusing hex, Infinity and other forms.

/** A decimal number as people write it: `12`, `-0.5`, `.5`, `3e-4`; not `0x10`, `1e`, `Infinity`, `` or ` 5`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * `raw` as a finite decimal number, or undefined when it is anything else (hex, binary, octal, `Infinity`, `NaN`,
 * empty, surrounding spaces, or too large for a double).
 *
 * @example
 * parseDecimal("1e-3"); // 0.001
 * parseDecimal("0x10"); // undefined
 */
export function parseDecimal(raw: string): number | undefined {
  if (!DECIMAL.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
