/**
 * The count behind a stream of logged fractions: the smallest n such that every value seen is a
 * multiple of 1/n, trusted once a later value confirms it.
 *
 * A trainer logs a share of groups (TRL's `frac_reward_zero_std`) as k/G over the G groups of a
 * step, or as the mean of such shares over the K steps of a logging window: k/(G·K). Either way
 * every value is a multiple of 1/M, M the groups the value pools, and the smallest common n of the
 * values divides M, so n ≤ M: counting a value as n trials never counts more groups than it pools.
 *
 * Each value's own smallest denominator d (the first d ≤ `maxCount` with |v·d − round(v·d)| ≤
 * d·`tolerance`) extends n to lcm(n, d). A value of arbitrary real number fits some d ≤ 1024 within
 * 10^-6 more often than not, so a fitted n is trusted only after a later value fits it as it stands
 * (that happens by chance with probability 2·10^-6·n per value); until then the last trusted count
 * stands (1 at first: one trial per value). A stream whose denominators outgrow `maxCount` has no
 * common count (smoothed or reweighted values, a group count that changes): 1 from then on.
 * 0 and 1 fit any count and say nothing.
 *
 * Cost: O(maxCount) per value that does not fit the current n, O(1) otherwise; O(1) memory.
 *
 * @example
 * const d = new CommonDenominator();
 * for (const v of [0.5, 0.25, 0.75]) d.push(v);
 * d.count; // => 4 (0.25 set it, 0.75 confirmed it)
 */
export class CommonDenominator {
  private readonly maxCount: number;
  private readonly tolerance: number;
  /** The smallest common denominator of the values so far (0 once there is none). */
  private fitted = 1;
  private trusted = 1;

  /**
   * `maxCount` (default 1024): the largest count looked for. `tolerance` (default 10^-6): how far
   * a value may lie from a multiple of 1/n, for float32 means printed in full (error ~10^-7).
   */
  constructor(maxCount = 1024, tolerance = 1e-6) {
    this.maxCount = maxCount;
    this.tolerance = tolerance;
  }

  /** The trusted count: at most the number of trials each value pools; 1 when unknown. */
  get count(): number {
    return this.trusted;
  }

  push(value: number): void {
    if (this.fitted === 0 || !(value > 0 && value < 1)) return;
    if (this.fits(value, this.fitted)) {
      this.trusted = this.fitted;
      return;
    }
    let own = 0;
    for (let d = 2; d <= this.maxCount; d++) {
      if (this.fits(value, d)) {
        own = d;
        break;
      }
    }
    const extended = own === 0 ? Number.POSITIVE_INFINITY : lcm(this.fitted, own);
    if (extended > this.maxCount) {
      this.fitted = 0;
      this.trusted = 1;
    } else {
      this.fitted = extended;
    }
  }

  private fits(value: number, d: number): boolean {
    const scaled = value * d;
    return Math.abs(scaled - Math.round(scaled)) <= d * this.tolerance;
  }
}

/** Greatest common divisor of two non-negative integers (Euclid). */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}
