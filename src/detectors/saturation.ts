/**
 * The pure state machine behind `saturation()`: the fraction of the last `window` values at the
 * ceiling (or floor), against bounds that are configured or learnt from the observed range.
 *
 * Learnt bounds: the all-time max (ceiling) and min (floor); a value is "at" a bound when within
 * `tolerance` of the observed range from it. While the observed range is 0 (every value so far
 * equal) and no bound is configured, nothing is judged: there is no ceiling to be pinned at yet.
 * Counting uses the window's sorted copy (RollingQuantiles.countAtLeast/countAtMost), so a bound that
 * moves costs no rescan. Cost: O(log w) comparisons + the kernel's memmove per value.
 */
import type { Condition } from '../core/condition.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { fmt, pct } from './select.js';

export type SaturationSide = 'ceiling' | 'floor' | 'both';

export interface SaturationOptions {
  readonly metric: string;
  readonly window: number;
  readonly fraction: number;
  readonly tolerance: number;
  readonly side: SaturationSide;
  readonly ceiling: number | undefined;
  readonly floor: number | undefined;
}

export class SaturationDetector {
  private readonly options: SaturationOptions;
  private readonly values: RollingQuantiles;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private missingCount = 0;

  constructor(options: SaturationOptions) {
    this.options = options;
    this.values = new RollingQuantiles(options.window);
  }

  next(value: number | undefined, step: number): Condition | undefined {
    if (value === undefined) {
      this.missingCount++;
      return undefined;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.values.push(value);
    const { window, fraction: threshold, tolerance, side, metric } = this.options;
    if (this.values.count < window) return undefined;
    const ceiling = this.options.ceiling ?? this.max;
    const floor = this.options.floor ?? this.min;
    const range = ceiling - floor;
    if (!(range > 0)) return undefined;
    const slack = tolerance * range;
    const atCeiling = side === 'floor' ? 0 : this.values.countAtLeast(ceiling - slack) / window;
    const atFloor = side === 'ceiling' ? 0 : this.values.countAtMost(floor + slack) / window;
    const high = atCeiling >= atFloor;
    const share = high ? atCeiling : atFloor;
    const bound = high ? ceiling : floor;
    const active = share >= threshold;
    const where = high ? 'ceiling' : 'floor';
    return {
      detector: 'saturation',
      metric,
      step,
      active,
      // Saturation alone is context: mastery looks exactly like this. Exploit signatures come from
      // varianceCollapse (a sudden rise to a collapsed ceiling) and the text detectors.
      severity: 'info',
      signal: high ? 'proxy-rise' : 'info',
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const text = `${pct(share)} of the last ${window} ${metric} values at the ${where} ${fmt(bound)}`;
        return active ? `${text} (threshold ${pct(threshold)})` : text;
      },
      value: share,
      threshold,
      evidence: {
        stats: { atCeiling, atFloor, ceiling, floor, window, missing: this.missingCount },
      },
    };
  }
}
