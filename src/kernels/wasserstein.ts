/**
 * Wasserstein-1 (earth mover's) distance between two one-dimensional samples: the area between
 * their empirical CDFs, W1 = ∫ |U(x) − V(x)| dx, summed exactly over the gaps between consecutive
 * pooled values, as `scipy.stats.wasserstein_distance(u, v, uWeights, vWeights)` does.
 *
 * Optional non-negative weights (counts or masses, each side with a positive finite total) make
 * the CDFs weighted. Cost: O(n log n) for the sorts plus one merge walk; it copies the inputs, so
 * use it on demand (an alarm, a step summary), not per event. For two sliding windows the
 * incremental KS structures offer the same area in O(distinct values): `ValueKsBlocks#wasserstein`,
 * `IntegerKsTree#wasserstein`.
 *
 * @example
 * wassersteinDistance([0, 1, 3], [5, 6, 8]); // 5 (scipy docs)
 * wassersteinDistance([0, 1], [0, 1], [3, 1], [2, 2]); // 0.25 (scipy docs)
 */
export function wassersteinDistance(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  uWeights?: ArrayLike<number>,
  vWeights?: ArrayLike<number>,
): number {
  const first = sortedWithCumulativeWeights(u, uWeights, 'u');
  const second = sortedWithCumulativeWeights(v, vWeights, 'v');
  const uTotal = first.cumulative[first.values.length - 1]!;
  const vTotal = second.cumulative[second.values.length - 1]!;
  let i = 0;
  let j = 0;
  let area = 0;
  let previous = Math.min(first.values[0]!, second.values[0]!);
  // Walk the pooled values in order; between `previous` and the next value both CDFs are flat.
  while (i < first.values.length || j < second.values.length) {
    const nextU = i < first.values.length ? first.values[i]! : Number.POSITIVE_INFINITY;
    const nextV = j < second.values.length ? second.values[j]! : Number.POSITIVE_INFINITY;
    const value = nextU < nextV ? nextU : nextV;
    if (value > previous) {
      const uCdf = i === 0 ? 0 : first.cumulative[i - 1]! / uTotal;
      const vCdf = j === 0 ? 0 : second.cumulative[j - 1]! / vTotal;
      area += Math.abs(uCdf - vCdf) * (value - previous);
      previous = value;
    }
    while (i < first.values.length && first.values[i] === value) i++;
    while (j < second.values.length && second.values[j] === value) j++;
  }
  return area;
}

function sortedWithCumulativeWeights(
  values: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  name: string,
): { values: Float64Array; cumulative: Float64Array } {
  const n = values.length;
  if (n === 0) throw new RangeError(`wassersteinDistance ${name} sample must not be empty`);
  if (weights !== undefined && weights.length !== n) {
    throw new RangeError(`wassersteinDistance ${name} weights must have one entry per value (${weights.length} for ${n})`);
  }
  const order = Array.from({ length: n }, (_, k) => k);
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(values[k]!)) throw new RangeError(`wassersteinDistance ${name} sample has a non-finite value at ${k}`);
    const weight = weights === undefined ? 1 : weights[k]!;
    if (!(weight >= 0 && Number.isFinite(weight))) throw new RangeError(`wassersteinDistance ${name} weight at ${k} must be finite and >= 0, got ${weight}`);
  }
  order.sort((a, b) => values[a]! - values[b]!);
  const sorted = new Float64Array(n);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    sorted[k] = values[order[k]!]!;
    total += weights === undefined ? 1 : weights[order[k]!]!;
    cumulative[k] = total;
  }
  if (!(total > 0 && Number.isFinite(total))) throw new RangeError(`wassersteinDistance ${name} weights must have a positive finite sum`);
  return { values: sorted, cumulative };
}
