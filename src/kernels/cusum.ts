/** Settings of a {@link TabularCusum}; every field has a default. */
export interface TabularCusumConfig {
  /** Value the process should sit at. Default 0 (standardised input). */
  readonly target?: number;
  /** Slack (allowance) k >= 0, in the units of x. Default 0.5. */
  readonly k?: number;
  /** Decision interval h > 0: alarm when a sum is strictly greater than h. Default 5. */
  readonly h?: number;
  /** Fast-initial-response head start in [0, h). Default 0 (no FIR). */
  readonly headStart?: number;
  /** Restart both sums from the head start on the update after an alarm. Default false. */
  readonly resetOnAlarm?: boolean;
}

/** Which side(s) of a tabular CUSUM are over the decision interval. */
export type CusumSide = 'none' | 'high' | 'low' | 'both';

/**
 * Two-sided tabular CUSUM: upper and lower cumulative sums of deviations beyond a slack `k`
 * around a target, with an alarm when either sum is strictly greater than the decision interval
 * `h`.
 *
 * Recursion (Page 1954; NIST/SEMATECH e-Handbook §6.3.2.3; Montgomery, *Introduction to
 * Statistical Quality Control*, §9.1):
 *
 *     S_hi(i) = max(0, S_hi(i-1) + x_i - (target + k))
 *     S_lo(i) = max(0, S_lo(i-1) + (target - k) - x_i)
 *
 * with `S_hi(0) = S_lo(0) = headStart` (0, or the Lucas & Crosier 1982 fast-initial-response
 * head start, e.g. h/2). Cost: O(1) time and two numbers of state per update.
 *
 * The sums are **not** reset after an alarm unless the caller calls `reset()` or sets
 * `resetOnAlarm` (then the next `update` starts from the head start again, the "restart"
 * of Montgomery §9.1). Without a reset a sustained shift keeps alarming, as in the NIST table
 * where groups 14 to 20 are all out of control.
 *
 * Work in standardised units (x = (value - mean) / frozen sigma) so k and h are in sigmas:
 * k = 0.5 and h = 4–5 are the textbook setting for step aggregates; per event use h ≈ 10–12
 * (see ALGORITHMS.md, "CUSUM parameters").
 *
 * @example
 * const chart = new TabularCusum({ target: 10, k: 0.5, h: 5 });
 * for (const x of [9.45, 7.99, 9.29]) chart.update(x);
 * chart.low; // 1.77 (Montgomery Example 9.1, C-(3))
 */
export class TabularCusum {
  readonly target: number;
  readonly k: number;
  readonly h: number;
  readonly headStart: number;
  readonly resetOnAlarm: boolean;
  private sumHigh: number;
  private sumLow: number;
  private count = 0;
  private alarmedHigh = false;
  private alarmedLow = false;

  constructor(config: TabularCusumConfig = {}) {
    const { target = 0, k = 0.5, h = 5, headStart = 0, resetOnAlarm = false } = config;
    if (!Number.isFinite(target)) throw new RangeError(`TabularCusum target must be finite, got ${target}`);
    if (!Number.isFinite(k) || k < 0) throw new RangeError(`TabularCusum k must be a finite number >= 0, got ${k}`);
    if (!Number.isFinite(h) || h <= 0) throw new RangeError(`TabularCusum h must be a finite number > 0, got ${h}`);
    if (!Number.isFinite(headStart) || headStart < 0 || headStart >= h) {
      throw new RangeError(`TabularCusum headStart must lie in [0, h), got ${headStart}`);
    }
    this.target = target;
    this.k = k;
    this.h = h;
    this.headStart = headStart;
    this.resetOnAlarm = resetOnAlarm;
    this.sumHigh = headStart;
    this.sumLow = headStart;
  }

  /** Upper sum S_hi after the last update (evidence of an upward shift). Never negative. */
  get high(): number {
    return this.sumHigh;
  }

  /** Lower sum S_lo after the last update (evidence of a downward shift). Never negative. */
  get low(): number {
    return this.sumLow;
  }

  /** Updates since construction or the last reset. */
  get updates(): number {
    return this.count;
  }

  /** Which sums were strictly greater than h after the last update. */
  get side(): CusumSide {
    if (this.alarmedHigh) return this.alarmedLow ? 'both' : 'high';
    return this.alarmedLow ? 'low' : 'none';
  }

  /** Adds one observation; returns true when either sum is now strictly greater than h. */
  update(x: number): boolean {
    // A non-finite x would silently zero the sums through max(0, NaN); skip it instead.
    if (!Number.isFinite(x)) return this.alarmedHigh || this.alarmedLow;
    if (this.resetOnAlarm && (this.alarmedHigh || this.alarmedLow)) this.reset();
    const high = this.sumHigh + x - (this.target + this.k);
    const low = this.sumLow + (this.target - this.k) - x;
    this.sumHigh = high > 0 ? high : 0;
    this.sumLow = low > 0 ? low : 0;
    this.count++;
    this.alarmedHigh = this.sumHigh > this.h;
    this.alarmedLow = this.sumLow > this.h;
    return this.alarmedHigh || this.alarmedLow;
  }

  /** Restarts both sums from the head start and clears the alarm. */
  reset(): void {
    this.sumHigh = this.headStart;
    this.sumLow = this.headStart;
    this.count = 0;
    this.alarmedHigh = false;
    this.alarmedLow = false;
  }
}
