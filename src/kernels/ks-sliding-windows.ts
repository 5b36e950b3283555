/** What {@link SlidingKsWindows} needs from an incremental two-sample KS structure. */
export interface IncrementalKs {
  readonly referenceSize: number;
  readonly recentSize: number;
  insertReference(x: number): boolean;
  insertRecent(x: number): boolean;
  removeReference(x: number): boolean;
  removeRecent(x: number): boolean;
  statistic(): number;
  greater(): number;
  less(): number;
  wasserstein(): number;
  clear(): void;
}

/** Settings of {@link SlidingKsWindows}. */
export interface SlidingKsWindowsConfig {
  /** Reference window length (values kept, oldest evicted first). Default 1000. */
  readonly referenceSize?: number;
  /** Recent window length. Default 1000. */
  readonly recentSize?: number;
}

/**
 * Two sliding windows (a reference and a recent one) over an incremental KS structure
 * ({@link IntegerKsTree} for integer lengths, {@link ValueKsBlocks} for
 * real values): pushing into a full window evicts its oldest value, so the statistic always
 * compares the last `referenceSize` reference values with the last `recentSize` recent values.
 *
 * A frozen reference is simply one that is no longer pushed to; a "reference = the window before
 * the recent one" scheme pushes each value evicted from the recent window into the reference
 * (`pushRecent` returns it). Cost: one or two O(log) structure updates per push; the windows are
 * Float64Array rings, so nothing is allocated per event. Non-finite values are refused (the push
 * returns NaN and nothing changes).
 *
 * @example
 * const windows = new SlidingKsWindows(new ValueKsBlocks(), { referenceSize: 1000, recentSize: 1000 });
 * const evicted = windows.pushRecent(x);
 * if (!Number.isNaN(evicted)) windows.pushReference(evicted); // adjacent windows
 * windows.kernel.statistic();
 */
export class SlidingKsWindows<Kernel extends IncrementalKs = IncrementalKs> {
  readonly kernel: Kernel;
  private readonly reference: Float64Array;
  private readonly recent: Float64Array;
  private referenceStart = 0;
  private referenceCount = 0;
  private recentStart = 0;
  private recentCount = 0;

  constructor(kernel: Kernel, config: SlidingKsWindowsConfig = {}) {
    const { referenceSize = 1000, recentSize = 1000 } = config;
    for (const [name, value] of [['referenceSize', referenceSize], ['recentSize', recentSize]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`SlidingKsWindows ${name} must be a positive integer, got ${value}`);
    }
    this.kernel = kernel;
    this.reference = new Float64Array(referenceSize);
    this.recent = new Float64Array(recentSize);
  }

  /** Values currently in the reference window. */
  get referenceLength(): number {
    return this.referenceCount;
  }

  /** Values currently in the recent window. */
  get recentLength(): number {
    return this.recentCount;
  }

  /** Whether both windows are full. */
  get full(): boolean {
    return this.referenceCount === this.reference.length && this.recentCount === this.recent.length;
  }

  /** Adds x to the reference window; returns the evicted value, or NaN when none was. */
  pushReference(x: number): number {
    if (!this.kernel.insertReference(x)) return Number.NaN;
    let evicted = Number.NaN;
    const ring = this.reference;
    if (this.referenceCount === ring.length) {
      evicted = ring[this.referenceStart]!;
      this.kernel.removeReference(evicted);
      ring[this.referenceStart] = x;
      this.referenceStart = this.referenceStart + 1 === ring.length ? 0 : this.referenceStart + 1;
    } else {
      const slot = this.referenceStart + this.referenceCount;
      ring[slot >= ring.length ? slot - ring.length : slot] = x;
      this.referenceCount++;
    }
    return evicted;
  }

  /** Adds x to the recent window; returns the evicted value, or NaN when none was. */
  pushRecent(x: number): number {
    if (!this.kernel.insertRecent(x)) return Number.NaN;
    let evicted = Number.NaN;
    const ring = this.recent;
    if (this.recentCount === ring.length) {
      evicted = ring[this.recentStart]!;
      this.kernel.removeRecent(evicted);
      ring[this.recentStart] = x;
      this.recentStart = this.recentStart + 1 === ring.length ? 0 : this.recentStart + 1;
    } else {
      const slot = this.recentStart + this.recentCount;
      ring[slot >= ring.length ? slot - ring.length : slot] = x;
      this.recentCount++;
    }
    return evicted;
  }

  /** Empties both windows and the kernel. */
  clear(): void {
    this.kernel.clear();
    this.referenceStart = this.referenceCount = 0;
    this.recentStart = this.recentCount = 0;
  }
}
