import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, AlertSignal, RewardEvent, Severity } from '../src/core/types.js';
import { MeanShiftDetector, type MeanShiftOptions, type ShiftDirection } from '../src/detectors/mean-shift.js';
import {
  checkInteger,
  checkOneOf,
  checkPositive,
  checkSeverity,
  isStepRecordLike,
  resolveSelect,
  type NumericSelectConfig,
} from '../src/detectors/select.js';
import { hysteresis } from './hysteresis.js';
import { numericConditions } from './internal/numeric.js';

export type { ShiftDirection } from '../src/detectors/mean-shift.js';

/** Granularity of the watched series: one value per sample, or one aggregate per trainer step. */
export type Granularity = 'sample' | 'step';

export interface MeanShiftConfig<T = RewardEvent> extends NumericSelectConfig<T> {
  /**
   * `'step'` (one aggregate per step) or `'sample'` (one value per sample); sets the defaults of
   * `h` and `warmup`. Default: `'step'` when the first item is a StepRecord, else `'sample'`.
   */
  readonly granularity?: Granularity;
  /** Finite values in the warm-up window. Default 20 for steps, 200 for samples. */
  readonly warmup?: number;
  /**
   * Values after an alarm before the chart watches again, against a provisional baseline (their
   * mean, the previous sd) until a full warm-up from the alarm on replaces it; on a binary series,
   * not before they hold both values. Default 5 (capped at `warmup`).
   */
  readonly rewarmup?: number;
  /** CUSUM slack in baseline sds. Default 0.5 (tuned to a 1 sd shift). */
  readonly k?: number;
  /**
   * CUSUM decision interval in baseline sds. Default 5 for steps (ARL0 ≈ 465), 12 for samples (ARL0 ≈ 520k).
   * On a binary series (two values only) each side's interval is widened to keep the same false-alarm
   * bound (see the operator's "Binary series").
   */
  readonly h?: number;
  /** A warm-up sd at or below this (in value units) is degenerate and warm-up goes on. Default 0. */
  readonly minScale?: number;
  /** Which shifts to report. Default `'both'`. */
  readonly direction?: ShiftDirection;
  /** Signal of an upward shift. Default `'proxy-rise'` (a rising proxy reward is context). */
  readonly signalUp?: AlertSignal;
  /** Signal of a downward shift. Default `'info'`. */
  readonly signalDown?: AlertSignal;
  /** Severity of both sides unless overridden. Default `'info'`. */
  readonly severity?: Severity;
  /** Severity of an upward shift. Default `severity`. */
  readonly severityUp?: Severity;
  /** Severity of a downward shift. Default `severity`. */
  readonly severityDown?: Severity;
  /** Passed to `hysteresis()`. Default hysteresis defaults. */
  readonly hysteresis?: HysteresisConfig;
}

const REWARMUP = 5;
const DIRECTIONS: readonly ShiftDirection[] = ['up', 'down', 'both'];
const SIGNALS: readonly AlertSignal[] = ['proxy-rise', 'exploit', 'collapse', 'instability', 'info'];

/** Defaults per granularity (see ALGORITHMS.md, "CUSUM parameters"). */
export const MEAN_SHIFT_DEFAULTS = {
  k: 0.5,
  step: { h: 5, warmup: 20 },
  sample: { h: 12, warmup: 200 },
} as const;

const GRANULARITIES: readonly Granularity[] = ['sample', 'step'];

function checkSignal(field: string, value: AlertSignal): AlertSignal {
  return checkOneOf('meanShift', field, value, SIGNALS);
}

/**
 * Raw per-value `Condition`s of {@link meanShift} (before hysteresis), for composing detectors.
 * Validates the config at call time.
 */
export function meanShiftConditions<T = RewardEvent>(config: MeanShiftConfig<T> = {}): OperatorFunction<T, Condition> {
  const selection = resolveSelect('meanShift', config);
  const granularity = config.granularity === undefined ? undefined : checkOneOf('meanShift', 'granularity', config.granularity, GRANULARITIES);
  if (config.warmup !== undefined) checkInteger('meanShift', 'warmup', config.warmup, 2);
  if (config.rewarmup !== undefined) checkInteger('meanShift', 'rewarmup', config.rewarmup, 1);
  if (config.h !== undefined) checkPositive('meanShift', 'h', config.h);
  const k = checkPositive('meanShift', 'k', config.k ?? MEAN_SHIFT_DEFAULTS.k, true);
  const minScale = checkPositive('meanShift', 'minScale', config.minScale ?? 0, true);
  const direction = checkOneOf('meanShift', 'direction', config.direction ?? 'both', DIRECTIONS);
  const severity = checkSeverity('meanShift', 'severity', config.severity ?? 'info');
  const severityUp = checkSeverity('meanShift', 'severityUp', config.severityUp ?? severity);
  const severityDown = checkSeverity('meanShift', 'severityDown', config.severityDown ?? severity);
  const signalUp = checkSignal('signalUp', config.signalUp ?? 'proxy-rise');
  const signalDown = checkSignal('signalDown', config.signalDown ?? 'info');
  return numericConditions(selection, (first) => {
    const defaults = MEAN_SHIFT_DEFAULTS[granularity ?? (isStepRecordLike(first) ? 'step' : 'sample')];
    const options: MeanShiftOptions = {
      metric: selection.metric,
      warmup: config.warmup ?? defaults.warmup,
      rewarmup: Math.min(config.warmup ?? defaults.warmup, config.rewarmup ?? REWARMUP),
      k,
      h: config.h ?? defaults.h,
      minScale,
      direction,
      signalUp,
      signalDown,
      severityUp,
      severityDown,
    };
    return new MeanShiftDetector(options);
  });
}

/**
 * Detects a sudden sustained change of the mean of a series (two-sided tabular CUSUM on values
 * standardized by a warm-up baseline), so units never matter.
 *
 * Like `trend`, but for a level step rather than a persistent acceleration; like
 * `varianceCollapse`, but watching the mean instead of the spread.
 *
 * ```
 * reward:  -a-a-a-a-b-b-b-b-|     a ~ N(0.2, 0.1) (warm-up: 3 values here), b ~ N(0.5, 0.1)
 *          meanShift({ warmup: 3, h: 5 })
 * alerts:  ---------o-------|     o = onset: "mean reward shifted up 0.2 -> 0.5 (CUSUM 7.5 > 5, 3 sd) since step 4"
 * ```
 *
 * @example
 * ```ts
 * import { meanShift } from 'goodhart/operators';
 * import type { StepRecord } from 'goodhart';
 * const rise$ = steps$.pipe(meanShift<StepRecord>({ metric: 'reward/mean' }));
 * const drop$ = steps$.pipe(meanShift<StepRecord>({
 *   metric: 'reward/mean', direction: 'down', severityDown: 'warning', signalDown: 'instability',
 * }));
 * ```
 *
 * Statistic: z = (x - mean0) / sd0 with mean0, sd0 from the first `warmup` finite values;
 * S+ = max(0, S+ + z - k), S- = max(0, S- - z - k); alarm when a sum exceeds h (Page 1954;
 * Montgomery §9.1). Defaults k = 0.5 and, by granularity, h = 5 on step aggregates (in-control
 * ARL0 ≈ 465 observations per false alarm for a two-sided chart, a 1 sd shift found in ≈ 10) or
 * h = 12 on per-sample values (ARL0 ≈ 520k, a 1 sd shift in ≈ 24; h = 5 per sample would false-alarm
 * every few hundred samples) — Siegmund's approximation, ALGORITHMS.md "CUSUM parameters". These
 * ARLs assume independent values and a known baseline; a baseline estimated from `warmup` values
 * shortens them (the larger default warm-up for samples keeps the mean error ≈ 0.07 sd).
 * Binary series (only two distinct values so far, e.g. per-sample correctness rewards at any scale):
 * the ARLs above are for roughly symmetric values, and a binary value at a success rate of 0.03 is a
 * +5.7 sd jump, so h = 12 sds would alarm once per ~1,000 values. The chart's false-alarm bound is
 * e^{-θH} per excursion (Lundberg/Lorden), θ the positive root of E[exp(θ(z - k))] = 1: 2k for
 * Gaussian values, so h gives e^{-2kh}. For a binary series each side's interval is widened to
 * 2kh / θ with θ of the Bernoulli distribution at the baseline's proportion (never narrowed below
 * h), which makes the chart the Bernoulli likelihood-ratio CUSUM with at least the Gaussian chart's
 * bound: measured, stationary success rates 0.01 to 0.99 give at most a few alarms per 10^6 values,
 * as Gaussian values do; a rise from 0.03 to 0.2 is found in ≈ 55 values (median). A side that
 * cannot move k sd within the two values (up from a rate above 0.8) never alarms. A third distinct
 * value ends the binary treatment.
 * Warm-up and recovery: a warm-up window with zero spread (all equal, e.g. all-zero rewards) does
 * not freeze: it slides on until it shows spread, so a degenerate start recovers. After an alarm
 * the chart re-centres on the new level (the mean of the next `rewarmup` values, old sd; on a binary
 * series once those hold both values, as a proportion of 0 or 1 says nothing of the rarer value's
 * rate) and keeps watching, so a second shift is caught as well; a fresh warm-up from the alarm on
 * then replaces that provisional baseline. The episode resolves once values are in control around
 * the new level.
 * Output: conditions piped through `hysteresis(config.hysteresis)`. An upward shift is `proxy-rise`
 * and a downward one `info`, both at `info` by default: a rising proxy is context for the verdict,
 * not a problem; pipelines pick `signalDown: 'instability'` with `severityDown: 'warning'` for a
 * reward that drops. Evidence: beforeMean, baselineStd, afterMean, shiftSd, cusum, h, k,
 * changeStep, missing. Missing values are skipped and counted.
 * Cost: O(1) per value.
 *
 * @see meanShiftConditions the raw conditions
 * @see TabularCusum the kernel
 * @see hysteresis
 */
export function meanShift<T = RewardEvent>(config: MeanShiftConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = meanShiftConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
