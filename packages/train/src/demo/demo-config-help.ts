// `longpo demo --help`'s list of DemoConfig fields, generated from the zod schema (defaults and .describe()), so it cannot drift.
import type { z } from "zod";
import { DemoConfig, QUICK_DEMO } from "./run-demo.ts";

/** The seeds of the demo and what each one changes, for --help and the README. */
export const DEMO_SEEDS_NOTE = [
  "Seeds: the world (its invented names and attributes) is fixed by M0: world.seed in <model>/m0-recipe.json (a new",
  "world needs a new M0: longpo bootstrap --recipe). pairSeed changes the pair documents (which documents, chunks and",
  "template questions); trainSeeds the training data order (each row is trained once per seed; the table reports",
  "their mean ± SE). evalSeed changes the test set (evaluation documents and questions); validationSeed the validation",
  "set, on which the θ sweep runs and settings are chosen (--validation scores the rows on it). The three sets of",
  "documents are drawn apart. M0's weights and greedy decoding involve no seed.",
];

interface FieldHelp {
  key: string;
  value: unknown;
  quick: unknown;
  description: string;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s = schema as { shape?: Record<string, z.ZodType>; unwrap?: () => z.ZodType };
  for (let i = 0; i < 4 && s.shape === undefined && typeof s.unwrap === "function"; i++) s = s.unwrap() as typeof s;
  return s.shape;
}

/**
 * Every field of `DemoConfig`, nested ones as `train.steps`: its default (from parsing `{}`), its `--quick` value
 * when that differs, and its `.describe()` text.
 */
export function demoConfigFields(): FieldHelp[] {
  const defaults = DemoConfig.parse({}) as Record<string, unknown>;
  const quick = DemoConfig.parse({ ...QUICK_DEMO, train: { ...QUICK_DEMO.train } }) as Record<string, unknown>;
  const out: FieldHelp[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string, d: Record<string, unknown>, q: Record<string, unknown>): void => {
    for (const [name, field] of Object.entries(shape)) {
      const inner = shapeOf(field);
      if (inner !== undefined) {
        walk(inner, `${prefix}${name}.`, (d[name] ?? {}) as Record<string, unknown>, (q[name] ?? {}) as Record<string, unknown>);
        continue;
      }
      out.push({ key: `${prefix}${name}`, value: d[name], quick: q[name], description: field.description ?? "" });
    }
  };
  walk(DemoConfig.shape, "", defaults, quick);
  return out;
}

const show = (v: unknown): string => (v === undefined ? "(none)" : JSON.stringify(v));

/** The help lines: one field per entry, `name = default` then its meaning, and the seeds note. */
export function demoConfigHelp(): string[] {
  const lines = ["DemoConfig fields (a --config FILE is a JSON object of them; nested ones as {\"train\": {\"steps\": 40}}):"];
  for (const f of demoConfigFields()) {
    const quick = JSON.stringify(f.quick) === JSON.stringify(f.value) ? "" : `   (--quick: ${show(f.quick)})`;
    lines.push(`  ${f.key} = ${show(f.value)}${quick}`, `      ${f.description}`);
  }
  return [...lines, "", ...DEMO_SEEDS_NOTE];
}
