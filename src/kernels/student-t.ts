/**
 * Student's t distribution with an integer number of degrees of freedom: the two-sided
 * probability A(t | nu) = P(|T| < t) in closed form, and its upper quantile by bisection.
 *
 * A(t | nu) is the finite series of Abramowitz & Stegun, Handbook of Mathematical Functions,
 * 26.7.3 (nu odd) and 26.7.4 (nu even), with theta = atan(t / sqrt(nu)):
 * - nu = 1: 2 theta / pi;
 * - nu odd > 1: (2/pi) (theta + sin theta (cos theta + (2/3) cos^3 theta + ... +
 *   (2·4···(nu−3)) / (1·3···(nu−2)) cos^(nu−2) theta));
 * - nu even: sin theta (1 + (1/2) cos^2 theta + (1·3)/(2·4) cos^4 theta + ... +
 *   (1·3···(nu−3)) / (2·4···(nu−2)) cos^(nu−2) theta).
 * Exact up to rounding; O(nu) per evaluation. Used for thresholds of statistics whose scale is
 * estimated from few values (a z against an estimated sd is t-distributed, not normal).
 *
 * @example
 * tUpperQuantile(0.025, 5); // 2.5706 (the two-sided 95% critical value at 5 degrees of freedom)
 */

/** P(|T| < t) for T ~ Student's t with `nu` (a positive integer) degrees of freedom, t >= 0. */
export function tTwoSidedWithin(t: number, nu: number): number {
  if (!Number.isInteger(nu) || nu < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${nu}`);
  if (!(t > 0)) return 0;
  if (t === Number.POSITIVE_INFINITY) return 1;
  const theta = Math.atan(t / Math.sqrt(nu));
  const sin = Math.sin(theta);
  const cos = Math.cos(theta);
  const cos2 = cos * cos;
  if (nu % 2 === 1) {
    if (nu === 1) return (2 * theta) / Math.PI;
    // cos θ + (2/3) cos³ θ + (2·4)/(1·3·5) cos⁵ θ + ...: each term is the last times cos² θ (k−1)/k, k = 3, 5, ...
    let term = cos;
    let sum = cos;
    for (let k = 3; k <= nu - 2; k += 2) {
      term *= (cos2 * (k - 1)) / k;
      sum += term;
    }
    return (2 / Math.PI) * (theta + sin * sum);
  }
  // 1 + (1/2) cos² θ + (1·3)/(2·4) cos⁴ θ + ...: each term is the last times cos² θ (k−1)/k, k = 2, 4, ...
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= nu - 2; k += 2) {
    term *= (cos2 * (k - 1)) / k;
    sum += term;
  }
  return sin * sum;
}

/** The t with P(T > t) = `upper` (0 < upper < 0.5) at `nu` degrees of freedom, to ~1e-12 relative. */
export function tUpperQuantile(upper: number, nu: number): number {
  if (!(upper > 0 && upper < 0.5)) throw new RangeError(`upper tail probability must lie in (0, 0.5), got ${upper}`);
  const within = 1 - 2 * upper;
  let low = 0;
  let high = 1;
  while (tTwoSidedWithin(high, nu) < within) high *= 2;
  for (let iteration = 0; iteration < 200 && high - low > 1e-12 * high; iteration++) {
    const middle = (low + high) / 2;
    if (tTwoSidedWithin(middle, nu) < within) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
