/** Settings of a {@link PageHinkley} test; the defaults are River's `drift.PageHinkley`. */
export interface PageHinkleyConfig {
  /** Updates before the test may signal. Default 30. */
  readonly minInstances?: number;
  /** Magnitude of change tolerated, in the units of x (delta). Default 0.005. */
  readonly delta?: number;
  /** Detection threshold lambda: signal when a test statistic is strictly greater. Default 50. */
  readonly threshold?: number;
  /** Forgetting factor applied to the cumulative sums, in (0, 1]. Default 1 - 1e-4. */
  readonly alpha?: number;
  /** Watch increases ('up'), decreases ('down') or both. Default 'both'. */
  readonly mode?: PageHinkleyMode;
}

/** Direction(s) a {@link PageHinkley} test watches. */
export type PageHinkleyMode = 'up' | 'down' | 'both';

/**
 * Page–Hinkley change test: cumulative deviations of x from its running mean, with a signal when
 * a sum has risen (or fallen) more than `threshold` above its running extreme.
 *
 *     mean_t = mean of x_1..x_t
 *     U_t = alpha·U_{t-1} + (x_t - mean_t - delta),  test_up   = U_t - min_{s<=t} U_s
 *     L_t = alpha·L_{t-1} + (x_t - mean_t + delta),  test_down = max_{s<=t} L_s - L_t
 *
 * Source: Page (1954), "Continuous inspection schemes", Biometrika 41; the recursion, defaults
 * (min_instances 30, delta 0.005, threshold 50, alpha 1 - 1e-4) and the two-sided `mode` follow
 * River's `drift.PageHinkley`, including that the test is checked only once `minInstances`
 * values were seen and that the update after a detection starts from scratch. (River seeds the
 * running maximum of L with -1; the first L is delta >= 0, so -Infinity is equivalent.)
 * Cost: O(1) time and five numbers of state per update.
 *
 * @example
 * const test = new PageHinkley({ threshold: 5 });
 * for (let i = 0; i < 100; i++) test.update(i < 50 ? 0 : 1); // true from about index 57 on
 */
export class PageHinkley {
  readonly minInstances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: PageHinkleyMode;
  private count = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Number.POSITIVE_INFINITY;
  private maxDecrease = Number.NEGATIVE_INFINITY;
  private detected = false;

  constructor(config: PageHinkleyConfig = {}) {
    const { minInstances = 30, delta = 0.005, threshold = 50, alpha = 1 - 1e-4, mode = 'both' } = config;
    if (!Number.isInteger(minInstances) || minInstances < 1) {
      throw new RangeError(`PageHinkley minInstances must be an integer >= 1, got ${minInstances}`);
    }
    if (!Number.isFinite(delta) || delta < 0) throw new RangeError(`PageHinkley delta must be a finite number >= 0, got ${delta}`);
    if (!Number.isFinite(threshold) || threshold <= 0) {
      throw new RangeError(`PageHinkley threshold must be a finite number > 0, got ${threshold}`);
    }
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`PageHinkley alpha must lie in (0, 1], got ${alpha}`);
    // Checked at run time too: JavaScript callers are not held to the type.
    if (!(['up', 'down', 'both'] as readonly string[]).includes(mode)) {
      throw new TypeError(`PageHinkley mode must be 'up', 'down' or 'both', got ${JSON.stringify(mode)}`);
    }
    this.minInstances = minInstances;
    this.delta = delta;
    this.threshold = threshold;
    this.alpha = alpha;
    this.mode = mode;
  }

  /** Statistic for an increase of the mean: U_t - min U. 0 before the first update. */
  get testIncrease(): number {
    return this.count === 0 ? 0 : this.sumIncrease - this.minIncrease;
  }

  /** Statistic for a decrease of the mean: max L - L_t. 0 before the first update. */
  get testDecrease(): number {
    return this.count === 0 ? 0 : this.maxDecrease - this.sumDecrease;
  }

  /** Whether the last update signalled a change. */
  get driftDetected(): boolean {
    return this.detected;
  }

  /** Values seen since construction, the last reset or the last detection. */
  get updates(): number {
    return this.count;
  }

  /** Adds one observation; returns true when it signals a change. Non-finite x is skipped. */
  update(x: number): boolean {
    if (!Number.isFinite(x)) return this.detected;
    if (this.detected) this.reset();
    this.count++;
    this.mean += (x - this.mean) / this.count;
    const deviation = x - this.mean;
    this.sumIncrease = this.alpha * this.sumIncrease + deviation - this.delta;
    this.sumDecrease = this.alpha * this.sumDecrease + deviation + this.delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.count >= this.minInstances) {
      const up = this.mode !== 'down' && this.sumIncrease - this.minIncrease > this.threshold;
      const down = this.mode !== 'up' && this.maxDecrease - this.sumDecrease > this.threshold;
      this.detected = up || down;
    }
    return this.detected;
  }

  /** Forgets everything seen so far. */
  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Number.POSITIVE_INFINITY;
    this.maxDecrease = Number.NEGATIVE_INFINITY;
    this.detected = false;
  }
}
