/**
 * The pure state behind `windowStats()`: rolling mean, std, CV, min, max, median and quantiles of
 * the last `window` finite values of a series.
 *
 * Mean, std and CV come from RollingMoments (compensated sums, O(1) per value); min, max, median
 * and the quantiles from RollingQuantiles (a sorted copy of the window: O(log w) comparisons and
 * one memmove per value, each read O(1)). The sorted copy already holds the extremes, so a
 * SlidingMinMax beside it would only duplicate them. Missing values are skipped and counted.
 * Every number emitted is finite: the kernels scale by exact powers of two (a window of ±1e308 has
 * a mean and a std), and `cv` is left out where it is undefined (mean 0).
 */
import { RollingMoments } from '../kernels/rolling-moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';

/** The statistics of the window after one value. */
export interface WindowStats {
  readonly metric: string;
  readonly step: number;
  /** Values in the window (at most `window`). */
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (ddof 1; 0 for one value). */
  readonly std: number;
  /**
   * Coefficient of variation `std / mean`; absent when it does not exist: the mean is 0 (a window
   * of zeros, or values that cancel) or the ratio leaves the double range. Never NaN or Infinity.
   */
  readonly cv?: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
  /** The window's quantiles at the configured probabilities, in their order (type 7). */
  readonly quantiles: readonly number[];
  /** Missing (undefined or non-finite) values skipped so far. */
  readonly missing: number;
}

export class WindowStatsState {
  private readonly metric: string;
  private readonly probabilities: readonly number[];
  private readonly moments: RollingMoments;
  private readonly order: RollingQuantiles;
  private missingCount = 0;

  constructor(metric: string, window: number, probabilities: readonly number[]) {
    this.metric = metric;
    this.probabilities = probabilities;
    this.moments = new RollingMoments(window);
    this.order = new RollingQuantiles(window);
  }

  /** Adds a value (or counts a missing one); returns the window's statistics after a value. */
  next(value: number | undefined, step: number): WindowStats | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    this.moments.push(value);
    this.order.push(value);
    const { moments, order } = this;
    const cv = moments.cv;
    return {
      metric: this.metric,
      step,
      count: order.count,
      mean: moments.mean,
      std: moments.std,
      ...(Number.isFinite(cv) ? { cv } : {}),
      min: order.min,
      max: order.max,
      median: order.median,
      quantiles: this.probabilities.map((p) => order.quantile(p)),
      missing: this.missingCount,
    };
  }
}
