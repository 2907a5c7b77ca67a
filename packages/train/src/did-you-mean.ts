// didYouMean: the closest known name to a mistyped option or config key (Levenshtein distance, case-insensitive).

/** Levenshtein edit distance (insertions, deletions, substitutions) between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Lower case without `-` and `_`, so that `max-new-tokens`, `maxNewTokens` and `max_new_tokens` compare equal. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

/**
 * The known name closest to `name`: within an edit distance of max(2, a third of its length), or one that starts
 * with it (`warmup` → `warmupRatio`); undefined when none is close.
 *
 * @example
 * didYouMean("temprature", ["temperature", "top-k"]); // "temperature"
 */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const target = fold(name);
  if (target === "") return undefined;
  const limit = Math.max(2, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const folded = fold(candidate);
    let d = editDistance(target, folded);
    if (d > limit && target.length >= 4 && folded.startsWith(target)) d = limit; // a prefix counts as close
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
