// Builds small, valid preference pairs for tests.
import type { PreferencePair } from "../preference-pair.ts";
import { pairId } from "../preference-pair.ts";

/** A valid pair with `n` turns over a made-up document; answers and scores can be overridden per turn. */
export function makePair(n = 1, overrides: { chosen?: string[]; rejected?: string[]; ref?: [number, number][] | null } = {}): PreferencePair {
  const doc = "Ahab sailed the Pequod. Ishmael wrote it down. The whale won.";
  const spans = Array.from({ length: n }, (_, i) => ({ index: i, start: i * 10, end: i * 10 + 10, tokens: 3 }));
  const questions = spans.map((_, i) => `According to the passage above, what happened in part ${i + 1}?`);
  const turns = spans.map((chunk, i) => {
    const prompt_short = [{ role: "user" as const, content: `${doc.slice(chunk.start, chunk.end)}\n\n${questions[i]}` }];
    const ref = overrides.ref === null ? null : overrides.ref?.[i] ?? [-1.5 - i, -4 - i];
    return {
      chunk, question: questions[i]!, prompt_short,
      chosen: overrides.chosen?.[i] ?? `The chunk says part ${i + 1} happened.`,
      rejected: overrides.rejected?.[i] ?? `Something else happened in part ${i + 1}.`,
      chosen_finish: "stop" as const, rejected_finish: "stop" as const,
      prompt_short_tokens: 12, prompt_long_tokens: 20, chosen_tokens: 6, rejected_tokens: 6,
      ref_chosen_logps: ref === null ? null : ref[0], ref_rejected_logps: ref === null ? null : ref[1],
    };
  });
  const sum = (f: (t: (typeof turns)[number]) => number | null) => (turns.some((t) => f(t) === null) ? null : turns.reduce((s, t) => s + (f(t) ?? 0), 0));
  const first = turns[0]!;
  const last = turns.at(-1)!;
  return {
    id: pairId("moby", spans, questions),
    doc_id: "moby",
    prompt_long: [{ role: "user", content: `${doc}\n\n${first.question}` }],
    prompt_short: first.prompt_short,
    chosen: last.chosen,
    rejected: last.rejected,
    ref_chosen_logps: sum((t) => t.ref_chosen_logps),
    ref_rejected_logps: sum((t) => t.ref_rejected_logps),
    turns,
    tokens: { prompt_long: 20, prompt_short: 12 * n, chosen: 6 * n, rejected: 6 * n },
    provenance: {
      model: "toy", reference_model: overrides.ref === null ? null : "toy", seed: 7, stage: 1, prefgen: "0.1.0",
      sampling: { questions: { temperature: 0.7, topP: 0.9, maxTokens: 256 }, responses: { temperature: 0.7, topP: 0.9, maxTokens: 512 } },
    },
  };
}
