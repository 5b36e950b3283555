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
 * (all-time min..max) from the min, "at the ceiling" likewise from the max. "Sudden": the window
 * mean rose by at least `suddenJump` of the observed range over the last `suddenLag` values (range
 * units, not stds: a per-sample std dwarfs the move of the mean, a per-step std is tiny beside it). Signal: collapse at the floor -> warning 'collapse'; collapse at the ceiling that arrived
 * suddenly -> warning 'exploit' (a sudden shift to a saturated, variance-collapsed reward); any other
 * collapse (gradual mastery at the ceiling, a mid-range plateau) -> info 'info'.
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
    const { metric, ratio: threshold, levelTolerance, suddenJump } = this.options;
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
      if (jump >= suddenJump) {
        signal = 'exploit';
        severity = 'warning';
        where = 'at the ceiling after a sudden rise from';
      }
    }
    const { baseline, min, max } = this;
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
          missing: this.missingCount,
        },
      },
    };
  }
}
