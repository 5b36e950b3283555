/**
 * Rolling quantiles: exact median, any quantile, and the median absolute deviation of the last
 * `window` values, from a sorted copy of the window maintained in place.
 *
 * Like {@link RollingMoments}, but for order statistics (robust z-scores, saturation, drift of the
 * median).
 *
 * The window is kept twice: a ring in arrival order (to know which value leaves) and a sorted
 * Float64Array. A push finds the leaving value's rank and the new value's rank by binary search and
 * moves only the elements between the two ranks with one `copyWithin` (a memmove of a few KB at
 * w = 1000), writing the new value over the gap; there is no allocation.
 *
 * Quantile definition: linear interpolation between order statistics at h = (n − 1)·p, i.e.
 * Hyndman & Fan type 7, the default of R's `quantile`, numpy's `percentile`/`quantile`
 * (`method='linear'`) and exactly simple-statistics' `quantileSorted` (v7.12; the same arithmetic,
 * bit for bit). `median` is `quantile(0.5)`: the middle value, or the mean of the two middle ones.
 * Where the gap between the two order statistics overflows (−1e308 and 1e308) the quantile is
 * the weighted sum `(1 − t)·lo + t·hi` instead, which is finite.
 *
 * MAD: `mad()` is the raw median absolute deviation `median(|x − median(x)|)` (simple-statistics'
 * `medianAbsoluteDeviation`, R's `mad(x, constant = 1)`); `scaledMad()` multiplies it by
 * {@link MAD_NORMAL_SCALE} = 1.4826 (R's default constant) so that it estimates σ for normal data.
 * Both walk outwards from the median over the sorted window, O(w) per call and no allocation:
 * call them on demand (on an alarm, or every k values), not per value.
 *
 * Inputs must be finite numbers: a NaN would break the sort order for the rest of the stream, so
 * `push` rejects non-finite values with a RangeError (one comparison against ~100 ns of work).
 *
 * Cost: `push` O(log w) comparisons + O(w) memmove (≈0.1–0.3 µs at w = 1000); `median`, `quantile`,
 * `min`, `max` O(1); `mad` O(w). Memory O(w) (two Float64Arrays).
 *
 * @see Hyndman & Fan, "Sample quantiles in statistical packages", The American Statistician 50(4), 1996.
 * @example
 * const window = new RollingQuantiles(4);
 * for (const x of [10, 2, 5, 100, 2, 1]) window.push(x);
 * window.median; // => 3.5   (window 5, 100, 2, 1)
 * window.quantile(0.9); // => 71.50000000000001 (5 + 0.7 · 95)
 * window.mad(); // => 2
 */
export class RollingQuantiles {
  readonly window: number;
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private size = 0;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`RollingQuantiles window must be a positive integer, got ${window}`);
    }
    this.window = window;
    this.ring = new Float64Array(window);
    this.sorted = new Float64Array(window);
  }

  /** Adds `x` (a finite number), evicting the oldest value when the window is full. */
  push(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`RollingQuantiles.push needs a finite number, got ${x}`);
    const { sorted, size } = this;
    if (size < this.window) {
      const at = upperBound(sorted, 0, size, x);
      sorted.copyWithin(at + 1, at, size);
      sorted[at] = x;
      this.size = size + 1;
    } else {
      const leaving = this.ring[this.head]!;
      const rank = lowerBound(sorted, 0, size, leaving);
      if (x > leaving) {
        // Elements in (rank, end) that are <= x slide one place left; x takes the last freed slot.
        const end = upperBound(sorted, rank + 1, size, x);
        sorted.copyWithin(rank, rank + 1, end);
        sorted[end - 1] = x;
      } else if (x < leaving) {
        // Elements in [start, rank) that are >= x slide one place right; x takes the first slot.
        const start = lowerBound(sorted, 0, rank, x);
        sorted.copyWithin(start + 1, start, rank);
        sorted[start] = x;
      }
    }
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.window ? 0 : this.head + 1;
  }

  /** Number of values in the window (at most `window`). */
  get count(): number {
    return this.size;
  }

  /** Smallest value in the window; NaN when empty. */
  get min(): number {
    return this.size === 0 ? Number.NaN : this.sorted[0]!;
  }

  /** Largest value in the window; NaN when empty. */
  get max(): number {
    return this.size === 0 ? Number.NaN : this.sorted[this.size - 1]!;
  }

  /** Median of the window (`quantile(0.5)`); NaN when empty. */
  get median(): number {
    return this.quantile(0.5);
  }

  /**
   * The p-quantile of the window by linear interpolation (type 7, see above); NaN when empty.
   * Throws a RangeError unless 0 <= p <= 1.
   */
  quantile(p: number): number {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must be between 0 and 1, got ${p}`);
    return interpolate(this.sorted, this.size, p);
  }

  /** Number of window values >= `x` (binary search, O(log w)): e.g. how many sit at a ceiling. */
  countAtLeast(x: number): number {
    return this.size - lowerBound(this.sorted, 0, this.size, x);
  }

  /** Number of window values <= `x` (binary search, O(log w)): e.g. how many sit at a floor. */
  countAtMost(x: number): number {
    return upperBound(this.sorted, 0, this.size, x);
  }

  /** Median absolute deviation from the median, unscaled; NaN when empty. O(w). */
  mad(): number {
    const { sorted, size } = this;
    if (size === 0) return Number.NaN;
    const center = interpolate(sorted, size, 0.5);
    // Deviations grow leftwards from `left` and rightwards from `right`: merge the two runs until
    // the middle order statistic(s) of the deviations, as in `interpolate(.., 0.5)`.
    let left = lowerBound(sorted, 0, size, center) - 1;
    let right = left + 1;
    const middle = (size - 1) / 2;
    const lowRank = Math.floor(middle);
    let low = 0;
    for (let rank = 0; rank <= lowRank + 1 && rank < size; rank++) {
      let deviation: number;
      if (right >= size || (left >= 0 && center - sorted[left]! <= sorted[right]! - center)) {
        deviation = center - sorted[left--]!;
      } else {
        deviation = sorted[right++]! - center;
      }
      if (rank === lowRank) {
        if (middle === lowRank) return deviation;
        low = deviation;
      } else if (rank === lowRank + 1) {
        return low + 0.5 * (deviation - low);
      }
    }
    return low;
  }

  /**
   * The smallest gap between two distinct values of the window (gaps within 1e-9 of the values'
   * magnitude are float noise, not distinct values); 0 with fewer than two distinct values. For
   * values a logger rounded (verl prints 3 decimals: 0.001, 0.002...) it is the rounding step or a
   * multiple of it; for unrounded values it is tiny beside any spread. O(w).
   */
  resolution(): number {
    const { sorted, size } = this;
    let smallest = Number.POSITIVE_INFINITY;
    for (let i = 1; i < size; i++) {
      const gap = sorted[i]! - sorted[i - 1]!;
      if (gap > 1e-9 * Math.max(Math.abs(sorted[i]!), Math.abs(sorted[i - 1]!)) && gap < smallest) smallest = gap;
    }
    return smallest === Number.POSITIVE_INFINITY ? 0 : smallest;
  }

  /** `mad() * MAD_NORMAL_SCALE`: a robust estimate of σ for normally distributed data. O(w). */
  scaledMad(): number {
    return this.mad() * MAD_NORMAL_SCALE;
  }

  /**
   * Copies the window in arrival order (oldest first) into `out[0..count)`, without allocating;
   * returns `count`. O(w). `out` must hold at least `count` values.
   */
  copyInArrivalOrder(out: Float64Array): number {
    const { ring, size, window } = this;
    // Once full, the oldest value sits at `head`; before that the ring fills from 0.
    const start = size < window ? 0 : this.head;
    const firstRun = Math.min(size, window - start);
    out.set(ring.subarray(start, start + firstRun), 0);
    if (firstRun < size) out.set(ring.subarray(0, size - firstRun), firstRun);
    return size;
  }

  /** Copies the window, sorted ascending, into a new array (for reports; allocates). */
  toSortedArray(): Float64Array {
    return this.sorted.slice(0, this.size);
  }

  /** Empties the window. */
  reset(): void {
    this.head = 0;
    this.size = 0;
  }
}

/**
 * Consistency constant that turns a MAD into an estimate of σ for normal data: 1.4826 ≈
 * 1/Φ⁻¹(3/4) = 1.482602..., the default `constant` of R's `mad`.
 */
export const MAD_NORMAL_SCALE = 1.4826;

/** Type-7 quantile of the first `size` sorted values; the arithmetic of simple-statistics' quantileSorted. */
function interpolate(sorted: Float64Array, size: number, p: number): number {
  if (size === 0) return Number.NaN;
  if (p === 1) return sorted[size - 1]!;
  if (p === 0) return sorted[0]!;
  const index = (size - 1) * p;
  const lower = Math.floor(index);
  if (index === lower) return sorted[index]!;
  const below = sorted[lower]!;
  const above = sorted[lower + 1]!;
  const fraction = index - lower;
  const gap = above - below;
  // Two huge values of opposite sign (±1e308): their gap overflows, the weighted sum does not.
  return Number.isFinite(gap) ? below + fraction * gap : below * (1 - fraction) + above * fraction;
}

/** First index in [from, to) whose value is >= x (to when none). */
function lowerBound(sorted: Float64Array, from: number, to: number, x: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index in [from, to) whose value is > x (to when none). */
function upperBound(sorted: Float64Array, from: number, to: number, x: number): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}
