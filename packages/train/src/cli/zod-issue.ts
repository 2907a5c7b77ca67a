// issueLine: one zod issue as one line (field path, problem, and a did-you-mean for an unknown key).
import type { z } from "zod";
import { didYouMean } from "../did-you-mean.ts";

/** The keys of the object schema found at `path` inside `schema` (defaults and optionals unwrapped); [] if none. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: unknown = schema;
  const unwrap = () => {
    for (let i = 0; i < 8; i++) {
      const def = (at as { def?: { type?: string; innerType?: unknown } } | undefined)?.def;
      if (def?.type === "default" || def?.type === "optional" || def?.type === "nullable" || def?.type === "prefault") at = def.innerType;
      else return;
    }
  };
  unwrap();
  for (const segment of path) {
    const shape = (at as { shape?: Record<string, unknown> } | undefined)?.shape;
    if (shape === undefined) return [];
    at = shape[String(segment)];
    unwrap();
  }
  const shape = (at as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape === undefined ? [] : Object.keys(shape);
}

/**
 * A zod issue as one line: `unknown key "seeed" (did you mean "seed"?) in data` or `data.copy Too big: ...`.
 *
 * @example
 * const r = M0Recipe.safeParse(json);
 * if (!r.success) throw new InputError(`Cannot read M0 recipe ${file}: ${issueLine(M0Recipe, r.error.issues[0])}`);
 */
export function issueLine(schema: z.ZodType, issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return "is invalid";
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(schema, issue.path);
    const keys = issue.keys.map((k) => {
      const near = didYouMean(k, known);
      return `"${k}"${near === undefined ? "" : ` (did you mean "${near}"?)`}`;
    });
    return `unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}${path === "" ? "" : ` in ${path}`}`;
  }
  return `${path === "" ? "(root)" : path} ${issue.message}`;
}
