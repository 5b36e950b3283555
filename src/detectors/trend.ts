/**
 * The pure state machine behind `trend()`: the change of a series over the last `lag` values,
 * judged against the series' own typical `lag`-step changes, with a relative effect-size floor and
 * persistence.
 *
 * Per value x_t (once `minChanges` past changes are in the baseline): d = x_t − x_{t−lag};
 * z = (d − median of past changes) / robust scale of past changes (DelayedRobustBaseline, delay
 * `lag`, so the changes overlapping d — which share its values — never enter its own yardstick);
 * r = d / |x_{t−lag}|. The rule holds upward when z > `z` and r >= `minRelative`, downward when
 * z < −`z` and r <= −`minRelative`; the condition is active once the rule held on the same side on
 * `persistence` judged values in a row (a jump and its reversal are a blip, not a trend). A baseline of identical changes (scale 0) judges nothing;
 * once the changes vary it restarts from one value (see DelayedRobustBaseline), so `minChanges` applies again.
 * With `scale` `'log'` the change is log(x_t) − log(x_{t−lag}), the log of the ratio. For a
 * positive series with multiplicative noise (KL: its sd grows with its level) an absolute change
 * taken now, at a higher level, is larger than the past changes it is judged against just because
 * the noise grew with the level, so a healthy rise reads as unusual; a log change has one noise
 * size at every level, and a steady relative pace (exponential growth) has a constant log change.
 * A change with an end <= 0 has no logarithm and is not judged (evidence `nonPositive`).
 * `relative` and the floor are the same in both scales (x_t / x_{t−lag} − 1).
 * Cost: O(log w) + amortised O(1) per value; memory O(window + lag).
 */
import type { Condition } from '../core/condition.js';
import type { Severity } from '../core/types.js';
import type { ShiftDirection } from './mean-shift.js';
import { DelayedRobustBaseline } from './robust-baseline.js';
import { fmt, pct, type ValueScale } from './select.js';

export interface TrendOptions {
  readonly metric: string;
  /** Values between the two ends of a change. */
  readonly lag: number;
  /** Past changes in the baseline window. */
  readonly window: number;
  /** Past changes needed before anything is judged. */
  readonly minChanges: number;
  readonly z: number;
  readonly minRelative: number;
  readonly persistence: number;
  readonly direction: ShiftDirection;
  readonly severity: Severity;
  /** Judge the change of x (`'linear'`) or of log(x) (`'log'`, changes from or to a value <= 0 are not judged). */
  readonly scale: ValueScale;
}

export class TrendDetector {
  private readonly options: TrendOptions;
  private readonly changes: DelayedRobustBaseline;
  /** The last `lag` values, a ring; `values[head]` is the oldest once full. */
  private readonly values: Float64Array;
  private head = 0;
  private filled = 0;
  private streak = 0;
  private streakSide = 0;
  private missingCount = 0;
  private nonPositiveCount = 0;

  constructor(options: TrendOptions) {
    this.options = options;
    this.changes = new DelayedRobustBaseline(options.window, options.lag);
    this.values = new Float64Array(options.lag);
  }

  get missing(): number {
    return this.missingCount;
  }

  next(value: number | undefined, step: number): Condition | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    const { values, options } = this;
    let condition: Condition | undefined;
    if (this.filled === values.length) {
      const before = values[this.head]!;
      if (options.scale === 'log' && !(value > 0 && before > 0)) {
        this.nonPositiveCount++;
      } else {
        const change = options.scale === 'log' ? Math.log(value / before) : value - before;
        if (this.changes.count >= options.minChanges) condition = this.judge(value, before, change, step);
        this.changes.push(change);
      }
    } else {
      this.filled++;
    }
    values[this.head] = value;
    this.head = this.head + 1 === values.length ? 0 : this.head + 1;
    return condition;
  }

  private judge(value: number, before: number, change: number, step: number): Condition {
    const { metric, lag, z: threshold, minRelative, persistence, direction, severity, scale: scaleKind } = this.options;
    const median = this.changes.median;
    const scale = this.changes.scale;
    const z = scale > 0 ? (change - median) / scale : 0;
    const difference = value - before;
    const relative = before !== 0 ? difference / Math.abs(before) : difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY;
    const up = direction !== 'down' && z > threshold && relative >= minRelative;
    const down = direction !== 'up' && z < -threshold && relative <= -minRelative;
    // A run-away moves one way: a jump and its reversal (a blip) are two unusual changes, not a trend.
    const side = up ? 1 : down ? -1 : 0;
    this.streak = side === 0 ? 0 : side === this.streakSide ? this.streak + 1 : 1;
    this.streakSide = side;
    const streak = this.streak;
    const active = streak >= persistence;
    return {
      detector: 'trend',
      metric,
      step,
      active,
      severity,
      signal: 'instability',
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const moved = `${fmt(before)} -> ${fmt(value)} (${difference >= 0 ? '+' : ''}${Number.isFinite(relative) ? pct(relative) : 'from 0'}) over ${lag} steps`;
        // On the log scale a change c is a factor e^c: "typical 3-step change x1.05, robust sd x1.1".
        const typical =
          scaleKind === 'log'
            ? `typical ${lag}-step change x${fmt(Math.exp(median))}, robust sd x${fmt(Math.exp(scale))} (log scale)`
            : `typical ${lag}-step change ${median >= 0 ? '+' : ''}${fmt(median)}, robust sd ${fmt(scale)}`;
        return active
          ? `${metric} ${change > 0 ? 'rising' : 'falling'} fast: ${moved}, ${fmt(Math.abs(z))} robust sd beyond its ${typical} ` +
              `(${streak} steps in a row)`
          : `${metric} ${moved}, z ${fmt(z)} against its ${typical}`;
      },
      value: Math.abs(z),
      threshold,
      evidence: {
        stats: {
          latest: value,
          before,
          change,
          relative: Number.isFinite(relative) ? relative : Math.sign(relative) * Number.MAX_VALUE,
          z,
          changeMedian: median,
          changeScale: scale,
          lag,
          streak,
          persistence,
          minRelative,
          baselineChanges: this.changes.count,
          missing: this.missingCount,
          logScale: scaleKind === 'log' ? 1 : 0,
          nonPositive: this.nonPositiveCount,
        },
      },
    };
  }
}
