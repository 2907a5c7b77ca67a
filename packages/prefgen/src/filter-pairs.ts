// Stage 4: run the filters over responses.jsonl and append the pairs they keep to filtered.jsonl.
import { openJsonlAppender, readJsonlEntries, readKeys } from "@longpo/io";
import { applyFilters, defaultFilters, summarizeVerdicts, type FilterSummary, type FilterVerdict, type PairFilter } from "./filters.ts";
import { PreferencePair } from "./preference-pair.ts";
import { RawLine, runBatched, stageLog, stageProgress } from "./_stage.ts";
import type { StageCommon, StageReport } from "./stage-records.ts";

/** Options of {@link filterPairs}. */
export interface FilterPairsOptions extends StageCommon {
  /** The `responses.jsonl` of stage 3. */
  input: string;
  /** The `filtered.jsonl` to append kept pairs to. */
  output: string;
  /** Filters in the order they run; default {@link defaultFilters}`()`. */
  filters?: readonly PairFilter[];
}

/**
 * Stage 4: apply the filters to every pair; append the kept ones not yet in `output`. Filters are pure and cheap,
 * so the summary covers the whole input on every run (a resumed run reports the same counts).
 * @returns the stage report plus the {@link FilterSummary} (pairs in, kept, dropped per filter)
 */
export async function filterPairs(options: FilterPairsOptions): Promise<StageReport & { summary: FilterSummary }> {
  const filters = options.filters ?? defaultFilters();
  const done = await readKeys(options.output, PreferencePair, (p) => p.id);
  const out = openJsonlAppender(options.output);
  const progress = stageProgress("filter", options);
  const verdicts: FilterVerdict[] = [];
  async function* kept(): AsyncGenerator<{ value: PreferencePair; text: string }> {
    for await (const entry of readJsonlEntries(options.input, PreferencePair)) {
      const verdict = applyFilters(entry.value, filters);
      verdicts.push(verdict);
      if (verdict.kept) yield entry;
    }
  }
  try {
    const { written, skipped } = await runBatched({
      items: kept(),
      keyOf: (e) => e.value.id,
      done,
      batchSize: 256,
      out,
      progress,
      // The line passes through unchanged: append its text rather than serialising it again.
      handle: async (entries) => entries.map((e) => new RawLine(e.text)),
    });
    progress?.finish();
    const summary = summarizeVerdicts(verdicts, filters);
    stageLog(options)(`filter: ${summary.kept} of ${summary.total} pair(s) kept (${written} written now, ${skipped} already there); dropped ${JSON.stringify(summary.dropped)}`);
    return { stage: "filter", written, skipped, dropped: summary.dropped, summary };
  } finally {
    out.close();
  }
}
