/**
 * The known name a misspelt one was most likely meant to be, for "did you mean" hints: the
 * closest by edit distance (insertions, deletions, substitutions and swaps of two neighbouring
 * characters, case ignored), when it is close enough to be a typo rather than another word.
 */

/**
 * Optimal string alignment distance: the edits (insert, delete, substitute, swap two adjacent
 * characters) that turn `a` into `b`, no substring edited twice. O(|a|·|b|) time, O(|b|) memory.
 */
export function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The name of `known` closest to `name`, or `undefined` when none is within a third of the
 * longer name's length (at least one edit): `threshhold` gives `threshold`, `nope` nothing.
 * Ties go to the earlier name in `known`.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(wanted.length, candidate.length) / 3));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The hint for a misspelt `name`: ` (did you mean <closest>?)`, or `''` when no known name is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const guess = closestName(name, known);
  return guess === undefined ? '' : ` (did you mean ${guess}?)`;
}
