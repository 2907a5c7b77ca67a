import { describe, expect, it } from "vitest";
import { helpText } from "../cli/args.ts";
import { demoSpec } from "../cli/demo-command.ts";
import { demoConfigFields } from "./demo-config-help.ts";
import { DemoConfig } from "./run-demo.ts";

/** Every leaf key of a parsed config, nested objects as "train.steps". */
function leafKeys(value: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]);
}

describe("longpo demo --help", () => {
  const help = helpText(demoSpec);
  const defaults = DemoConfig.parse({}) as Record<string, unknown>;

  it("lists every DemoConfig field with its default and a meaning", () => {
    const fields = demoConfigFields();
    // modelDir and workers (default: every core, found at run time) have no default, so parsing {} leaves them out;
    // they are listed all the same
    expect(fields.map((f) => f.key).sort()).toEqual([...leafKeys(defaults), "modelDir", "workers"].sort());
    for (const f of fields) {
      expect(f.description.length, `${f.key} needs a .describe()`).toBeGreaterThan(10);
      expect(help).toContain(`  ${f.key} = ${f.value === undefined ? "(none)" : JSON.stringify(f.value)}`);
      expect(help).toContain(f.description);
    }
    expect(help).toContain(`  train.steps = ${JSON.stringify(DemoConfig.parse({}).train.steps)}   (--quick: 2)`);
    expect(help).toContain("  trainSeeds = [1,2]   (--quick: [1])");
    expect(help).toContain('  questions = "self-copy"');
  });

  it("says which seed changes the world, the pairs, the training order and the test set", () => {
    expect(help).toMatch(/world\.seed in <model>\/m0-recipe\.json/);
    expect(help).toMatch(/pairSeed changes the pair documents/);
    expect(help).toMatch(/trainSeeds the training data order/);
    expect(help).toMatch(/evalSeed changes the test set/);
    expect(help).toMatch(/validationSeed the validation\s+set, on which the θ sweep runs/);
  });
});
