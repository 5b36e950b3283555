import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, Severity } from '../src/core/types.js';
import type { ShiftDirection } from '../src/detectors/mean-shift.js';
import {
  checkBetween,
  checkInteger,
  checkOneOf,
  checkPositive,
  checkSeverity,
  isStepRecordLike,
  resolveSelect,
  type NumericSelectConfig,
  VALUE_SCALES,
  type ValueScale,
} from '../src/detectors/select.js';
import type { BaselineFit } from '../src/detectors/robust-baseline.js';
import { SpikeDetector } from '../src/detectors/spike.js';
import { hysteresis } from './hysteresis.js';
import { numericConditions } from './internal/numeric.js';
import type { Granularity } from './mean-shift.js';

export interface SpikeConfig<T = RewardEvent> extends NumericSelectConfig<T> {
  /** Sets the window defaults. Default: `'step'` when the first item is a StepRecord, else `'sample'`. */
  readonly granularity?: Granularity;
  /** Values in the baseline window. Default 50 for steps, 500 for samples. */
  readonly window?: number;
  /** Baseline values before anything is judged. Default 20 for steps, 100 for samples (capped at `window`). */
  readonly warmup?: number;
  /** Robust z beyond which a value is extreme. Default 3.5 (Iglewicz & Hoaglin's outlier cut-off). */
  readonly z?: number;
  /** Extreme values among the last `span` for an active condition. Default 3. */
  readonly hits?: number;
  /** The last values inspected for `hits`, also held out of the baseline. Default 5. */
  readonly span?: number;
  /** A value is extreme only if at most this share of the baseline is as extreme. Default 0.01. */
  readonly maxTailShare?: number;
  /**
   * Effect-size floor: a value is extreme only if it differs from the baseline median by at least
   * this fraction of |median|. Default 0.5. Use 0 for series whose level carries no meaning (a
   * reward with an arbitrary offset).
   */
  readonly minRelative?: number;
  /** Which side to watch. Default `'both'`. */
  readonly direction?: ShiftDirection;
  /**
   * Judge the value (`'linear'`) or its logarithm (`'log'`). Default `'linear'`. Use `'log'` for a
   * positive series whose noise grows with its level (KL, a grad norm: the step pipeline sets it
   * for KL); values <= 0 then count as missing (evidence `nonPositive`). Not for series that
   * cross 0 or sit at 0 often (a reward, an advantage, a grad norm that is 0 on steps without
   * gradient: its zeros would leave too few values to judge).
   */
  readonly scale?: ValueScale;
  /**
   * The baseline's centre: `'median'` (default), or `'line'`: Tukey's resistant line through the
   * baseline window, extrapolated to the value under test, with the scale of its residuals. Use
   * `'line'` for a series that trends through a run (KL, a grad norm: the step pipeline sets it for KL),
   * whose median lags the newest values by half a window plus `span`.
   */
  readonly baseline?: BaselineFit;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  readonly hysteresis?: HysteresisConfig;
}

export const SPIKE_DEFAULTS = {
  z: 3.5,
  hits: 3,
  span: 5,
  maxTailShare: 0.01,
  minRelative: 0.5,
  scale: 'linear',
  baseline: 'median',
  step: { window: 50, warmup: 20 },
  sample: { window: 500, warmup: 100 },
} as const;

/** Raw `Condition`s of {@link spike} (before hysteresis). Validates the config at call time. */
export function spikeConditions<T = RewardEvent>(config: SpikeConfig<T> = {}): OperatorFunction<T, Condition> {
  const name = 'spike';
  const d = SPIKE_DEFAULTS;
  const selection = resolveSelect(name, config);
  const granularity = config.granularity === undefined ? undefined : checkOneOf(name, 'granularity', config.granularity, ['sample', 'step']);
  if (config.window !== undefined) checkInteger(name, 'window', config.window, 3);
  if (config.warmup !== undefined) checkInteger(name, 'warmup', config.warmup, 3);
  const z = checkPositive(name, 'z', config.z ?? d.z);
  const span = checkInteger(name, 'span', config.span ?? d.span, 1);
  const hits = checkInteger(name, 'hits', config.hits ?? d.hits, 1);
  if (hits > span) throw new RangeError(`spike hits must be <= span, got ${hits} > ${span}`);
  const maxTailShare = checkBetween(name, 'maxTailShare', config.maxTailShare ?? d.maxTailShare, 0, 1, 'both');
  const minRelative = checkPositive(name, 'minRelative', config.minRelative ?? d.minRelative, true);
  const direction = checkOneOf(name, 'direction', config.direction ?? 'both', ['up', 'down', 'both']);
  const severity = checkSeverity(name, 'severity', config.severity ?? 'warning');
  const scale = checkOneOf(name, 'scale', config.scale ?? d.scale, VALUE_SCALES);
  const baseline = checkOneOf(name, 'baseline', config.baseline ?? d.baseline, ['median', 'line']);
  return numericConditions(selection, (first) => {
    const defaults = d[granularity ?? (isStepRecordLike(first) ? 'step' : 'sample')];
    const window = config.window ?? defaults.window;
    return new SpikeDetector({
      metric: selection.metric,
      window,
      warmup: Math.min(window, config.warmup ?? defaults.warmup),
      z,
      hits,
      span,
      maxTailShare,
      minRelative,
      direction,
      severity,
      scale,
      baseline,
    });
  });
}

/**
 * Detects values far outside the recent distribution that persist: `hits` (3) of the last `span`
 * (5) values beyond a robust z of 3.5 against a baseline that excludes them; signal `instability`.
 *
 * Like `meanShift`, but for excursions that the median of the recent past does not explain rather
 * than a sustained level change; like `trend`, it ignores a single blip.
 *
 * ```
 * kl:      -a-b-c-d-e-f-g-h-X-X-X-i-|   a..i near 1, X = 10; the baseline holds values 3 arrivals old
 *          spike({ warmup: 5, span: 3, hits: 2 })
 * alerts:  -------------------o-----|   o = onset at the second extreme value (2 of the last 3)
 * ```
 *
 * @example
 * ```ts
 * import { spike } from 'goodhart/operators';
 * import type { StepRecord } from 'goodhart';
 * const gradBlowup$ = steps$.pipe(spike<StepRecord>({ metric: 'grad_norm', direction: 'up' }));
 * ```
 *
 * Statistic: z = (x − median) / (1.4826 · MAD) over a sliding baseline window (50 steps or 500
 * samples) that values join only after `span` more values arrived, so the values under test never
 * inflate their own yardstick. A mean/sd z-score whose window includes the spike masks it: with n
 * values in the window no point can exceed |z| = (n − 1)/√n (Shiffler 1988), i.e. 2.85 at n = 10,
 * so a z > 3 rule over the last 10 values can never fire. The MAD is refreshed every w/8 values;
 * when it is 0 the baseline std is used, and a constant baseline flags nothing. A constant baseline
 * is not yet a baseline: once the series leaves the constant (KL exactly 0 until the policy first
 * moves, then a slow rise), the stretch shrinks to one value and the detector warms up again on
 * values that vary, so the zeros' MAD of 0 never turns an ordinary rise into a spike; the first
 * `warmup` values after such a stretch are not judged. A value counts
 * only when at most `maxTailShare` (1%) of the baseline is as extreme, so the rare successes of a
 * binary reward (MAD 0) are not spikes. Effect-size floor: the value must also lie at least
 * `minRelative` (50%) of |median| away from the median; over a 50-step window a 15% level shift of
 * a grad norm (real verl PPO log, steps 50-59) or the slow wander of an entropy is "significant"
 * but not a spike, while blow-ups are several-fold. Persistence: one outlier is common and harmless (a
 * single loss spike, open-r1-multimodal#16); an active condition needs 3 of the last 5.
 * Trending, multiplicative series (`scale: 'log'`, `baseline: 'line'`, set by the step pipeline
 * for KL): a healthy KL grows through a run (roughly as t² from 0 early on) and its
 * noise is multiplicative and autocorrelated. Against the median of a window that ends 5 values
 * back, the newest values of a smooth rise sit above a level ~30 steps stale by the rise itself,
 * and the raw MAD, learnt where the KL was lower, is too small for the noise at the new level: a
 * noise-free KL = 0.1·(t/300)² fired on every run, and a tester's healthy generated runs warned in
 * about a third. On log(x) the noise has one size at every level, and the residuals about a
 * resistant line through the window (Tukey's, from the medians of its outer thirds, refit every w/8
 * values) measure the departure from where the series was heading rather than from where it was.
 * log t² is concave, so the extrapolated line runs ahead of a decelerating rise and an upward rule
 * errs quiet; a blow-up (a k-fold jump, or growth faster than exponential) leaves the line.
 * False alarms: for independent normal values P(|z| > 3.5) ≈ 4.7e-4, so 3 of 5 happen about once
 * per 10^9 values; heavier tails raise that, the tail-share rule caps it at rates > 1%.
 * Warm-up: `warmup` baseline values (20 steps / 100 samples), again after a constant stretch. Evidence: latest, z, median, scale,
 * scaleIsMad, extremeInSpan, hits, span, minRelative, baselineCount, window, tailShare, missing,
 * expected (the centre, back on the value's scale), logScale, nonPositive.
 * Cost: O(log w) + amortised O(1) per value; amortised O(log w) with `baseline: 'line'`.
 *
 * @see spikeConditions
 * @see meanShift
 * @see trend
 */
export function spike<T = RewardEvent>(config: SpikeConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = spikeConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
