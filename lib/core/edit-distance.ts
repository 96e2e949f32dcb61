/**
 * Edit distance (Levenshtein: insertions, deletions and substitutions of one UTF-16 code unit each, by the
 * two-row dynamic programme of Wagner & Fischer 1974) and the nearest names of a list, for "did you mean"
 * answers to a mistyped feature name, flag or command.
 */

/** The Levenshtein distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const substitution = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, substitution);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The `k` candidates nearest to `name` by edit distance (ties: the candidates' own order), deterministic. An
 * empty list when there are no candidates.
 */
export function nearestNames(name: string, candidates: readonly string[], k = 3): string[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, d: editDistance(name, candidate) }))
    .sort((x, y) => x.d - y.d || x.index - y.index)
    .slice(0, Math.max(0, k))
    .map((x) => x.candidate);
}
