import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent } from '../src/core/types.js';
import { checkBetween, checkInteger, checkOneOf, checkPositive, isStepRecordLike, resolveSelect, type NumericSelectConfig } from '../src/detectors/select.js';
import { VarianceCollapseDetector } from '../src/detectors/variance-collapse.js';
import { hysteresis } from './hysteresis.js';
import { numericConditions } from './internal/numeric.js';
import type { Granularity } from './mean-shift.js';

export interface VarianceCollapseConfig<T = RewardEvent> extends NumericSelectConfig<T> {
  /** Sets the window defaults. Default: `'step'` when the first item is a StepRecord, else `'sample'`. */
  readonly granularity?: Granularity;
  /** Values in the recent window. Default 100 for samples, 5 for steps. */
  readonly window?: number;
  /** Active when recent std / baseline std is below this. Default 0.1. */
  readonly ratio?: number;
  /** Half-life of the baseline's decaying maximum, in values. Default 10 windows. */
  readonly halfLife?: number;
  /** Fraction of the observed range within which the level counts as at the floor/ceiling. Default 0.05. */
  readonly levelTolerance?: number;
  /** Values back to compare the level with for "sudden". Default 5 windows for samples, 3 for steps. */
  readonly suddenLag?: number;
  /** Rise (fraction of the observed range) within `suddenLag` that makes a collapse pinned at the ceiling sudden. Default 0.3. */
  readonly suddenJump?: number;
  /**
   * Values in a row that must equal the largest value seen for a collapse at the ceiling to count as
   * pinned (the exploit signature). Default 2 windows: a reward that still fails now and then is
   * perfect for one window by chance when batches are small. Raise it for tiny batches at high success.
   */
  readonly pinnedFor?: number;
  readonly hysteresis?: HysteresisConfig;
}

export const VARIANCE_COLLAPSE_DEFAULTS = {
  ratio: 0.1,
  levelTolerance: 0.05,
  suddenJump: 0.3,
  sample: { window: 100, lagWindows: 5 },
  step: { window: 5, lagWindows: 3 },
} as const;

/** Raw per-value `Condition`s of {@link varianceCollapse} (before hysteresis). */
export function varianceCollapseConditions<T = RewardEvent>(config: VarianceCollapseConfig<T> = {}): OperatorFunction<T, Condition> {
  const name = 'varianceCollapse';
  const selection = resolveSelect(name, config);
  const d = VARIANCE_COLLAPSE_DEFAULTS;
  const granularity = config.granularity === undefined ? undefined : checkOneOf(name, 'granularity', config.granularity, ['sample', 'step']);
  if (config.window !== undefined) checkInteger(name, 'window', config.window, 2);
  if (config.halfLife !== undefined) checkPositive(name, 'halfLife', config.halfLife);
  if (config.suddenLag !== undefined) checkInteger(name, 'suddenLag', config.suddenLag, 1);
  if (config.pinnedFor !== undefined) checkInteger(name, 'pinnedFor', config.pinnedFor, 1);
  const ratio = checkBetween(name, 'ratio', config.ratio ?? d.ratio, 0, 1);
  const levelTolerance = checkBetween(name, 'levelTolerance', config.levelTolerance ?? d.levelTolerance, 0, 0.5, 'low');
  const suddenJump = checkBetween(name, 'suddenJump', config.suddenJump ?? d.suddenJump, 0, 1, 'high');
  return numericConditions(selection, (first) => {
    const defaults = d[granularity ?? (isStepRecordLike(first) ? 'step' : 'sample')];
    const window = config.window ?? defaults.window;
    return new VarianceCollapseDetector({
      metric: selection.metric,
      window,
      ratio,
      halfLife: config.halfLife ?? 10 * window,
      levelTolerance,
      suddenLag: config.suddenLag ?? defaults.lagWindows * window,
      suddenJump,
      pinnedFor: config.pinnedFor ?? 2 * window,
    });
  });
}

/**
 * Detects a series whose spread collapses (rewards converging to one value) relative to a baseline
 * that adapts and never freezes at 0, and says where it collapsed: at the floor (the learning
 * signal is gone), or at the ceiling after a sudden rise (an exploit signature).
 *
 * Like `saturation`, but about the spread rather than the share of values at a bound; like
 * `meanShift`, it judges against its own history, so units never matter.
 *
 * ```
 * reward:  -a-b-a-b-a-b-c-c-c-c-|   a, b alternate (spread), c constant (window 2 here)
 *          varianceCollapse({ window: 2 })
 * alerts:  -------------o-------|   o = onset once the window holds only c
 * ```
 *
 * @example
 * ```ts
 * import { varianceCollapse } from 'goodhart/operators';
 * import type { StepRecord } from 'goodhart';
 * const flat$ = events$.pipe(varianceCollapse());                       // per-sample rewards
 * const flatSteps$ = steps$.pipe(varianceCollapse<StepRecord>({ metric: 'reward/mean' }));
 * ```
 *
 * Statistic: ratio = rolling std (last `window` values) / baseline, baseline = max(std,
 * baseline · 2^(-1/halfLife)); active when ratio < `ratio` (0.1). rewardspy compares against a std
 * frozen from its first samples (alert below 0.05, warning below 0.20): an all-zero start freezes
 * that baseline at 0 for good, and a run whose spread narrows slowly as it masters the task is
 * flagged against its noisy beginning. Here the baseline is a decaying maximum (half-life 10
 * windows): a degenerate start is simply not judged until spread appears, and slow narrowing moves
 * the baseline along. Classification: level within 5% of the observed range from its min ->
 * warning `collapse`; pinned at its max (the last `pinnedFor` values, default 2 windows, all equal
 * to the largest value seen) and risen by >= 30% of the range within `suddenLag` values -> warning
 * `exploit`; otherwise info `info` (mastery at the ceiling is context, not a hack). Near the ceiling
 * a collapse alone is no evidence: a bounded reward's variance is at most (max - mean)(mean - min)
 * and a binary reward's is exactly p(1 - p), so its spread must shrink as it saturates, and honest
 * learning can rise as fast as an exploit. Only value after value at the maximum (the exploit pays
 * every sample in full) is more than saturation, and it must last two windows because a reward that
 * still fails now and then has perfect steps by chance (with 16 samples a step at 97% success, a
 * run of 5 comes with probability ~5%, of 10 ~0.2%).
 * False alarms: a healthy binary or continuous reward over a window of 100 samples essentially never
 * shows < 10% of its usual std. Step means of binary success rising from 0.1 to 0.97 in 8, 12 or 18
 * steps give info (measured, 100 seeded runs each: no exploit with 32, 64 or 256 samples a step,
 * 1 of 300 runs with 16), as does a task mastered gradually to a pinned ceiling. A binary task solved
 * on every sample within a few steps of a mid-range level looks exactly like the exploit and is
 * flagged; so, at times, is success rising fast to 0.99 with 16 or 32 samples a step (a step is
 * then perfect 80% or 65% of the time; flagged in 4-22% and 0-2% of runs). With per-sample values
 * and a binary reward, 200 correct samples in a row come by chance at 0.99 too: judge step means
 * there.
 * Evidence: recentStd, baselineStd, ratio, mean, observedMin, observedMax, jump, laggedMean,
 * pinnedRun, missing.
 * Cost: O(1) per value.
 *
 * @see saturation
 * @see varianceCollapseConditions
 */
export function varianceCollapse<T = RewardEvent>(config: VarianceCollapseConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = varianceCollapseConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
