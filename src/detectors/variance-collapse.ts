/**
 * The pure state machine behind `varianceCollapse()`: the rolling std of the last `window` values
 * against an adaptive baseline std, with the collapsed level classified against the observed range.
 *
 * Baseline: a slowly decaying maximum of the rolling std, b = max(std, b · 2^(-1/halfLife)). It
 * follows any rise at once and forgets a higher past spread with half-life `halfLife` values, so a
 * slow, healthy narrowing (mastery) drags the baseline along while a sudden collapse (within a few
 * windows) stands out. It starts at 0 and is not judged while it is 0: an all-equal (e.g. all-zero)
 * start is a warm-up that ends as soon as any spread appears, never a baseline frozen at 0.
 * Level: the window mean is "at the floor" when within `levelTolerance` of the observed range
 * (all-time min..max) from the min, "at the ceiling" likewise from the max. "Pinned": the last
 * `pinnedFor` values all equal the maximum. "Sudden": the window mean rose by at least `suddenJump`
 * of the observed range over the last `suddenLag` values (range units, not stds: a per-sample std
 * dwarfs the move of the mean, a per-step std is tiny beside it).
 * Signal: collapse at the floor -> warning 'collapse'; pinned at the ceiling after a sudden rise ->
 * warning 'exploit' (a sudden shift to a saturated, variance-collapsed reward); any other collapse
 * (mastery near the ceiling however fast, a mid-range plateau) -> info 'info'.
 * Why a collapse near the ceiling is not enough: a bounded reward's variance is at most
 * (max - mean)(mean - min) (Bhatia–Davis), and a binary reward sits on that bound, p(1 - p); so its
 * spread must shrink as the mean nears the ceiling, and a collapse there says no more than the level
 * does (saturation, which is info). Nor does the speed of the rise tell an exploit from honest
 * learning: success learnt from 0.1 to 0.97 in 8 steps rises as fast, in range units, as the
 * simulator's exploit (a 4-step ramp from about 0.6). What the bound leaves as evidence is no spread
 * at all: value after value at the maximum, not one sample short of full reward, which a reward that
 * still fails now and then shows only by chance. That chance is why a pin must last: with 16 samples
 * a step at 97% success about half the steps are perfect (measured with prompt difficulties varying
 * by 0.8 logits), so a run of L perfect steps comes with probability ~0.54^L: 5% for one window of
 * 5, 0.2% for the default two windows. With 64 samples a step a step is perfect ~10% of the time
 * and even one window is out of reach; two windows also rule out a step mean that repeats exactly
 * below the ceiling (a coarse binomial mean does, now and then). The price is delay: the simulator's
 * exploit is flagged 12 steps after it starts rather than 7.
 * Cost: O(1) per value; memory O(window + suddenLag).
 */
import type { Condition } from '../core/condition.js';
import type { AlertSignal, Severity } from '../core/types.js';
import { RollingMoments } from '../kernels/rolling-moments.js';
import { fmt } from './select.js';

export interface VarianceCollapseOptions {
  readonly metric: string;
  readonly window: number;
  readonly ratio: number;
  readonly halfLife: number;
  readonly levelTolerance: number;
  readonly suddenLag: number;
  readonly suddenJump: number;
  readonly pinnedFor: number;
}

export class VarianceCollapseDetector {
  private readonly options: VarianceCollapseOptions;
  private readonly recent: RollingMoments;
  private readonly decay: number;
  /** Window means of the last suddenLag + 1 values, a ring. */
  private readonly means: Float64Array;
  private meansHead = 0;
  private meansCount = 0;
  private baseline = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private missingCount = 0;
  /** The last value and how many values in a row have equalled it. */
  private last = Number.NaN;
  private run = 0;

  constructor(options: VarianceCollapseOptions) {
    this.options = options;
    this.recent = new RollingMoments(options.window);
    this.decay = 2 ** (-1 / options.halfLife);
    this.means = new Float64Array(options.suddenLag + 1);
  }

  get missing(): number {
    return this.missingCount;
  }

  next(value: number | undefined, step: number): Condition | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.run = value === this.last ? this.run + 1 : 1;
    this.last = value;
    this.recent.push(value);
    if (!this.recent.full) return undefined;
    const std = this.recent.std;
    const mean = this.recent.mean;
    // The ring holds the window means of the last suddenLag + 1 full windows; the oldest is `lagged`.
    const lagged = this.meansCount > this.options.suddenLag ? this.means[this.meansHead]! : Number.NaN;
    this.means[this.meansHead] = mean;
    this.meansHead = this.meansHead + 1 === this.means.length ? 0 : this.meansHead + 1;
    if (this.meansCount <= this.options.suddenLag) this.meansCount++;
    const decayed = this.baseline * this.decay;
    this.baseline = std > decayed ? std : decayed;
    if (!(this.baseline > 0)) return undefined;
    const { metric, ratio: threshold, levelTolerance, suddenJump, pinnedFor } = this.options;
    const ratio = std / this.baseline;
    const active = ratio < threshold;
    const range = this.max - this.min;
    const atFloor = mean - this.min <= levelTolerance * range;
    const atCeiling = this.max - mean <= levelTolerance * range;
    const jump = Number.isNaN(lagged) || !(range > 0) ? 0 : (mean - lagged) / range;
    let signal: AlertSignal = 'info';
    let severity: Severity = 'info';
    let where = 'mid-range';
    if (atFloor) {
      signal = 'collapse';
      severity = 'warning';
      where = 'at the floor';
    } else if (atCeiling) {
      where = 'at the ceiling';
      // Exact equality, no tolerance: full reward on every sample gives the same value each time.
      if (this.run >= pinnedFor && value === this.max && jump >= suddenJump) {
        signal = 'exploit';
        severity = 'warning';
        where = `pinned at the ceiling for ${String(this.run)} values after a sudden rise from`;
      }
    }
    const { baseline, min, max, run } = this;
    return {
      detector: 'varianceCollapse',
      metric,
      step,
      active,
      severity,
      signal,
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const level = signal === 'exploit' ? `${where} ${fmt(lagged)}` : where;
        return active
          ? `${metric} variance collapsed: std ${fmt(std)} is ${fmt(ratio * 100)}% of its baseline ${fmt(baseline)} ` +
              `(threshold ${fmt(threshold * 100)}%), level ${fmt(mean)} ${level} of the observed range ${fmt(min)}..${fmt(max)}`
          : `${metric} std ${fmt(std)} is ${fmt(ratio * 100)}% of its baseline ${fmt(baseline)}`;
      },
      value: ratio,
      threshold,
      evidence: {
        stats: {
          recentStd: std,
          baselineStd: baseline,
          ratio,
          mean,
          observedMin: min,
          observedMax: max,
          jump,
          laggedMean: Number.isNaN(lagged) ? mean : lagged,
          pinnedRun: run,
          missing: this.missingCount,
        },
      },
    };
  }
}
