/**
 * Average ranks (1-based; tied values share the mean of the ranks they span), the transform
 * behind Spearman's correlation: a statistic computed on ranks is moved by one extreme point no
 * more than by any other. O(n log n).
 *
 * @example averageRanks([10, 30, 20, 20], 4, new Float64Array(4)) // => [1, 4, 2.5, 2.5]
 */
export function averageRanks(values: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const rank = (i + j + 1) / 2; // mean of the 1-based ranks i+1 .. j
    for (let k = i; k < j; k++) out[order[k]!] = rank;
    i = j;
  }
  return out;
}
