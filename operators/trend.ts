import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, Severity, StepRecord } from '../src/core/types.js';
import type { ShiftDirection } from '../src/detectors/mean-shift.js';
import { checkInteger, checkOneOf, checkPositive, checkSeverity, resolveSelect, VALUE_SCALES, type NumericSelectConfig, type ValueScale } from '../src/detectors/select.js';
import { TrendDetector } from '../src/detectors/trend.js';
import { hysteresis } from './hysteresis.js';
import { numericConditions } from './internal/numeric.js';

export interface TrendConfig<T = StepRecord> extends NumericSelectConfig<T> {
  /** Values spanned by one change (x_t − x_{t−lag}). Default 3. */
  readonly lag?: number;
  /** Past changes in the baseline window. Default 50. */
  readonly window?: number;
  /** Past changes before anything is judged. Default 10 (capped at `window`). */
  readonly minChanges?: number;
  /** Robust z of the change beyond which it is unusual. Default 4. */
  readonly z?: number;
  /** Effect-size floor: |change| / |x_{t−lag}| at least this. Default 0.5 (a 50% move over `lag` values). */
  readonly minRelative?: number;
  /** Judged values in a row on which the rule must hold. Default 2. */
  readonly persistence?: number;
  /**
   * Judge changes of the value (`'linear'`) or of its logarithm (`'log'`: ratios). Default
   * `'linear'`. Use `'log'` for a positive series whose noise grows with its level (KL: the step
   * pipeline sets it for `klTrend`); a change from or to a value <= 0 is then not judged
   * (evidence `nonPositive`).
   */
  readonly scale?: ValueScale;
  /** Which moves to report. Default `'both'`. */
  readonly direction?: ShiftDirection;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  readonly hysteresis?: HysteresisConfig;
}

export const TREND_DEFAULTS = { lag: 3, window: 50, minChanges: 10, z: 4, minRelative: 0.5, persistence: 2, scale: 'linear' } as const;

/** Raw `Condition`s of {@link trend} (before hysteresis). Validates the config at call time. */
export function trendConditions<T = StepRecord>(config: TrendConfig<T> = {}): OperatorFunction<T, Condition> {
  const name = 'trend';
  const d = TREND_DEFAULTS;
  const selection = resolveSelect(name, config, 'kl');
  const lag = checkInteger(name, 'lag', config.lag ?? d.lag, 1);
  const window = checkInteger(name, 'window', config.window ?? d.window, 3);
  const minChanges = Math.min(window, checkInteger(name, 'minChanges', config.minChanges ?? d.minChanges, 3));
  const z = checkPositive(name, 'z', config.z ?? d.z);
  const minRelative = checkPositive(name, 'minRelative', config.minRelative ?? d.minRelative, true);
  const persistence = checkInteger(name, 'persistence', config.persistence ?? d.persistence, 1);
  const direction = checkOneOf(name, 'direction', config.direction ?? 'both', ['up', 'down', 'both']);
  const severity = checkSeverity(name, 'severity', config.severity ?? 'warning');
  const scale = checkOneOf(name, 'scale', config.scale ?? d.scale, VALUE_SCALES);
  return numericConditions(
    selection,
    () => new TrendDetector({ metric: selection.metric, lag, window, minChanges, z, minRelative, persistence, direction, severity, scale }),
  );
}

/**
 * Detects a persistent, accelerating change of a step-level series — a KL or entropy blow-up, an
 * entropy collapse, a sudden length creep — while a smooth drift at the run's usual pace stays
 * quiet; signal `instability`.
 *
 * Like `spike`, but on the change over `lag` steps rather than the level; like `meanShift`, but
 * for a run-away rather than a step to a new level.
 *
 * ```
 * kl:      -a-b-c-d-e-f-g-h-i-j-k-l-X-Y-Z-|   a..l grow smoothly, then X, Y, Z grow x3 per step
 *          trend({ minChanges: 5, lag: 1 })
 * alerts:  ---------------------------o---|   o = onset at the second unusual change (Y)
 * ```
 *
 * @example
 * ```ts
 * import { trend } from 'goodhart/operators';
 * const kl$ = steps$.pipe(trend({ metric: 'kl', direction: 'up' }));
 * const entropy$ = steps$.pipe(trend({ metric: 'entropy' }));
 * ```
 *
 * Statistic: the change d = x_t − x_{t−3} against the median and 1.4826 · MAD of the series' past
 * 3-step changes (the last 50, those overlapping d excluded); active when z > 4 AND |d| >= 50% of
 * |x_{t−3}| on 2 consecutive steps. Why: healthy metrics drift (KL grows, entropy falls) at a
 * pace the run sets, so a fixed slope or level threshold either floods healthy runs or misses the
 * blow-up; comparing with the run's own typical change is scale-free, and the relative floor keeps
 * a statistically unusual but small move (a noiseless series, a 25% blip) from counting. On the
 * real verl PPO baseline KL rises 0 -> 0.126 over 105 steps and entropy falls 0.42 -> 0.15: the
 * largest move, the KL blip 0.106 -> 0.128 -> 0.111 at step 73, lasts one step and is +23% over 3
 * steps, so nothing fires; in the TRL GRPO collapse log the entropy 0.51 -> 0.90 -> 1.71 -> 3.93
 * fires at step 160 (and earlier at step 95, where it tripled 0.15 -> 0.51 in 15 steps while the
 * reward fell 0.83 -> 0.51). A steady compounding below the floor (KL x1.05 per step: +16% over 3
 * steps, statistically unusual but under 50%) is left to `spike`, which flags it once the level
 * leaves the range of the last 50 steps (7-10 steps in): the floor is what keeps such small but
 * unusual moves of near-noiseless series quiet here. With `scale: 'log'` (set by the step pipeline
 * for KL) the changes are of log(x): KL noise is multiplicative, so absolute changes
 * taken once KL has risen are larger than the past ones, learnt at a lower level, for no reason
 * but the level; ratios have one noise size throughout, and a KL growing as t² has shrinking log
 * changes (2·lag/t), so its healthy rise can only look calmer than its past. A Mann–Kendall or Theil–Sen slope over a short window was the alternative: it answers "is
 * there a trend", which a healthy run always has, not "is the trend running away".
 * False alarms: the two conditions together on two steps in a row; for independent normal
 * changes P(z > 4) ≈ 3e-5 per step, so noise alone almost never holds twice, and the floor
 * rules out noise around a large level. Warm-up: `lag` + `minChanges` (10) values. A series whose
 * changes are all identical (no spread) is not judged, and once they start to vary the baseline
 * restarts from one of them and `minChanges` applies again: KL exactly 0 for the first steps gives
 * changes of 0, against which the first changes of an ordinary slow rise would be tens of robust
 * sds out. Use it on step aggregates (KL, entropy,
 * length/mean), not on per-sample values. Evidence: latest, before, change, relative, z,
 * changeMedian, changeScale, lag, streak, persistence, minRelative, baselineChanges, missing,
 * logScale, nonPositive (changes not judged for an end <= 0 on the log scale).
 * Cost: O(log w) + amortised O(1) per value.
 *
 * @see trendConditions
 * @see spike
 * @see meanShift
 */
export function trend<T = StepRecord>(config: TrendConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = trendConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
