import { type KsAlternative, type KsMethod, type KsPValue, ksTwoSamplePValue } from './ks-p-value.js';
import { ksStatistics } from './ks-statistic.js';

/** Settings of {@link ksTwoSample}. */
export interface KsTwoSampleOptions {
  /** Default 'two-sided'. 'greater': the first sample's CDF lies above the second's somewhere. */
  readonly alternative?: KsAlternative;
  /** Default 'auto' (scipy's rule: exact when max(n1, n2) <= 10000). */
  readonly method?: KsMethod;
}

/**
 * Two-sample Kolmogorov–Smirnov test of two whole samples, as `scipy.stats.ks_2samp(first,
 * second, alternative, method)`: the exact statistic by sort + merge walk, then
 * {@link ksTwoSamplePValue}. For an alarm report, not per event (O(n log n) plus the p-value).
 *
 * @example
 * ksTwoSample([1, 2, 3], [2, 3, 4]); // { statistic: 1/3, pValue: 1, method: 'exact' }
 */
export function ksTwoSample(first: ArrayLike<number>, second: ArrayLike<number>, options: KsTwoSampleOptions = {}): KsPValue {
  const { alternative = 'two-sided', method = 'auto' } = options;
  if (first.length === 0 || second.length === 0) throw new RangeError('ksTwoSample requires two non-empty samples');
  const statistics = ksStatistics(first, second);
  const d = alternative === 'two-sided' ? statistics.statistic : alternative === 'greater' ? statistics.greater : statistics.less;
  return ksTwoSamplePValue(d, first.length, second.length, { alternative, method });
}
