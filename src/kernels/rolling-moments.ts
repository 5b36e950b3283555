import { binaryExponent, SCALED_HIGH, SCALED_LOW, scaleByPowerOfTwo } from './binary-scale.js';

/**
 * Rolling moments: mean, variance, standard deviation and coefficient of variation of the last
 * `window` values, updated in O(1) per value with no allocation.
 *
 * Like {@link Moments}, but forgets the oldest value once the window is full.
 *
 * Numerics. The kernel keeps compensated (Kahan–Babuška–Neumaier, with Knuth's branch-free TwoSum)
 * sums of `x − K` and `(x − K)²` for a shift `K` taken from the window, and derives
 * `M2 = S2 − S1²/n` (clamped at 0). The term subtracted for an evicted value is bit for bit the term
 * that was added for it, so rounding does not accumulate along the stream: the error is that of
 * summing the current window once (relative error ≤ 2.1e-16 measured on the variance at offset 1e6, sd 1,
 * w = 1000, after 2e6 values, where the sliding Welford "replace" update reaches ~1e-9; see ALGORITHMS.md).
 * - The cancellation in `S2 − S1²/n` grows with the distance between `K` and the window mean, so
 *   each push checks (four multiplications) whether the mean has drifted more than 4 standard
 *   deviations from `K` — a level shift of the stream — and if so re-derives the sums from the ring
 *   with a new `K`: the window value nearest the mean, which is never more than one standard
 *   deviation from it. A re-derivation is O(w); it recurs only once the mean has moved again by
 *   several standard deviations (for a steadily drifting stream, about once per window), so the
 *   cost stays amortised O(1). For good measure the sums are also re-derived every 2^20 pushes.
 * - A constant window always trips that test unless `K` already equals its value, and then every
 *   term is 0: the kernel reports the value itself as the mean and a variance of exactly 0 (a
 *   std-collapse detector must see 0, not 1e-30).
 * - Scale: the sums are kept over `(x − K) · 2^−e`, a power-of-two exponent `e` taken from the
 *   window's largest value at each re-derivation (and from the first value), so squares stay inside
 *   the double range at any scale (±1e308, 1e300, 1e-300, denormals) as in {@link Moments}. A value
 *   more than 2^256 above the scale, or a non-zero value more than 2^256 below it once the whole
 *   window is that small, triggers a re-derivation; the scaling is exact, so results are bit for
 *   bit those of unscaled sums wherever those did not overflow or underflow.
 * - Rounding error is relative to the largest term the sums held, so when an evicted squared
 *   deviation exceeds 2^26 times what remains (a window of values near 1e-100 right after values
 *   near 1) the sums are re-derived too: O(w), once per such drop.
 *
 * Conventions: `variance` is the sample variance (ddof 1) and is 0 for a single value (as River's
 * `stats.Var` / `RollingVar`); `populationVariance` divides by n; `cv` is `std / mean` (sample std,
 * sign of the mean, ±Infinity or NaN at mean 0). Every statistic is NaN while the window is empty.
 * Inputs must be finite numbers: operators filter missing values before a kernel sees them.
 *
 * Cost: amortised O(1) per `push` (four compensated additions and the drift test), O(w) memory
 * (one Float64Array ring).
 *
 * @see Neumaier, "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen", ZAMM 1974.
 * @see Chan, Golub, LeVeque, "Algorithms for computing the sample variance", Am. Stat. 1983 (shifted data).
 * @example
 * const moments = new RollingMoments(3);
 * for (const x of [1, 4, 2, -4]) moments.push(x);
 * moments.mean; // => 0.6666666666666667   (window 4, 2, -4)
 * moments.variance; // => 17.333333333333332 (River RollingVar(window_size=3) doctest: 17.333333)
 */
export class RollingMoments {
  /** The sums are re-derived from the ring after this many pushes at the latest. */
  static readonly rederiveEvery = 2 ** 20;

  readonly window: number;
  private readonly ring: Float64Array;
  private head = 0;
  private size = 0;
  private shift = 0;
  /** The sums hold values scaled by `inverse` = 2^−e; `scale` = 2^e. */
  private inverse = 1;
  private scale = 1;
  private sum1 = 0;
  private carry1 = 0;
  private sum2 = 0;
  private carry2 = 0;
  private sinceRederive = 0;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`RollingMoments window must be a positive integer, got ${window}`);
    }
    this.window = window;
    this.ring = new Float64Array(window);
  }

  /** Adds `x` (a finite number), evicting the oldest value when the window is full. */
  push(x: number): void {
    if (this.size === 0) {
      this.shift = x;
      this.setExponent(binaryExponent(x));
    } else if (x !== 0 && this.sum2 === 0 && this.shift === 0) {
      // A window of zeros has no scale of its own: take the scale from the window once a non-zero
      // value comes, so a stream scaled by 2^k makes the same decisions below and stays bit for
      // bit the scaled stream (an exponent kept from a leading 0 would not scale with it).
      this.store(x);
      this.rederive();
      return;
    }
    const inverse = this.inverse;
    const scaled = x * inverse;
    const magnitude = Math.abs(scaled);
    if (magnitude > SCALED_HIGH) {
      this.store(x);
      this.rederive();
      return;
    }
    const shift = this.shift * inverse;
    const added = scaled - shift;
    this.add1(added);
    this.add2(added * added);
    let evictedDominant = false;
    if (this.size === this.window) {
      const removed = this.ring[this.head]! * inverse - shift;
      const removedSquare = removed * removed;
      this.add1(-removed);
      this.add2(-removedSquare);
      // The evicted term dwarfed what is left: the sums' rounding error is relative to it.
      evictedDominant = removedSquare > DOMINANT * (this.sum2 + this.carry2);
    }
    this.store(x);
    // Drifted: (S1/n)² > 16·(S2 − S1²/n)/n, i.e. 17·S1² > 16·n·S2, without a division. Or
    // shrunk: a non-zero value far below the scale, and the whole window that small now.
    const s1 = this.sum1;
    if (
      ++this.sinceRederive >= RollingMoments.rederiveEvery ||
      17 * s1 * s1 > 16 * this.size * this.sum2 ||
      evictedDominant ||
      (magnitude < SCALED_LOW && x !== 0 && this.allTiny())
    ) {
      this.rederive();
    }
  }

  /** Number of values in the window (at most `window`). */
  get count(): number {
    return this.size;
  }

  /** True once `window` values have been pushed. */
  get full(): boolean {
    return this.size === this.window;
  }

  /** Mean of the window; NaN when empty. */
  get mean(): number {
    if (this.size === 0) return Number.NaN;
    return this.shift + ((this.sum1 + this.carry1) / this.size) * this.scale;
  }

  /** Sample variance (ddof 1) of the window; 0 for one value, NaN when empty. */
  get variance(): number {
    if (this.size < 2) return this.size === 1 ? 0 : Number.NaN;
    return (this.squaredDeviations() / (this.size - 1)) * this.scale * this.scale;
  }

  /** Population variance (ddof 0) of the window; NaN when empty. */
  get populationVariance(): number {
    if (this.size === 0) return Number.NaN;
    return (this.squaredDeviations() / this.size) * this.scale * this.scale;
  }

  /** Sample standard deviation (ddof 1): `sqrt(variance)`, finite whenever the std itself is a double. */
  get std(): number {
    if (this.size < 2) return this.size === 1 ? 0 : Number.NaN;
    return Math.sqrt(this.squaredDeviations() / (this.size - 1)) * this.scale;
  }

  /** Coefficient of variation: sample std / mean. */
  get cv(): number {
    return this.std / this.mean;
  }

  /** Empties the window. */
  reset(): void {
    this.head = 0;
    this.size = 0;
    this.shift = 0;
    this.setExponent(0);
    this.sum1 = this.carry1 = this.sum2 = this.carry2 = 0;
    this.sinceRederive = 0;
  }

  /** Writes `x` into the ring, evicting the oldest value when the window is full. */
  private store(x: number): void {
    if (this.size < this.window) this.size++;
    this.ring[this.head] = x;
    if (++this.head === this.window) this.head = 0;
  }

  /** True when the shift and the spread of the window are both below 2^−256 of the scale. */
  private allTiny(): boolean {
    return Math.abs(this.shift * this.inverse) < SCALED_LOW && this.sum2 + this.carry2 < SCALED_LOW * SCALED_LOW * this.size;
  }

  private setExponent(exponent: number): void {
    this.inverse = scaleByPowerOfTwo(1, -exponent);
    this.scale = scaleByPowerOfTwo(1, exponent);
  }

  /** Scaled sum of squared deviations from the window mean, M2 = S2 − S1²/n, never negative. */
  private squaredDeviations(): number {
    const s1 = this.sum1 + this.carry1;
    const m2 = this.sum2 + this.carry2 - (s1 * s1) / this.size;
    return m2 > 0 ? m2 : 0;
  }

  /** Recomputes the scale, the shift and both sums from the ring (four O(w) passes). */
  private rederive(): void {
    const { ring, size } = this;
    let largest = 0;
    for (let i = 0; i < size; i++) {
      const magnitude = Math.abs(ring[i]!);
      if (magnitude > largest) largest = magnitude;
    }
    this.setExponent(binaryExponent(largest));
    const inverse = this.inverse;
    let total = 0;
    let carry = 0;
    for (let i = 0; i < size; i++) {
      const value = ring[i]! * inverse;
      const next = total + value;
      const virtual = next - total;
      carry += total - (next - virtual) + (value - virtual);
      total = next;
    }
    const mean = (total + carry) / size;
    let shift = ring[0]! * inverse;
    let raw = ring[0]!;
    for (let i = 1; i < size; i++) {
      const value = ring[i]! * inverse;
      if (Math.abs(value - mean) < Math.abs(shift - mean)) {
        shift = value;
        raw = ring[i]!;
      }
    }
    this.shift = raw;
    this.sum1 = this.carry1 = this.sum2 = this.carry2 = 0;
    for (let i = 0; i < size; i++) {
      const deviation = ring[i]! * inverse - shift;
      this.add1(deviation);
      this.add2(deviation * deviation);
    }
    this.sinceRederive = 0;
  }

  // TwoSum (Knuth): `carry` collects the exact rounding error of each addition, without a branch.
  private add1(term: number): void {
    const sum = this.sum1;
    const next = sum + term;
    const virtual = next - sum;
    this.carry1 += sum - (next - virtual) + (term - virtual);
    this.sum1 = next;
  }

  private add2(term: number): void {
    const sum = this.sum2;
    const next = sum + term;
    const virtual = next - sum;
    this.carry2 += sum - (next - virtual) + (term - virtual);
    this.sum2 = next;
  }
}

/** An evicted squared deviation this many times the remaining sum forces a re-derivation (2^26: 8 digits at stake). */
const DOMINANT = 2 ** 26;
