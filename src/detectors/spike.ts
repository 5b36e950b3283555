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
 * Emission: an active condition per value; an inactive one only on the first value of a step or
 * right after an active one (what hysteresis needs to resolve), so per-sample streams build one
 * message per step. Cost: O(log w) + amortised O(1) per value; memory O(window + span).
 */
import type { Condition } from '../core/condition.js';
import type { Severity } from '../core/types.js';
import { DelayedRobustBaseline } from './robust-baseline.js';
import { fmt } from './select.js';
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

  constructor(options: SpikeOptions) {
    this.options = options;
    this.baseline = new DelayedRobustBaseline(options.window, options.span);
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
    if (baseline.count < options.warmup) {
      baseline.push(value);
      return undefined;
    }
    const median = baseline.median;
    const scale = baseline.scale;
    const z = scale > 0 ? (value - median) / scale : 0;
    let extreme = false;
    let tailShare = Number.NaN;
    if (
      Math.abs(z) > options.z &&
      (z > 0 ? options.direction !== 'down' : options.direction !== 'up') &&
      Math.abs(value - median) >= options.minRelative * Math.abs(median)
    ) {
      tailShare = (z > 0 ? baseline.countAtLeast(value) : baseline.countAtMost(value)) / baseline.count;
      extreme = tailShare <= options.maxTailShare;
    }
    baseline.push(value);
    this.record(extreme);
    const active = this.extremeCount >= options.hits;
    const newStep = step !== this.lastStep;
    if (!active && !this.lastActive && !newStep) return undefined;
    this.lastStep = step;
    this.lastActive = active;
    return this.condition(active, value, z, median, scale, tailShare, step);
  }

  private record(extreme: boolean): void {
    const { flags } = this;
    if (this.flagCount === flags.length) this.extremeCount -= flags[this.flagHead]!;
    else this.flagCount++;
    flags[this.flagHead] = extreme ? 1 : 0;
    if (extreme) this.extremeCount++;
    this.flagHead = this.flagHead + 1 === flags.length ? 0 : this.flagHead + 1;
  }

  private condition(active: boolean, value: number, z: number, median: number, scale: number, tailShare: number, step: number): Condition {
    const { metric, z: threshold, hits, span, severity, window } = this.options;
    const scaleKind = this.baseline.scaleKind;
    const extremeCount = this.extremeCount;
    const baselineCount = this.baseline.count;
    return {
      detector: 'spike',
      metric,
      step,
      active,
      severity,
      signal: 'instability',
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const scaleText =
          scaleKind === 'mad'
            ? `robust sd ${fmt(scale)}`
            : scaleKind === 'std'
              ? `sd ${fmt(scale)} (MAD 0)`
              : scaleKind === 'resolution'
                ? `scale ${fmt(scale)}, the step its values move by`
                : 'no spread';
        return active
          ? `${metric} spiking: ${extremeCount} of the last ${span} values beyond ${fmt(threshold)} robust sd ` +
              `(latest ${fmt(value)}, z ${fmt(z)}) of its baseline median ${fmt(median)} (${scaleText}, last ${baselineCount} values before them)`
          : `${metric} ${fmt(value)} within the recent range (median ${fmt(median)}, ${scaleText}, z ${fmt(z)})`;
      },
      value: Math.abs(z),
      threshold,
      evidence: {
        stats: {
          latest: value,
          z,
          median,
          scale,
          scaleIsMad: scaleKind === 'mad' ? 1 : 0,
          extremeInSpan: extremeCount,
          hits,
          span,
          minRelative: this.options.minRelative,
          baselineCount,
          window,
          missing: this.missingCount,
          ...(Number.isNaN(tailShare) ? {} : { tailShare }),
        },
      },
    };
  }
}
