import { binaryExponent, RESCALE_MARGIN, SCALED_HIGH, SCALED_LOW, scaleByPowerOfTwo, targetExponent } from './binary-scale.js';

/**
 * Exponentially weighted moving average and variance of a stream, updated in O(1) per value.
 *
 * Like {@link RollingMoments}, but every past value keeps a weight that decays by `1 − alpha` per
 * new value instead of dropping out of a window.
 *
 * Update (Finch 2009, "Incremental calculation of weighted mean and variance", §9; West 1979):
 * `d = x − mean; mean += g·d; variance = (1 − g)·(variance + g·d²)` with gain `g`. Equal in exact
 * arithmetic to River's `EWVar` (`EWMean(x²) − EWMean(x)²`) but free of its cancellation.
 *
 * Three ways to start (config):
 * - default: the first value seeds the mean (gain 1 once, then `alpha`), as River's `EWMean`/`EWVar`;
 * - `initial`: the mean starts at a target (gain `alpha` throughout), as the NIST EWMA chart's
 *   `EWMA_0` (e-Handbook §6.3.2.4); `initialVariance` (default 0) seeds the variance;
 * - `debias: true`: the weighted mean with weights normalised over the values seen so far,
 *   `Σ(1−α)^(t−i)·x_i / Σ(1−α)^(t−i)`, i.e. TensorBoard's / W&B's smoothing with its
 *   `1 − (1−α)^t` debiasing of a zero-started average. Gain `1/W_t` with `W_t = (1−α)·W_{t−1} + 1`
 *   (one extra multiply-add per value); it tends to `alpha` as t grows.
 *
 * The variance is the weighted population variance around the current mean (weights summing to 1),
 * not an unbiased estimate. Inputs must be finite numbers.
 *
 * Scale: the state holds values as `x · 2^−e` with a power-of-two exponent moved when a value lies
 * more than 2^256 from the state (as in {@link Moments}), so data near 1e300 or 1e-300 get their
 * true spread instead of Infinity or 0; exact, so results elsewhere are unchanged bit for bit.
 *
 * Cost: O(1) per `push`, O(1) memory.
 *
 * @see Finch, "Incremental calculation of weighted mean and variance", University of Cambridge, 2009.
 * @see West, "Updating mean and variance estimates: an improved method", CACM 22(9) 1979.
 * @see NIST/SEMATECH e-Handbook of Statistical Methods, §6.3.2.4 EWMA Control Charts.
 * @example
 * const ewma = new Ewma({ alpha: 0.5 });
 * for (const x of [1, 3, 5]) ewma.push(x);
 * ewma.mean; // => 3.5  (River EWMean(fading_factor=0.5) doctest)
 * ewma.variance; // => 2.75 (River EWVar(fading_factor=0.5) doctest)
 */
export class Ewma {
  /** Smoothing factor in (0, 1]: the weight of the newest value. */
  readonly alpha: number;
  private readonly decay: number;
  private readonly debias: boolean;
  /** Gain of the first value: 1 (the value seeds the mean) unless the mean starts at `initial`. */
  private readonly firstGain: number;
  private readonly startMean: number;
  private readonly startVariance: number;
  private readonly seeded: boolean;
  private n = 0;
  // Unseeded state starts at 0 (not NaN) so the first update with gain 1 needs no special case.
  private average: number;
  private spread: number;
  private weight = 0;
  /** The mean and variance above are of values scaled by `inverse` = 2^−exponent; `scale` = 2^exponent. */
  private exponent = 0;
  private inverse = 1;
  private scale = 1;

  constructor(config: EwmaConfig) {
    this.alpha = resolveAlpha(config);
    this.debias = config.debias ?? false;
    if (config.initial !== undefined && this.debias) {
      throw new TypeError('Ewma: `initial` and `debias` are exclusive (a debiased average has no start value)');
    }
    if (config.initial !== undefined && !Number.isFinite(config.initial)) {
      throw new RangeError(`Ewma initial must be a finite number, got ${config.initial}`);
    }
    const initialVariance = config.initialVariance ?? 0;
    if (!(initialVariance >= 0 && Number.isFinite(initialVariance))) {
      throw new RangeError(`Ewma initialVariance must be a finite number >= 0, got ${initialVariance}`);
    }
    if (config.initialVariance !== undefined && config.initial === undefined) {
      throw new TypeError('Ewma: `initialVariance` needs `initial`');
    }
    this.decay = 1 - this.alpha;
    this.seeded = config.initial !== undefined;
    this.firstGain = this.seeded ? this.alpha : 1;
    this.startMean = config.initial ?? 0;
    this.startVariance = initialVariance;
    this.average = this.startMean;
    this.spread = initialVariance;
  }

  /** Adds `x` (a finite number). */
  push(x: number): void {
    let gain = this.n++ === 0 ? this.firstGain : this.alpha;
    if (this.debias) {
      this.weight = this.decay * this.weight + 1;
      gain = 1 / this.weight;
    }
    let scaled = x * this.inverse;
    const magnitude = Math.abs(scaled);
    if (magnitude > SCALED_HIGH || (magnitude < SCALED_LOW && magnitude !== 0)) scaled = this.rescale(x, gain === 1);
    const delta = scaled - this.average;
    const step = gain * delta;
    this.average += step;
    // A gain of 1 (the first value, unseeded) forgets all history: the spread is 0. Written as the
    // product it would be 0 * Infinity = NaN once |x| passes ~1.3e154 (delta² overflows).
    this.spread = gain === 1 ? 0 : (1 - gain) * (this.spread + step * delta);
  }

  /** Number of values pushed. */
  get count(): number {
    return this.n;
  }

  /** The exponentially weighted mean; `initial` (or NaN) before the first value. */
  get mean(): number {
    return this.n === 0 && !this.seeded ? Number.NaN : this.average * this.scale;
  }

  /** The exponentially weighted variance around `mean`; `initialVariance` (or NaN) before the first value. */
  get variance(): number {
    return this.n === 0 && !this.seeded ? Number.NaN : this.spread * this.scale * this.scale;
  }

  /** `sqrt(variance)`, finite whenever the std itself is a double. */
  get std(): number {
    return this.n === 0 && !this.seeded ? Number.NaN : Math.sqrt(this.spread) * this.scale;
  }

  /** Forgets every value and returns to the configured start. */
  reset(): void {
    this.n = 0;
    this.weight = 0;
    this.average = this.startMean;
    this.spread = this.startVariance;
    this.setExponent(0);
  }

  /**
   * Moves the scale for a value far from it: to the larger of the value's exponent and the
   * state's own (the value's alone when it replaces the state, gain 1), unless within 2^128 of the
   * current one. Returns `x` scaled by the exponent in force. O(1); runs only on scale changes.
   */
  private rescale(x: number, replacesState: boolean): number {
    if (replacesState) {
      // The value replaces the state, so the old state is dropped before the scale moves: carried
      // to the value's scale it could overflow (4 at the scale of 5e-324 is Infinity), and
      // Infinity − Infinity would make the mean NaN. A debiased EWMA with α within 2^−53 of 1
      // reaches gain 1 on later values too, not only on the first.
      this.average = 0;
      this.spread = 0;
    }
    const stateSize = replacesState ? 0 : Math.max(Math.abs(this.average), Math.sqrt(this.spread));
    const wanted = binaryExponent(x);
    const exponent = targetExponent(wanted, this.exponent, stateSize);
    if (stateSize === 0 || Math.abs(exponent - this.exponent) > RESCALE_MARGIN) {
      const shift = this.exponent - exponent;
      this.average = scaleByPowerOfTwo(this.average, shift);
      this.spread = scaleByPowerOfTwo(this.spread, 2 * shift);
      this.setExponent(exponent);
    }
    return scaleByPowerOfTwo(x, -this.exponent);
  }

  private setExponent(exponent: number): void {
    this.exponent = exponent;
    this.inverse = scaleByPowerOfTwo(1, -exponent);
    this.scale = scaleByPowerOfTwo(1, exponent);
  }
}

/** Options of {@link Ewma}: exactly one of `alpha` or `halflife`. */
export interface EwmaConfig {
  /** Weight of the newest value, in (0, 1]. */
  readonly alpha?: number;
  /** Number of values after which a value's weight has halved (> 0): `alpha = 1 − 2^(−1/halflife)` (pandas' convention). */
  readonly halflife?: number;
  /** Start value of the mean (the target, NIST's `EWMA_0`). Default: seed with the first value. */
  readonly initial?: number;
  /** Start value of the variance, with `initial`. Default 0. */
  readonly initialVariance?: number;
  /** Normalise the weights over the values seen so far (TensorBoard/W&B debiasing). Default false. */
  readonly debias?: boolean;
}

function resolveAlpha(config: EwmaConfig): number {
  const { alpha, halflife } = config;
  if ((alpha === undefined) === (halflife === undefined)) {
    throw new TypeError('Ewma needs exactly one of `alpha` or `halflife`');
  }
  if (alpha !== undefined) {
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`Ewma alpha must be in (0, 1], got ${alpha}`);
    return alpha;
  }
  if (!(halflife! > 0 && Number.isFinite(halflife))) {
    throw new RangeError(`Ewma halflife must be a finite number > 0, got ${halflife}`);
  }
  return 1 - 2 ** (-1 / halflife!);
}

/** Control limits of an EWMA chart. */
export interface EwmaLimits {
  readonly lower: number;
  readonly upper: number;
}

/**
 * EWMA control-chart limits `target ± L·σ·sqrt(λ/(2−λ)·(1 − (1−λ)^(2t)))` after `t` values, or the
 * asymptotic limits `target ± L·σ·sqrt(λ/(2−λ))` when `t` is omitted. O(1).
 *
 * @see NIST/SEMATECH e-Handbook §6.3.2.4; Montgomery, Introduction to Statistical Quality Control, §9.2.
 * @example
 * ewmaControlLimits({ lambda: 0.3, target: 50, sigma: 2.0539, width: 3 });
 * // => { lower: 47.411568261873384, upper: 52.588431738126616 } (NIST prints 47.4115 and 52.5884)
 */
export function ewmaControlLimits(chart: {
  /** Smoothing factor λ in (0, 1]. */
  readonly lambda: number;
  /** Centre line (the in-control mean). */
  readonly target: number;
  /** In-control standard deviation of one value. */
  readonly sigma: number;
  /** Half-width L in units of the EWMA's standard deviation (3 on the NIST chart). */
  readonly width: number;
  /** Number of values so far (exact time-varying limits); omitted: asymptotic limits. */
  readonly t?: number;
}): EwmaLimits {
  const { lambda, target, sigma, width, t } = chart;
  if (!(lambda > 0 && lambda <= 1)) throw new RangeError(`ewmaControlLimits lambda must be in (0, 1], got ${lambda}`);
  const growth = t === undefined ? 1 : 1 - (1 - lambda) ** (2 * t);
  const half = width * sigma * Math.sqrt((lambda / (2 - lambda)) * growth);
  return { lower: target - half, upper: target + half };
}
