import { binaryExponent, RESCALE_MARGIN, SCALED_HIGH, SCALED_LOW, scaleByPowerOfTwo, targetExponent } from './binary-scale.js';

/**
 * Running moments: count, mean, variance, standard deviation and coefficient of variation of every
 * value pushed so far, by Welford's update, mergeable across partitions.
 *
 * Like {@link RollingMoments}, but over the whole stream (no window, O(1) memory). Useful for
 * per-group statistics (a GRPO group's reward std) and for a frozen reference σ.
 *
 * Welford's update keeps the mean and M2 = Σ(x − mean)² directly, so it does not suffer the
 * cancellation of the sum-of-squares formula (1e9 + {4, 7, 13, 16} gives variance 30 exactly).
 * `merge` combines two partitions with Chan, Golub and LeVeque's pairwise formula.
 *
 * Conventions as in {@link RollingMoments}: `variance` is ddof 1 and 0 for one value (River's
 * `stats.Var`), `cv` is `std / mean`, everything is NaN while empty; inputs must be finite.
 *
 * Scale: the state holds `x · 2^−e` for a power-of-two exponent `e` taken from the data (the
 * first non-zero value, moved when a value lies more than 2^256 away from the state), so squared
 * deviations stay inside the double range at any scale: ±1e308 or 1e300 data give a finite mean
 * and std, 1e-300 data a non-zero std. The scaling is exact, so results are bit for bit those of
 * the unscaled update wherever that one neither overflowed nor underflowed. A statistic whose
 * value itself leaves the double range (the variance of data near 1e200) is ±Infinity.
 *
 * Cost: O(1) per `push` and per `merge`, O(1) memory.
 *
 * @see Welford, "Note on a method for calculating corrected sums of squares and products", Technometrics 1962.
 * @see Chan, Golub, LeVeque, "Updating formulae and a pairwise algorithm for computing sample variances", 1979.
 * @example
 * const moments = new Moments();
 * for (const x of [3, 5, 4, 7, 10, 12]) moments.push(x);
 * moments.variance; // => 12.566666666666668 (River stats.Var doctest: 12.56666; exact 377/30)
 */
export class Moments {
  private n = 0;
  // The mean and M2 of the values scaled by 2^−exponent (`inverse`); `scale` = 2^exponent.
  private average = 0;
  private m2 = 0;
  private exponent = 0;
  private inverse = 1;
  private scale = 1;

  /** Adds `x` (a finite number). */
  push(x: number): void {
    let scaled = x * this.inverse;
    const size = Math.abs(scaled);
    if (size > SCALED_HIGH || (size < SCALED_LOW && size !== 0)) scaled = this.rescale(x);
    const n = ++this.n;
    const delta = scaled - this.average;
    this.average += delta / n;
    this.m2 += delta * (scaled - this.average);
  }

  /** Adds every value of `other` to this accumulator (Chan et al.); `other` is left unchanged. */
  merge(other: Moments): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.average = other.average;
      this.m2 = other.m2;
      this.setExponent(other.exponent);
      return;
    }
    // Both partitions on the larger exponent (an all-zero state has no scale of its own).
    const mineZero = this.average === 0 && this.m2 === 0;
    const theirsZero = other.average === 0 && other.m2 === 0;
    const exponent = mineZero ? other.exponent : theirsZero ? this.exponent : Math.max(this.exponent, other.exponent);
    this.moveTo(exponent);
    const shift = other.exponent - exponent;
    const otherAverage = scaleByPowerOfTwo(other.average, shift);
    const otherM2 = scaleByPowerOfTwo(other.m2, 2 * shift);
    const n = this.n + other.n;
    const delta = otherAverage - this.average;
    this.average += (delta * other.n) / n;
    this.m2 += otherM2 + ((delta * delta * this.n) / n) * other.n;
    this.n = n;
  }

  /** Number of values pushed (or merged). */
  get count(): number {
    return this.n;
  }

  /** Mean; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.average * this.scale;
  }

  /** Sum of squared deviations from the mean, M2. */
  get squaredDeviations(): number {
    return this.n === 0 ? Number.NaN : this.m2 * this.scale * this.scale;
  }

  /** Sample variance (ddof 1); 0 for one value, NaN when empty. */
  get variance(): number {
    if (this.n < 2) return this.n === 1 ? 0 : Number.NaN;
    return (this.m2 / (this.n - 1)) * this.scale * this.scale;
  }

  /** Population variance (ddof 0); NaN when empty. */
  get populationVariance(): number {
    return this.n === 0 ? Number.NaN : (this.m2 / this.n) * this.scale * this.scale;
  }

  /** Sample standard deviation (ddof 1), finite whenever the std itself is a double. */
  get std(): number {
    if (this.n < 2) return this.n === 1 ? 0 : Number.NaN;
    return Math.sqrt(this.m2 / (this.n - 1)) * this.scale;
  }

  /** Coefficient of variation: sample std / mean. */
  get cv(): number {
    return this.std / this.mean;
  }

  /** Forgets every value. */
  reset(): void {
    this.n = 0;
    this.average = 0;
    this.m2 = 0;
    this.setExponent(0);
  }

  /**
   * Picks the exponent for a value far from the state's scale: the larger of the value's and the
   * state's own, unless that is within 2^128 of the current one (a value tiny beside the state is
   * just small). Returns `x` scaled by the exponent in force. O(1); runs only on scale changes.
   */
  private rescale(x: number): number {
    const stateSize = Math.max(Math.abs(this.average), Math.sqrt(this.m2));
    const wanted = binaryExponent(x);
    const exponent = targetExponent(wanted, this.exponent, stateSize);
    if (stateSize === 0 || Math.abs(exponent - this.exponent) > RESCALE_MARGIN) this.moveTo(exponent);
    return scaleByPowerOfTwo(x, -this.exponent);
  }

  /** Re-expresses the state with values scaled by 2^−exponent (exact up to underflow). */
  private moveTo(exponent: number): void {
    const shift = this.exponent - exponent;
    if (shift === 0) return;
    this.average = scaleByPowerOfTwo(this.average, shift);
    this.m2 = scaleByPowerOfTwo(this.m2, 2 * shift);
    this.setExponent(exponent);
  }

  private setExponent(exponent: number): void {
    this.exponent = exponent;
    this.inverse = scaleByPowerOfTwo(1, -exponent);
    this.scale = scaleByPowerOfTwo(1, exponent);
  }
}
