/** Two-sample Kolmogorov–Smirnov statistics of a reference sample (1) against a recent one (2). */
export interface KsStatistics {
  /** D = max |F1 - F2| over the pooled values, in [0, 1]. */
  readonly statistic: number;
  /** D+ = max (F1 - F2), clipped at 0: scipy's `alternative='greater'` statistic. */
  readonly greater: number;
  /** D- = max (F2 - F1), clipped at 0: scipy's `alternative='less'` statistic. */
  readonly less: number;
}

/**
 * Exact two-sample Kolmogorov–Smirnov statistics of two **sorted** samples by one merge walk.
 *
 * The empirical CDFs are right-continuous and compared at every pooled value, so ties (within
 * or across samples) are handled as `scipy.stats.ks_2samp` does (`searchsorted(side='right')`).
 * Differences are taken on integer counts, (i·n2 − j·n1) / (n1·n2), so there is one rounding.
 * Cost: O(n1 + n2) time, no allocation beyond the result. Empty input gives NaN statistics.
 *
 * This is the plain recomputation the incremental structures are checked and benchmarked
 * against; use {@link ksStatistics} for unsorted input.
 *
 * @example
 * ksStatisticsSorted([1, 2, 3], [2, 3, 4]); // { statistic: 1/3, greater: 1/3, less: 0 } (scipy testEqualSizes)
 */
export function ksStatisticsSorted(first: ArrayLike<number>, second: ArrayLike<number>): KsStatistics {
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0) return { statistic: Number.NaN, greater: Number.NaN, less: Number.NaN };
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n1 && j < n2) {
    const a = first[i]!;
    const b = second[j]!;
    const value = a <= b ? a : b;
    while (i < n1 && first[i]! <= value) i++;
    while (j < n2 && second[j]! <= value) j++;
    const diff = i * n2 - j * n1;
    if (diff > maxDiff) maxDiff = diff;
    else if (diff < minDiff) minDiff = diff;
  }
  // Once one sample is used up, the other's CDF only climbs towards 1: the gap shrinks
  // monotonically, so the extremes are already seen.
  const scale = n1 * n2;
  const greater = maxDiff / scale;
  const less = (0 - minDiff) / scale; // 0 - 0 is +0, where -0 would leak out
  return { statistic: greater > less ? greater : less, greater, less };
}

/**
 * Exact two-sample Kolmogorov–Smirnov statistics of two unsorted samples: copies, sorts and runs
 * {@link ksStatisticsSorted}. Cost: O(n log n) time, O(n) scratch. Non-finite values are
 * rejected with a RangeError.
 *
 * @example
 * ksStatistics([1], [1]).statistic; // 0 (ties across samples do not count as a gap)
 */
export function ksStatistics(first: ArrayLike<number>, second: ArrayLike<number>): KsStatistics {
  return ksStatisticsSorted(sortedCopy(first, 'first'), sortedCopy(second, 'second'));
}

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const copy = Float64Array.from(values);
  for (const value of copy) {
    if (!Number.isFinite(value)) throw new RangeError(`ksStatistics ${name} sample contains a non-finite value (${value})`);
  }
  return copy.sort();
}

/*
 * The statistics from prefix-sum extremes, as the incremental structures (IntegerKsTree,
 * ValueKsBlocks) keep them: with weight a per reference copy and −b per recent copy,
 * (a, b) ∝ (nRec, nRef), the running sum after each distinct value in order is
 * a·nRef·(F_ref − F_rec) there, so D+ = max prefix / scale and D- = −min prefix / scale with
 * scale = a·nRef. Both are ≥ 0 and never −0 (an empty prefix counts as 0).
 */

/** D = max(D+, D-) from the max and min prefix sums. */
export function ksFromPrefixExtremes(maxPrefix: number, minPrefix: number, scale: number): number {
  const less = 0 - minPrefix; // +0, never -0
  return (maxPrefix > less ? maxPrefix : less) / scale;
}

/** D+ = max (F_ref − F_rec) from the max prefix sum. */
export function ksGreaterFromPrefix(maxPrefix: number, scale: number): number {
  return (maxPrefix > 0 ? maxPrefix : 0) / scale;
}

/** D- = max (F_rec − F_ref) from the min prefix sum. */
export function ksLessFromPrefix(minPrefix: number, scale: number): number {
  const value = -minPrefix;
  return (value > 0 ? value : 0) / scale;
}
