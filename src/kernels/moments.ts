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
  private average = 0;
  private m2 = 0;

  /** Adds `x` (a finite number). */
  push(x: number): void {
    const n = ++this.n;
    const delta = x - this.average;
    this.average += delta / n;
    this.m2 += delta * (x - this.average);
  }

  /** Adds every value of `other` to this accumulator (Chan et al.); `other` is left unchanged. */
  merge(other: Moments): void {
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.average = other.average;
      this.m2 = other.m2;
      return;
    }
    const n = this.n + other.n;
    const delta = other.average - this.average;
    this.average += (delta * other.n) / n;
    this.m2 += other.m2 + ((delta * delta * this.n) / n) * other.n;
    this.n = n;
  }

  /** Number of values pushed (or merged). */
  get count(): number {
    return this.n;
  }

  /** Mean; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.average;
  }

  /** Sum of squared deviations from the mean, M2. */
  get squaredDeviations(): number {
    return this.n === 0 ? Number.NaN : this.m2;
  }

  /** Sample variance (ddof 1); 0 for one value, NaN when empty. */
  get variance(): number {
    if (this.n < 2) return this.n === 1 ? 0 : Number.NaN;
    return this.m2 / (this.n - 1);
  }

  /** Population variance (ddof 0); NaN when empty. */
  get populationVariance(): number {
    return this.n === 0 ? Number.NaN : this.m2 / this.n;
  }

  /** Sample standard deviation (ddof 1). */
  get std(): number {
    return Math.sqrt(this.variance);
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
  }
}
