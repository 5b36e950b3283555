import { kstwoSf } from './kolmogorov-distribution.js';
import { gcd } from './common-denominator.js';

/** Alternative hypothesis of a two-sample KS test, with scipy's meaning (sample 1 = reference). */
export type KsAlternative = 'two-sided' | 'greater' | 'less';

/** How a two-sample KS p-value is computed: scipy's `method` of `ks_2samp`. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/** Settings of {@link ksTwoSamplePValue}. */
export interface KsPValueOptions {
  /** Default 'two-sided'. */
  readonly alternative?: KsAlternative;
  /** Default 'auto': exact when max(n1, n2) <= 10000, else asymptotic (scipy's rule). */
  readonly method?: KsMethod;
}

/** A two-sample KS p-value and how it was obtained. */
export interface KsPValue {
  /** The statistic the p-value belongs to; the exact method reports it as h / lcm(n1, n2). */
  readonly statistic: number;
  readonly pValue: number;
  /** 'exact' or 'asymp': the exact path falls back to asymp when it overflows, as scipy does. */
  readonly method: 'exact' | 'asymp';
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/**
 * p-value of a two-sample Kolmogorov–Smirnov statistic, computed as `scipy.stats.ks_2samp` does.
 *
 * - exact, two-sided: n1 = n2 by the alternating-sum formula of `_compute_prob_outside_square`,
 *   otherwise the lattice-path "inside" recursion of `_compute_outer_prob_inside_method`
 *   (Hodges 1958; Viehmann 2021's recursion for 1 − p), O(n1·band).
 * - exact, one-sided: n1 = n2 by the product Π (n−j)/(n+j+1); otherwise the paths-outside count
 *   of `_count_paths_outside_method` divided by C(n1+n2, n1), O(n²) binomials of O(n) each; falls back to asymp when
 *   C(n1+n2, n1) overflows a double (n1 + n2 above ~1030), like scipy.
 * - asymp, two-sided: `kstwo.sf(D, round(n1·n2/(n1+n2)))`, the exact one-sample Kolmogorov
 *   distribution at the effective size (not the plain Kolmogorov limit).
 * - asymp, one-sided: Hodges (1958) eq. 5.3, exp(−2z² − 2z(m+2n)/√(mn(m+n))/3), z = √(en)·D,
 *   m = max(n1, n2), n = min(n1, n2).
 *
 * `d` must be the statistic of the chosen alternative (D, D+ or D-). Exact methods cost up to a
 * few ms at n ≈ 1e4; call them on alarm, and per event compare D with {@link ksCriticalValue}.
 * Source: scipy/stats/_stats_py.py (`ks_2samp`, `_attempt_exact_2kssamp`) and
 * scipy/stats/_stats_pythran.py, scipy 1.17.
 *
 * @example
 * ksTwoSamplePValue(0.5, 2, 4).pValue; // 0.9333 (scipy testTwoVsFour)
 */
export function ksTwoSamplePValue(d: number, n1: number, n2: number, options: KsPValueOptions = {}): KsPValue {
  const { alternative = 'two-sided', method = 'auto' } = options;
  if (!Number.isInteger(n1) || !Number.isInteger(n2) || n1 < 1 || n2 < 1) {
    throw new RangeError(`ksTwoSamplePValue needs sample sizes that are positive integers, got ${n1} and ${n2}`);
  }
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksTwoSamplePValue needs a statistic in [0, 1], got ${d}`);
  const g = gcd(n1, n2);
  let mode: 'exact' | 'asymp' = method === 'auto' ? (Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp') : method;
  if (method === 'exact' && n1 / g >= INT32_MAX / (n2 / g)) mode = 'asymp';
  if (mode === 'exact') {
    const exact = exactTwoSample(n1, n2, g, d, alternative);
    if (exact) return { statistic: exact.statistic, pValue: clamp01(exact.pValue), method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  let pValue: number;
  if (alternative === 'two-sided') pValue = kstwoSf(roundHalfEven(en), d);
  else {
    const z = Math.sqrt(en) * d;
    pValue = Math.exp(-2 * z * z - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3);
  }
  return { statistic: d, pValue: clamp01(pValue), method: 'asymp' };
}

/**
 * Critical value of the two-sample KS statistic at level alpha from the Kolmogorov limit:
 * c(α)·√((n1+n2)/(n1·n2)) with c(α) = √(−ln(α/2)/2) (1.358, 1.628, 1.949 for α = .05, .01, .001).
 * D above it rejects at about level α for large samples. Cost: O(1); cheap enough per event.
 *
 * @example
 * ksCriticalValue(0.05, 1000, 1000); // 0.0607
 */
export function ksCriticalValue(alpha: number, n1: number, n2: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`ksCriticalValue needs alpha in (0, 1), got ${alpha}`);
  if (!(n1 > 0 && n2 > 0)) throw new RangeError(`ksCriticalValue needs positive sample sizes, got ${n1} and ${n2}`);
  return Math.sqrt(-Math.log(alpha / 2) / 2) * Math.sqrt((n1 + n2) / (n1 * n2));
}

function exactTwoSample(n1: number, n2: number, g: number, d: number, alternative: KsAlternative): { statistic: number; pValue: number } | undefined {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  let pValue: number;
  if (alternative === 'two-sided') {
    pValue = n1 === n2 ? probabilityOutsideSquare(n1, h) : outerProbabilityInside(n1, n2, g, h);
  } else if (n1 === n2) {
    pValue = 1;
    for (let j = 0; j < h; j++) pValue *= (n1 - j) / (n1 + j + 1);
  } else {
    const total = binomial(n1 + n2, n1);
    if (!Number.isFinite(total)) return undefined;
    const paths = countPathsOutside(n1, n2, g, h);
    if (!Number.isFinite(paths) || paths > total) return undefined;
    pValue = paths / total;
  }
  if (!(pValue >= 0 && pValue <= 1)) return undefined;
  return { statistic, pValue };
}

/** P(D_{n,n} ≥ h/n) = 2 Σ (−1)^{k−1} C(2n, n−kh)/C(2n, n), Horner-like (scipy `_compute_prob_outside_square`). */
function probabilityOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/** 1 − (paths staying strictly inside |x/m − y/n| < h/lcm) / C(m+n, n) (scipy `_compute_outer_prob_inside_method`). */
function outerProbabilityInside(first: number, second: number, g: number, h: number): number {
  const m = Math.max(first, second);
  const n = Math.min(first, second);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(Math.max(lenA, 1)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let value = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      value = (A[jj + minj - lastminj]! * i + value * j) / (i + j);
      A[jj] = value;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** Lattice paths from (0,0) to (m,n) with m·y ≤ n·x − h·g somewhere (scipy `_count_paths_outside_method`). */
function countPathsOutside(first: number, second: number, g: number, h: number): number {
  const m = Math.max(first, second);
  const n = Math.min(first, second);
  const mg = m / g;
  const ng = n / g;
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binomial(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    let bj = binomial(xj[j]! + j, j);
    for (let i = 0; i < j; i++) bj -= binomial(xj[j]! - xj[i]! + j - i, j - i) * B[i]!;
    B[j] = bj;
  }
  let paths = 0;
  for (let j = 0; j < lxj; j++) paths += B[j]! * binomial(m - xj[j]! + (n - j), n - j);
  return paths;
}

/** C(n, k) for integers by a rescaled product over the smaller side (scipy's `binom` for k < 20, here for all k). */
function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const small = Math.min(k, n - k);
  let numerator = 1;
  let denominator = 1;
  for (let i = 1; i <= small; i++) {
    numerator *= i + n - small;
    denominator *= i;
    if (Math.abs(numerator) > 1e50) {
      numerator /= denominator;
      denominator = 1;
    }
  }
  return numerator / denominator;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function clamp01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
