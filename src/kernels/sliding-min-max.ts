/**
 * Sliding minimum and maximum of the last `window` values, in amortised O(1) per value, by Lemire's
 * monotonic wedges.
 *
 * Like {@link RollingMoments}, but for the extremes (saturation, "reward pinned at its max").
 *
 * Two double-ended queues hold the candidates for the maximum (decreasing values) and the minimum
 * (increasing values) with their stream positions. A new value pops every candidate it dominates
 * from the back of each queue, and a candidate leaves the front once it falls out of the window.
 * Each value enters and leaves each queue at most once, so the cost is amortised O(1); the queues
 * are Float64Array rings of capacity `window` (positions stay exact integers up to 2^53 values).
 * Inputs must be finite numbers (a NaN would never be dominated and never compare).
 *
 * Cost: amortised O(1) per `push` (worst case O(w) for one push), O(w) memory.
 *
 * @see Lemire, "Streaming maximum-minimum filter using no more than three comparisons per element",
 *   Nordic Journal of Computing 13(4), 2006; arXiv cs/0610046.
 * @example
 * const extremes = new SlidingMinMax(3);
 * for (const x of [5, 1, 4, 2]) extremes.push(x);
 * [extremes.min, extremes.max]; // => [1, 4]  (window 1, 4, 2)
 */
export class SlidingMinMax {
  readonly window: number;
  private readonly maxima: MonotonicQueue;
  private readonly minima: MonotonicQueue;
  private position = 0;

  constructor(window: number) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`SlidingMinMax window must be a positive integer, got ${window}`);
    }
    this.window = window;
    this.maxima = new MonotonicQueue(window);
    this.minima = new MonotonicQueue(window);
  }

  /** Adds `x` (a finite number), evicting the oldest value when the window is full. */
  push(x: number): void {
    const position = this.position++;
    const expired = position - this.window;
    this.maxima.pushMax(x, position, expired);
    this.minima.pushMin(x, position, expired);
  }

  /** Number of values in the window (at most `window`). */
  get count(): number {
    return Math.min(this.position, this.window);
  }

  /** Largest value in the window; NaN when empty. */
  get max(): number {
    return this.maxima.front();
  }

  /** Smallest value in the window; NaN when empty. */
  get min(): number {
    return this.minima.front();
  }

  /** Empties the window. */
  reset(): void {
    this.position = 0;
    this.maxima.clear();
    this.minima.clear();
  }
}

/** A ring-buffer deque of (value, position) pairs kept monotonic by its push. */
class MonotonicQueue {
  private readonly values: Float64Array;
  private readonly positions: Float64Array;
  private readonly capacity: number;
  private head = 0;
  private size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.values = new Float64Array(capacity);
    this.positions = new Float64Array(capacity);
  }

  /** Pops smaller-or-equal values from the back, appends `value`, drops an expired front. */
  pushMax(value: number, position: number, expired: number): void {
    const { values, capacity } = this;
    let tail = this.head + this.size - 1;
    while (this.size > 0 && values[tail >= capacity ? tail - capacity : tail]! <= value) {
      this.size--;
      tail--;
    }
    this.append(value, position, expired);
  }

  /** Pops greater-or-equal values from the back, appends `value`, drops an expired front. */
  pushMin(value: number, position: number, expired: number): void {
    const { values, capacity } = this;
    let tail = this.head + this.size - 1;
    while (this.size > 0 && values[tail >= capacity ? tail - capacity : tail]! >= value) {
      this.size--;
      tail--;
    }
    this.append(value, position, expired);
  }

  front(): number {
    return this.size === 0 ? Number.NaN : this.values[this.head]!;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private append(value: number, position: number, expired: number): void {
    // The front expires before the append so the ring never holds more than `capacity` entries.
    if (this.size > 0 && this.positions[this.head]! <= expired) {
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.size--;
    }
    let slot = this.head + this.size;
    if (slot >= this.capacity) slot -= this.capacity;
    this.values[slot] = value;
    this.positions[slot] = position;
    this.size++;
  }
}
