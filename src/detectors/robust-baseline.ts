/**
 * A robust baseline that excludes the most recent values: the median and a robust scale of a
 * sliding window that values join only after waiting `delay` observations in a ring, so the values
 * under test (and, for `trend`, the changes that overlap them) never pull the baseline towards
 * themselves — a mean/sd z-score whose window includes the spike masks it.
 *
 * Scale: 1.4826 · MAD of the baseline window (a σ estimate for normal data that ignores the
 * outliers the baseline itself contains). The MAD is O(w) to compute, so it is cached and
 * recomputed after every `refreshEvery` values that join the window (≈ w/8: amortised O(8) per
 * value, and the median moves by at most w/8 ranks between refreshes). When the MAD is 0 (over
 * half the window equal, e.g. a mostly-zero reward) the window's sample std is the scale instead;
 * when that is 0 too the window is constant and has no scale (`scale` is 0: callers do not judge).
 * The std is floored at the window's resolution, the smallest gap between its distinct values. A
 * MAD of 0 means most of the window is one value: the series moves in discrete steps, and the std
 * then measures how often it moves, not how far a move means something. A logger that rounds
 * (verl prints 3 decimals) moves a slowly rising KL from 0.001 to 0.002 while it rose by almost
 * nothing, so one rounding step is no evidence, yet against the std of a window of 0.001s and a
 * few 0.002s (0.0002) it is 5 sds. With the floor a value must move several steps of the series'
 * own resolution to count.
 *
 * Degenerate windows restart. A window whose values are all equal (to within 1e-9 of their
 * magnitude: float noise on a constant) says where the series sat but nothing about how much it
 * varies, so it is not yet a baseline: when a value outside it arrives, the constant stretch
 * shrinks to a single value and the window fills again from there, so callers warm up again
 * (`count` falls below their warm-up) and learn the scale from values that vary. An all-zero start
 * is normal in RL (KL before the policy first moves, a reward before anything is solved); kept
 * whole, those zeros would hold the median and the MAD at 0 for half a window after the series
 * starts to vary, and the std of a few small values among them would make an ordinary slow rise
 * look tens of robust sds out. The stretch is kept as one value rather than dropped so that the
 * window always grows (a series that repeats each value twice still gets a baseline). The price:
 * the first `warmup` values after a constant stretch are not judged, even if they already run away.
 * Centre (`fit`). `'median'`: the window's median, the level the series sat at. `'line'`: a
 * resistant line through the window in arrival order, extrapolated to the value under test, with
 * the scale taken from the residuals about that line. A median is the right yardstick for a series
 * that wanders about a level; for a series that trends (KL grows from 0 through a whole run, a
 * grad norm drifts) it lags: with `delay` 5 and a 50-value window the median sits ~30 values
 * behind, so every new value of a smooth rise lies above it by the rise of 30 values, and the
 * window's MAD, which mixes that rise with the noise, does not scale with it. A forecast error is
 * what an outlier is against a trending series: the line removes the trend from the centre and
 * from the spread alike, and on a series without one (slope ≈ 0) it is the median again. The line
 * is Tukey's resistant line (Tukey 1977, *Exploratory Data Analysis*, ch. 10; Johnstone & Velleman
 * 1985): slope = (median of the last third − median of the first third) / (distance between the
 * thirds' middle positions); intercept = median of y − slope · x over the window. Each third
 * tolerates outliers in up to half its values, as a median does; Theil–Sen (the median of all
 * pairwise slopes) tolerates ~29% anywhere but costs O(w²) per fit (1225 slopes at w = 50), where
 * the thirds need three O(w log w) sorts. The line is refit with the scale, every `refreshEvery`
 * admitted values, and extrapolated from where it was fit to the value under test in between, so
 * the cost stays amortised O(log w). Scale about the line: 1.4826 · median |residual| (the
 * intercept makes the residuals' median 0); when that is 0, the residuals' std, floored at the
 * window's resolution as above.
 *
 * Cost: O(log w) comparisons + one memmove per value, amortised O(1) for the scale with `'median'`,
 * amortised O(log w) with `'line'` (sorts of w values every w/8 values). Pure.
 */
import { RollingMoments } from '../kernels/rolling-moments.js';
import { MAD_NORMAL_SCALE, RollingQuantiles } from '../kernels/rolling-quantiles.js';

/** Where the baseline is centred: its median, or a resistant line through it extrapolated to the value under test. */
export type BaselineFit = 'median' | 'line';

/** The scale in force: the MAD's, the std's (MAD 0), the resolution's (both below it), or none (constant window). */
export type ScaleKind = 'mad' | 'std' | 'resolution' | 'none';

export class DelayedRobustBaseline {
  private readonly order: RollingQuantiles;
  private readonly moments: RollingMoments;
  private readonly pending: Float64Array;
  private pendingHead = 0;
  private pendingCount = 0;
  private readonly refreshEvery: number;
  private sinceRefresh = 0;
  private cachedScale = 0;
  private cachedKind: ScaleKind = 'none';
  private stale = true;
  private readonly fit: BaselineFit;
  /** `'line'` only: the window in arrival order, then sorted thirds and residuals (scratch). */
  private readonly ys: Float64Array;
  private readonly scratch: Float64Array;
  private slope = 0;
  private intercept = 0;
  /** Position of the newest window value when the line was fit (x = 0 the oldest). */
  private fitEnd = 0;

  /**
   * @param window values in the baseline window
   * @param delay newest values held back from the baseline (0: a value joins at once)
   * @param fit the centre: the window's median, or a resistant line through it (see the file comment)
   */
  constructor(window: number, delay: number, fit: BaselineFit = 'median') {
    this.order = new RollingQuantiles(window);
    this.moments = new RollingMoments(window);
    this.pending = new Float64Array(delay);
    this.refreshEvery = Math.max(1, Math.ceil(window / 8));
    this.fit = fit;
    this.ys = new Float64Array(fit === 'line' ? window : 0);
    this.scratch = new Float64Array(fit === 'line' ? window : 0);
  }

  /** Adds the newest value; the value `delay` pushes old joins the baseline window. */
  push(x: number): void {
    const { pending } = this;
    if (pending.length === 0) {
      this.admit(x);
      return;
    }
    if (this.pendingCount === pending.length) this.admit(pending[this.pendingHead]!);
    else this.pendingCount++;
    pending[this.pendingHead] = x;
    this.pendingHead = this.pendingHead + 1 === pending.length ? 0 : this.pendingHead + 1;
  }

  /** Values in the baseline window (the held-back ones excluded). */
  get count(): number {
    return this.order.count;
  }

  get median(): number {
    return this.order.median;
  }

  /**
   * The value expected for the next value pushed: the median with `fit` `'median'`; with `'line'`
   * the resistant line at the position of that value (past the window and the held-back values).
   */
  get center(): number {
    if (this.fit === 'median') return this.order.median;
    this.refresh();
    // Values admitted since the fit, then the held-back ones, then the value under test.
    return this.intercept + this.slope * (this.fitEnd + this.sinceRefresh + this.pendingCount + 1);
  }

  /** Robust σ estimate of the baseline (see the file comment); 0 when the window is constant. */
  get scale(): number {
    this.refresh();
    return this.cachedScale;
  }

  /** Which estimate `scale` is: `mad`, `std` (MAD was 0), `resolution` (both below it) or `none` (constant window). */
  get scaleKind(): ScaleKind {
    this.refresh();
    return this.cachedKind;
  }

  /** Baseline values >= x, O(log w). */
  countAtLeast(x: number): number {
    return this.order.countAtLeast(x);
  }

  /** Baseline values <= x, O(log w). */
  countAtMost(x: number): number {
    return this.order.countAtMost(x);
  }

  private admit(x: number): void {
    if (this.order.count > 1 && this.constant() && !withinNoise(this.order.min, x) && !withinNoise(this.order.max, x)) {
      const level = this.order.median;
      this.order.reset();
      this.moments.reset();
      this.order.push(level);
      this.moments.push(level);
      this.stale = true;
    }
    this.order.push(x);
    this.moments.push(x);
    if (++this.sinceRefresh >= this.refreshEvery) this.stale = true;
  }

  /** Whether every value in the window is equal, to within float noise. */
  private constant(): boolean {
    return withinNoise(this.order.min, this.order.max);
  }

  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    this.sinceRefresh = 0;
    if (this.order.count === 0 || this.constant()) {
      this.slope = 0;
      this.intercept = this.order.count === 0 ? 0 : this.order.median;
      this.fitEnd = Math.max(0, this.order.count - 1);
      this.cachedScale = 0;
      this.cachedKind = 'none';
      return;
    }
    if (this.fit === 'line') {
      this.refitLine();
      return;
    }
    this.setScale(this.order.mad() * MAD_NORMAL_SCALE, this.order.count > 1 ? this.moments.std : 0);
  }

  /**
   * The scale: the (normal-consistent) MAD when positive, else the std floored at the window's
   * resolution, the smallest step its values move by.
   */
  private setScale(mad: number, std: number): void {
    if (mad > 0) {
      this.cachedScale = mad;
      this.cachedKind = 'mad';
      return;
    }
    const resolution = this.order.resolution();
    this.cachedScale = Math.max(std, resolution);
    this.cachedKind = std <= 0 && resolution <= 0 ? 'none' : std >= resolution ? 'std' : 'resolution';
  }

  /** Tukey's resistant line through the window, and the robust scale of its residuals. O(w log w). */
  private refitLine(): void {
    const { ys, scratch } = this;
    const n = this.order.copyInArrivalOrder(ys);
    const third = Math.floor(n / 3);
    let slope = 0;
    if (third >= 1) {
      const left = sortedMedian(scratch, ys, 0, third);
      const right = sortedMedian(scratch, ys, n - third, n);
      // Middle positions of the thirds: (third − 1)/2 and n − third + (third − 1)/2.
      slope = (right - left) / (n - third);
    }
    for (let i = 0; i < n; i++) scratch[i] = ys[i]! - slope * i;
    const intercept = sortedMedian(scratch, scratch, 0, n);
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const residual = ys[i]! - intercept - slope * i;
      sumSquares += residual * residual;
      scratch[i] = Math.abs(residual);
    }
    this.slope = slope;
    this.intercept = intercept;
    this.fitEnd = n - 1;
    this.setScale(sortedMedian(scratch, scratch, 0, n) * MAD_NORMAL_SCALE, n > 1 ? Math.sqrt(sumSquares / (n - 1)) : 0);
  }
}

/**
 * Median of `from[start..end)`, sorting a copy of it in `into[0..end − start)` (which may be
 * `from` itself when `start` is 0: then `from` is sorted in place).
 */
function sortedMedian(into: Float64Array, from: Float64Array, start: number, end: number): number {
  const count = end - start;
  if (into !== from || start !== 0) into.set(from.subarray(start, end), 0);
  const run = into.subarray(0, count);
  run.sort();
  const middle = count >> 1;
  return count % 2 === 1 ? run[middle]! : 0.5 * (run[middle - 1]! + run[middle]!);
}

/** Relative difference below which two values count as equal: float noise on a constant. */
const NOISE = 1e-9;

function withinNoise(a: number, b: number): boolean {
  return Math.abs(a - b) <= NOISE * Math.max(Math.abs(a), Math.abs(b));
}
