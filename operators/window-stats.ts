import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { RewardEvent } from '../src/core/types.js';
import { checkInteger, finiteOrMissing, resolveSelect, type NumericSelectConfig } from '../src/detectors/select.js';
import { WindowStatsState, type WindowStats } from '../src/detectors/window-stats.js';

export type { WindowStats } from '../src/detectors/window-stats.js';

export interface WindowStatsConfig<T = RewardEvent> extends NumericSelectConfig<T> {
  /** Values in the rolling window. Default 100. */
  readonly window?: number;
  /** Probabilities of the reported quantiles, each in [0, 1]. Default `[0.05, 0.25, 0.75, 0.95]`. */
  readonly quantiles?: readonly number[];
}

export const WINDOW_STATS_DEFAULTS = { window: 100, quantiles: [0.05, 0.25, 0.75, 0.95] } as const;

/**
 * Rolling summary statistics of a series: per finite value, the mean, std, CV, min, max, median
 * and quantiles of the last `window` values, for charts, reports and custom rules.
 *
 * Like `summarizeSteps`, but over a sliding window of one series instead of per trainer step; a
 * metric operator, not a detector: it emits statistics, never alerts.
 *
 * ```
 * reward:  -a-b-c-d-|        1, 2, 3, 10
 *          windowStats({ window: 3 })
 * stats:   -w-x-y-z-|        mean 1, 1.5, 2, 5; median 1, 1.5, 2, 3; max 1, 2, 3, 10
 * ```
 *
 * @example
 * ```ts
 * import { windowStats } from 'goodhart/operators';
 * import type { StepRecord } from 'goodhart';
 * const kl$ = steps$.pipe(windowStats<StepRecord>({ metric: 'kl', window: 20, quantiles: [0.1, 0.9] }));
 * kl$.subscribe((s) => console.log(s.step, s.median, s.quantiles[1]));
 * ```
 *
 * Statistics: mean, sample std (ddof 1) and CV = std / mean (left out at mean 0, where it does
 * not exist: every number emitted is finite) from RollingMoments; min, max, median
 * and the quantiles (linear interpolation, Hyndman & Fan type 7 as numpy's default) from
 * RollingQuantiles. An output per finite value from the first one on (check `count` for a full
 * window); missing values (undefined, NaN, ±Infinity) emit nothing and are counted in `missing`.
 * Cost: O(log w) comparisons + one memmove of the sorted window + O(number of quantiles) per value.
 *
 * @see summarizeSteps
 * @see RollingMoments
 * @see RollingQuantiles
 */
export function windowStats<T = RewardEvent>(config: WindowStatsConfig<T> = {}): OperatorFunction<T, WindowStats> {
  const selection = resolveSelect('windowStats', config);
  const window = checkInteger('windowStats', 'window', config.window ?? WINDOW_STATS_DEFAULTS.window, 1);
  const requested: unknown = config.quantiles ?? WINDOW_STATS_DEFAULTS.quantiles;
  if (!Array.isArray(requested)) throw new TypeError('windowStats quantiles must be an array of probabilities');
  const probabilities = (requested as readonly unknown[]).map((p) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new RangeError(`windowStats quantiles must lie in [0, 1], got ${String(p)}`);
    }
    return p;
  });
  return (source) =>
    defer(() => {
      const state = new WindowStatsState(selection.metric, window, probabilities);
      return source.pipe(
        map((item) => state.next(finiteOrMissing(selection.select(item)), selection.step(item))),
        filter((stats): stats is WindowStats => stats !== undefined),
      );
    });
}
