/**
 * The pure state machine behind `meanShift()`: a two-sided tabular CUSUM on values standardized by
 * a warm-up baseline, with a warm-up that slides while degenerate and restarts after every alarm.
 *
 * Phases:
 * 1. Warm-up: the last `warmup` finite values are kept in a rolling window. Once it is full and its
 *    sample standard deviation is positive (above `minScale` and above 1e-9 of |mean|, so float
 *    noise on a constant stream does not count), the window's mean and sd become the frozen
 *    baseline. While the window is degenerate (all equal: an all-zero start is normal in RL) it keeps
 *    sliding, so the baseline is taken from the first `warmup` values that show any spread: it
 *    never freezes at sd 0 and a degenerate start recovers. Nothing is judged during warm-up.
 * 2. Monitoring: z = (x - mean) / sd feeds a TabularCusum(k, h). Each judged value yields a
 *    condition, active when a sum is over its decision interval (the side must be enabled by
 *    `direction`). That interval is h for values of any distribution but one: a series that has
 *    only ever taken two values (binary rewards, at any scale) is skewed, and h sds would be a far
 *    looser bound there (see "Binary series").
 * 3. On an alarm the detector re-baselines: the sums are cleared, the
 *    chart is blind for `rewarmup` values (default 5), then watches against a provisional baseline:
 *    the mean of those values and the larger of their sd and the old sd, so a second shift (or the
 *    rest of a ramp) is caught against the new level without the multi-step blind spot of a full
 *    restart. The warm-up window keeps filling from the alarm on; once it holds `warmup` values and
 *    is non-degenerate its mean and sd replace the provisional baseline (the sums carry on).
 * Change point: per side, the step at which that CUSUM sum last left 0 (Montgomery's N+/N- counter),
 * with the mean of the values since then as the "after" level.
 * Binary series: the in-control false-alarm rate of a CUSUM is set by θ·H, where θ is the positive
 * root of E[exp(θ(z - k))] = 1 and H the decision interval (Lundberg/Lorden: a crossing per
 * excursion has probability at most e^{-θH}). Standardized Gaussian values give θ = 2k, so h means
 * θH = 2kh and the documented run lengths. A binary value is not Gaussian: at a success rate of
 * 0.03 a single 1 is +5.7 sd, so θ is about 0.44 instead of 1 and h = 12 sds is a bound of e^{-5.2}
 * rather than e^{-12} (one alarm per ~1,000 values instead of ~500,000). While the series has shown
 * exactly two values, each side's interval is therefore 2kh / θ with θ from the Bernoulli
 * distribution at the baseline's proportion (`bernoulliCusumExponent`) when that is wider than h:
 * at least the Gaussian chart's bound, and the chart is then the Bernoulli likelihood-ratio CUSUM
 * for its shift. A side whose reference level lies beyond the bound (an upward shift of k sd from a
 * success rate above 0.8 at k = 0.5, say) can never alarm and keeps h. A third value ends this: the
 * series is not binary and the intervals go back to h.
 * Cost: O(1) per value; memory O(warmup).
 */
import type { Condition } from '../core/condition.js';
import type { AlertSignal, Severity } from '../core/types.js';
import { RollingMoments } from '../kernels/rolling-moments.js';
import { TabularCusum } from '../kernels/cusum.js';
import { bernoulliCusumExponent } from '../kernels/bernoulli-cusum-exponent.js';
import { fmt } from './select.js';

export type ShiftDirection = 'up' | 'down' | 'both';

export interface MeanShiftOptions {
  readonly metric: string;
  /** Values in the warm-up window. */
  readonly warmup: number;
  /** Values after an alarm before a provisional baseline (their mean, the old sd) is used. */
  readonly rewarmup: number;
  /** CUSUM slack in baseline sds. */
  readonly k: number;
  /** CUSUM decision interval in baseline sds. */
  readonly h: number;
  /** A warm-up sd at or below this is degenerate (in the units of the values). */
  readonly minScale: number;
  readonly direction: ShiftDirection;
  readonly signalUp: AlertSignal;
  readonly signalDown: AlertSignal;
  readonly severityUp: Severity;
  readonly severityDown: Severity;
}

/** Per side of the CUSUM: where the sum last left 0 and the values since then. */
interface SideTrack {
  since: number;
  sum: number;
  count: number;
}

export class MeanShiftDetector {
  private readonly options: MeanShiftOptions;
  private readonly warm: RollingMoments;
  private readonly cusum: TabularCusum;
  private monitoring = false;
  private refreshing = false;
  private mean = 0;
  private scale = 1;
  private missingCount = 0;
  private alarmCount = 0;
  private readonly upper: SideTrack = { since: 0, sum: 0, count: 0 };
  private readonly lower: SideTrack = { since: 0, sum: 0, count: 0 };
  /** Decision intervals in force, per side (h unless the series is binary). */
  private hUp: number;
  private hDown: number;
  /** The distinct values seen, while there are at most two: low < high; `distinct` stops at 3. */
  private distinct = 0;
  private low = 0;
  private high = 0;

  constructor(options: MeanShiftOptions) {
    this.options = options;
    this.warm = new RollingMoments(options.warmup);
    this.cusum = new TabularCusum({ k: options.k, h: options.h });
    this.hUp = options.h;
    this.hDown = options.h;
  }

  /** Missing (undefined) values seen so far. */
  get missing(): number {
    return this.missingCount;
  }

  /** Alarms raised so far (each one re-baselines). */
  get alarms(): number {
    return this.alarmCount;
  }

  /** True once a baseline is frozen (false during warm-up and re-warm-up). */
  get warmedUp(): boolean {
    return this.monitoring;
  }

  /** Baseline mean and sd in force (meaningful once `warmedUp`). */
  get baseline(): { readonly mean: number; readonly std: number } {
    return { mean: this.mean, std: this.scale };
  }

  next(value: number | undefined, step: number): Condition | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    if (this.distinct < 3 && this.seeValue(value) && this.monitoring) this.calibrate();
    if (!this.monitoring) {
      if (this.refreshing) {
        // Blind for `rewarmup` values after an alarm; then a provisional baseline: their mean and
        // the larger of their sd and the old one (a scale first estimated from a degenerate start
        // is too small, and a too-small scale breeds false alarms). For a binary series, not before
        // they hold both values: a proportion of exactly 0 or 1 says nothing of how often the other
        // value comes, and against it the first one would be a 10-sd event.
        this.warm.push(value);
        if (this.warm.count >= this.options.rewarmup && this.insideSupport(this.warm.mean)) {
          this.mean = this.warm.mean;
          const std = this.warm.std;
          if (std > this.scale) this.scale = std;
          this.calibrate();
          this.monitoring = true;
          if (this.warm.full && this.refreshBaseline(value, false)) this.refreshing = false;
        }
        return undefined;
      }
      if (this.refreshBaseline(value)) this.monitoring = true;
      return undefined;
    }
    // After an alarm the provisional baseline (re-centred, old scale) is replaced by a fresh
    // warm-up estimate as soon as one is complete; the sums carry on.
    if (this.refreshing && this.refreshBaseline(value)) this.refreshing = false;
    const highBefore = this.cusum.high;
    const lowBefore = this.cusum.low;
    this.cusum.update((value - this.mean) / this.scale);
    track(this.upper, highBefore, this.cusum.high, value, step);
    track(this.lower, lowBefore, this.cusum.low, value, step);
    const { direction } = this.options;
    const up = direction !== 'down' && this.cusum.high > this.hUp;
    const down = direction !== 'up' && this.cusum.low > this.hDown;
    const active = up || down;
    const condition = this.condition(active, up || (!down && this.cusum.high >= this.cusum.low), step);
    if (active) {
      this.alarmCount++;
      this.monitoring = false;
      this.refreshing = true;
      this.warm.reset();
      this.cusum.reset();
      this.upper.count = this.lower.count = 0;
      this.upper.sum = this.lower.sum = 0;
    }
    return condition;
  }

  /** Pushes a value into the warm-up window; true when it just set a non-degenerate baseline. */
  private refreshBaseline(value: number, push = true): boolean {
    if (push) this.warm.push(value);
    if (!this.warm.full) return false;
    const std = this.warm.std;
    if (!(std > this.options.minScale && std > 1e-9 * Math.abs(this.warm.mean))) return false;
    this.mean = this.warm.mean;
    this.scale = std;
    this.warm.reset();
    this.calibrate();
    return true;
  }

  /** False for a binary series' level at one of its two values; true otherwise. */
  private insideSupport(mean: number): boolean {
    return this.distinct !== 2 || (mean > this.low && mean < this.high);
  }

  /** Records a value's part in the series' support; true when it was a new distinct value. */
  private seeValue(value: number): boolean {
    if (this.distinct > 0 && (value === this.low || value === this.high)) return false;
    if (this.distinct === 0) this.low = this.high = value;
    else if (this.distinct === 1) {
      if (value < this.low) this.low = value;
      else this.high = value;
    }
    this.distinct++;
    return true;
  }

  /**
   * Sets each side's decision interval for the baseline in force: h, or for a binary series
   * 2kh / θ with θ the Bernoulli chart's exponent (see "Binary series" above).
   */
  private calibrate(): void {
    const { h, k } = this.options;
    this.hUp = this.hDown = h;
    if (this.distinct !== 2 || !(k > 0)) return;
    const range = this.high - this.low;
    const p = (this.mean - this.low) / range;
    const sd = this.scale / range;
    if (!(p > 0 && p < 1 && sd > 0)) return;
    // In units of the proportion: z - k = (y - r) / sd with r = p ± k·sd, so θ_z = θ_y · sd. The
    // lower side is the upper side of 1 - y.
    const up = bernoulliCusumExponent(p, p + k * sd) * sd;
    const down = bernoulliCusumExponent(1 - p, 1 - p + k * sd) * sd;
    // Only ever wider than h: where θ > 2k (a proportion near 1/2, whose steps of ±1 sd have lighter
    // tails than a Gaussian's) h already keeps the crossing probability below e^{-2kh}.
    if (up > 0 && up < 2 * k) this.hUp = (2 * k * h) / up;
    if (down > 0 && down < 2 * k) this.hDown = (2 * k * h) / down;
  }

  private condition(active: boolean, upward: boolean, step: number): Condition {
    const { metric, k } = this.options;
    const h = upward ? this.hUp : this.hDown;
    const side = upward ? this.upper : this.lower;
    const cusum = upward ? this.cusum.high : this.cusum.low;
    const after = side.count > 0 ? side.sum / side.count : this.mean;
    const shiftSd = (after - this.mean) / this.scale;
    const { mean, scale } = this;
    const since = side.since;
    return {
      detector: 'meanShift',
      metric,
      step,
      active,
      severity: upward ? this.options.severityUp : this.options.severityDown,
      signal: upward ? this.options.signalUp : this.options.signalDown,
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        return active
          ? `mean ${metric} shifted ${upward ? 'up' : 'down'} ${fmt(mean)} -> ${fmt(after)} ` +
              `(CUSUM ${fmt(cusum)} > ${fmt(h)}, ${fmt(Math.abs(shiftSd))} sd) since step ${since}`
          : `mean ${metric} in control around ${fmt(mean)} (sd ${fmt(scale)}; CUSUM ${fmt(cusum)} <= ${fmt(h)})`;
      },
      value: cusum,
      threshold: h,
      evidence: {
        stats: {
          beforeMean: mean,
          baselineStd: scale,
          afterMean: after,
          shiftSd,
          cusum,
          cusumHigh: this.cusum.high,
          cusumLow: this.cusum.low,
          h,
          k,
          changeStep: since,
          missing: this.missingCount,
        },
      },
    };
  }
}

function track(side: SideTrack, before: number, after: number, value: number, step: number): void {
  if (after <= 0) {
    side.count = 0;
    side.sum = 0;
    return;
  }
  if (before <= 0) {
    side.since = step;
    side.count = 0;
    side.sum = 0;
  }
  side.sum += value;
  side.count++;
}
