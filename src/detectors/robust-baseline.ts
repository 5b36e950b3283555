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
 * Cost: O(log w) comparisons + one memmove per value, amortised O(1) for the scale. Pure.
 */
import { RollingMoments } from '../kernels/rolling-moments.js';
import { MAD_NORMAL_SCALE, RollingQuantiles } from '../kernels/rolling-quantiles.js';

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

  /**
   * @param window values in the baseline window
   * @param delay newest values held back from the baseline (0: a value joins at once)
   */
  constructor(window: number, delay: number) {
    this.order = new RollingQuantiles(window);
    this.moments = new RollingMoments(window);
    this.pending = new Float64Array(delay);
    this.refreshEvery = Math.max(1, Math.ceil(window / 8));
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
      this.cachedScale = 0;
      this.cachedKind = 'none';
      return;
    }
    const mad = this.order.mad() * MAD_NORMAL_SCALE;
    if (mad > 0) {
      this.cachedScale = mad;
      this.cachedKind = 'mad';
      return;
    }
    const std = this.order.count > 1 ? this.moments.std : 0;
    const resolution = this.order.resolution();
    this.cachedScale = Math.max(std, resolution);
    this.cachedKind = std <= 0 && resolution <= 0 ? 'none' : std >= resolution ? 'std' : 'resolution';
  }
}

/** Relative difference below which two values count as equal: float noise on a constant. */
const NOISE = 1e-9;

function withinNoise(a: number, b: number): boolean {
  return Math.abs(a - b) <= NOISE * Math.max(Math.abs(a), Math.abs(b));
}
