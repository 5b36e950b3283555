/**
 * The pure state machine behind `spike()`: flags values far outside the recent distribution by a
 * robust z-score against a baseline that excludes the values under test, and reports a condition
 * once `hits` of the last `span` values were flagged.
 *
 * Per value x (once the baseline holds `warmup` values): z = (x − median) / scale from a
 * DelayedRobustBaseline whose window excludes the last `span` values (scale = 1.4826 · MAD, the
 * baseline std when the MAD is 0). x is extreme when |z| > `z` on a watched side AND at most
 * `maxTailShare` of the baseline is as extreme (countAtLeast / countAtMost): a binary reward whose
 * rare successes make a MAD of 0 would otherwise flag every success, while a value seen in over 1% of
 * the baseline is by definition not a spike. A constant baseline (scale 0) flags nothing; once the
 * series leaves it the baseline restarts from one value (see DelayedRobustBaseline), so `warmup`
 * applies again.
 *
 * Scale and centre (`scale`, `baseline`). With `scale` `'log'` the detector judges log(x): for a
 * positive series whose noise is multiplicative (KL, a grad norm: the sd grows with the level) a
 * fixed robust sd in raw units is too small once the level has risen since the window was filled,
 * while on the log scale the noise has one size at every level and a k-fold jump is the same
 * distance anywhere. Values <= 0 have no logarithm and count as missing (`nonPositive` in the
 * evidence): a KL estimator that reads 0 before the policy moves, or a hair below 0 from sampling
 * noise, says nothing about an upward excursion. With `baseline` `'line'` the centre is a resistant
 * line through the baseline window extrapolated to x, and the scale is that of the residuals (see
 * DelayedRobustBaseline): a series that trends, as KL does through a whole run, is otherwise judged
 * against a median ~30 values stale. Both default to the plain rule (`'linear'`, `'median'`); the
 * step pipeline sets `'log'` and `'line'` for KL. The effect-size floor and the
 * tail share compare raw values with the centre mapped back (exp for `'log'`).
 * Emission: an active condition per value; an inactive one only on the first value of a step or
 * right after an active one (what hysteresis needs to resolve), so per-sample streams build one
 * message per step. Cost: O(log w) + amortised O(1) per value; memory O(window + span).
 */
import type { Condition } from '../core/condition.js';
import type { Severity } from '../core/types.js';
import { DelayedRobustBaseline, type BaselineFit } from './robust-baseline.js';
import { fmt, type ValueScale } from './select.js';
import type { ShiftDirection } from './mean-shift.js';

export interface SpikeOptions {
  readonly metric: string;
  /** Values in the baseline window. */
  readonly window: number;
  /** Baseline values needed before anything is judged. */
  readonly warmup: number;
  /** Robust z beyond which a value is extreme. */
  readonly z: number;
  /** Extreme values among the last `span` needed for an active condition. */
  readonly hits: number;
  readonly span: number;
  /** A value is extreme only if at most this share of the baseline is as extreme. */
  readonly maxTailShare: number;
  /** A value is extreme only if |x − median| >= this · |median| (effect-size floor). */
  readonly minRelative: number;
  readonly direction: ShiftDirection;
  readonly severity: Severity;
  /** Judge x (`'linear'`) or log(x) (`'log'`, values <= 0 are missing). */
  readonly scale: ValueScale;
  /** The baseline's centre: its median, or a resistant line through it extrapolated to x. */
  readonly baseline: BaselineFit;
}

export class SpikeDetector {
  private readonly options: SpikeOptions;
  private readonly baseline: DelayedRobustBaseline;
  /** 1 where one of the last `span` judged values was extreme, a ring. */
  private readonly flags: Uint8Array;
  private flagHead = 0;
  private flagCount = 0;
  private extremeCount = 0;
  private lastStep = Number.NaN;
  private lastActive = false;
  private missingCount = 0;
  private nonPositiveCount = 0;
  private readonly log: boolean;

  constructor(options: SpikeOptions) {
    this.options = options;
    this.log = options.scale === 'log';
    this.baseline = new DelayedRobustBaseline(options.window, options.span, options.baseline);
    this.flags = new Uint8Array(options.span);
  }

  get missing(): number {
    return this.missingCount;
  }

  next(value: number | undefined, step: number): Condition | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    const { baseline, options } = this;
    if (this.log && !(value > 0)) {
      this.nonPositiveCount++;
      return undefined;
    }
    const x = this.log ? Math.log(value) : value;
    if (baseline.count < options.warmup) {
      baseline.push(x);
      return undefined;
    }
    const center = baseline.center;
    const scale = baseline.scale;
    const z = scale > 0 ? (x - center) / scale : 0;
    const expected = this.log ? Math.exp(center) : center;
    let extreme = false;
    let tailShare = Number.NaN;
    if (
      Math.abs(z) > options.z &&
      (z > 0 ? options.direction !== 'down' : options.direction !== 'up') &&
      Math.abs(value - expected) >= options.minRelative * Math.abs(expected)
    ) {
      tailShare = (z > 0 ? baseline.countAtLeast(x) : baseline.countAtMost(x)) / baseline.count;
      extreme = tailShare <= options.maxTailShare;
    }
    const median = this.log ? Math.exp(baseline.median) : baseline.median;
    baseline.push(x);
    this.record(extreme);
    const active = this.extremeCount >= options.hits;
    const newStep = step !== this.lastStep;
    if (!active && !this.lastActive && !newStep) return undefined;
    this.lastStep = step;
    this.lastActive = active;
    return this.condition(active, value, z, median, expected, scale, tailShare, step);
  }

  private record(extreme: boolean): void {
    const { flags } = this;
    if (this.flagCount === flags.length) this.extremeCount -= flags[this.flagHead]!;
    else this.flagCount++;
    flags[this.flagHead] = extreme ? 1 : 0;
    if (extreme) this.extremeCount++;
    this.flagHead = this.flagHead + 1 === flags.length ? 0 : this.flagHead + 1;
  }

  private condition(
    active: boolean,
    value: number,
    z: number,
    median: number,
    expected: number,
    scale: number,
    tailShare: number,
    step: number,
  ): Condition {
    const { metric, z: threshold, hits, span, severity, window } = this.options;
    const scaleKind = this.baseline.scaleKind;
    const extremeCount = this.extremeCount;
    const baselineCount = this.baseline.count;
    const log = this.log;
    const line = this.options.baseline === 'line';
    // On the log scale a robust sd s is a factor e^s: "robust sd x1.13 (log scale)".
    const sd = (text: string, v: number): string => (log ? `${text} x${fmt(Math.exp(v))} (log scale)` : `${text} ${fmt(v)}`);
    return {
      detector: 'spike',
      metric,
      step,
      active,
      severity,
      signal: 'instability',
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const centre = line ? `the line through its baseline, expected ${fmt(expected)} (median ${fmt(median)})` : `its baseline median ${fmt(median)}`;
        const scaleText =
          scaleKind === 'mad'
            ? sd('robust sd', scale)
            : scaleKind === 'std'
              ? `${sd('sd', scale)} (MAD 0)`
              : scaleKind === 'resolution'
                ? `${sd('scale', scale)}, the step its values move by`
                : 'no spread';
        return active
          ? `${metric} spiking: ${extremeCount} of the last ${span} values beyond ${fmt(threshold)} robust sd ` +
              `(latest ${fmt(value)}, z ${fmt(z)}) of ${centre} (${scaleText}, last ${baselineCount} values before them)`
          : `${metric} ${fmt(value)} within the recent range (${line ? `expected ${fmt(expected)}` : `median ${fmt(median)}`}, ${scaleText}, z ${fmt(z)})`;
      },
      value: Math.abs(z),
      threshold,
      evidence: {
        stats: {
          latest: value,
          z,
          median,
          expected,
          scale,
          logScale: log ? 1 : 0,
          scaleIsMad: scaleKind === 'mad' ? 1 : 0,
          extremeInSpan: extremeCount,
          hits,
          span,
          minRelative: this.options.minRelative,
          baselineCount,
          window,
          missing: this.missingCount,
          nonPositive: this.nonPositiveCount,
          ...(Number.isNaN(tailShare) ? {} : { tailShare }),
        },
      },
    };
  }
}
