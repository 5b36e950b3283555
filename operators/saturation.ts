import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent } from '../src/core/types.js';
import { SaturationDetector, type SaturationSide } from '../src/detectors/saturation.js';
import { checkBetween, checkInteger, checkOneOf, resolveSelect, type NumericSelectConfig } from '../src/detectors/select.js';
import { hysteresis } from './hysteresis.js';
import { numericConditions } from './internal/numeric.js';

export type { SaturationSide } from '../src/detectors/saturation.js';

export interface SaturationConfig<T = RewardEvent> extends NumericSelectConfig<T> {
  /** Values in the window. Default 100. */
  readonly window?: number;
  /** Active when at least this share of the window sits at a bound. Default 0.8. */
  readonly fraction?: number;
  /** "At a bound" = within this fraction of the range (floor..ceiling) from it. Default 0.01. */
  readonly tolerance?: number;
  /** Which bound to watch. Default `'both'`. */
  readonly side?: SaturationSide;
  /** Known ceiling of the reward. Default: learnt, the largest value seen. */
  readonly ceiling?: number;
  /** Known floor of the reward. Default: learnt, the smallest value seen. */
  readonly floor?: number;
  readonly hysteresis?: HysteresisConfig;
}

export const SATURATION_DEFAULTS = { window: 100, fraction: 0.8, tolerance: 0.01 } as const;

/** Raw per-value `Condition`s of {@link saturation} (before hysteresis). */
export function saturationConditions<T = RewardEvent>(config: SaturationConfig<T> = {}): OperatorFunction<T, Condition> {
  const name = 'saturation';
  const selection = resolveSelect(name, config);
  const window = checkInteger(name, 'window', config.window ?? SATURATION_DEFAULTS.window, 1);
  const fraction = checkBetween(name, 'fraction', config.fraction ?? SATURATION_DEFAULTS.fraction, 0, 1, 'high');
  const tolerance = checkBetween(name, 'tolerance', config.tolerance ?? SATURATION_DEFAULTS.tolerance, 0, 0.5, 'low');
  const side = checkOneOf(name, 'side', config.side ?? 'both', ['ceiling', 'floor', 'both']);
  const { ceiling, floor } = config;
  if (ceiling !== undefined && !Number.isFinite(ceiling)) throw new RangeError(`saturation ceiling must be finite, got ${String(ceiling)}`);
  if (floor !== undefined && !Number.isFinite(floor)) throw new RangeError(`saturation floor must be finite, got ${String(floor)}`);
  if (ceiling !== undefined && floor !== undefined && !(ceiling > floor)) {
    throw new RangeError(`saturation ceiling must be above floor, got ${String(ceiling)} <= ${String(floor)}`);
  }
  return numericConditions(selection, () => new SaturationDetector({ metric: selection.metric, window, fraction, tolerance, side, ceiling, floor }));
}

/**
 * Reports when most recent values sit at the ceiling (or floor) of the reward: context, at severity
 * `info` — a model that masters a binary task is saturated too.
 *
 * Like `varianceCollapse`, but about the share of values at a bound; `varianceCollapse` supplies the
 * exploit signature (a sudden rise to a saturated, variance-collapsed reward) that turns this
 * context into `hacking` in the verdict.
 *
 * ```
 * reward:  -0-1-0-1-1-1-1-|       binary reward (window 4, fraction 0.75)
 *          saturation({ window: 4, fraction: 0.75 })
 * alerts:  ---------o-----|       o = onset (info, proxy-rise): 75% of the last 4 at the ceiling 1
 * ```
 *
 * @example
 * ```ts
 * import { saturation } from 'goodhart/operators';
 * const pinned$ = events$.pipe(saturation({ ceiling: 1 }));
 * ```
 *
 * Statistic: share of the last `window` (100) values within `tolerance` (1%) of the range from the
 * ceiling (or floor), bounds configured or learnt as the largest/smallest value seen; active at
 * >= `fraction` (80%). Ceiling -> info `proxy-rise` ("pinned high", which the verdict pairs with an
 * exploit signature); floor -> info `info`. rewardspy raises a hacking alert when > 80% of rewards
 * are >= 0.99 of the max, which calls a binary task solved 85% of the time hacking; here that is
 * info. Warm-up: the first `window` values, and no judgement while every value seen is equal.
 * False alarms: none at warning by construction (info only). Evidence: atCeiling, atFloor, ceiling,
 * floor, window, missing. Cost: O(log w) per value.
 *
 * @see varianceCollapse
 * @see saturationConditions
 */
export function saturation<T = RewardEvent>(config: SaturationConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = saturationConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
