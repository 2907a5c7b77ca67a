// Shared assertion of the generated-task tests: each prompt lands within 2% below its target length.
import { expect } from "vitest";
import { promptTokens } from "../haystack.ts";
import type { Tokenizer } from "../model.ts";
import type { GenerateTask } from "../task.ts";

export function expectWithinTwoPercent(task: GenerateTask, tokenizer: Tokenizer): void {
  for (const ex of task.examples()) {
    const tokens = promptTokens(tokenizer, ex.prompt);
    const target = Number(ex.metadata.length);
    expect(tokens).toBe(ex.metadata.tokens);
    expect(tokens).toBeLessThanOrEqual(target);
    expect(tokens).toBeGreaterThanOrEqual(0.98 * target);
  }
}
