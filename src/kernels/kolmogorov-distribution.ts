// Kolmogorov–Smirnov distributions, ported from SciPy so p-values match scipy.stats:
// scipy/special (xsf/cephes/kolmogorov.h: `kolmogorov`, `smirnov`) and
// scipy/stats/_ksstats.py (`_kolmogn`, after Simard & L'Ecuyer 2011).

const MIN_LOG = -708.3964185322641; // log(smallest normal double): exp() below this is 0
const MIN_EXPABLE = -708 - 38;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const SQRT3 = Math.sqrt(3);
const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;

/**
 * Survival function of the Kolmogorov limit distribution, Q(x) = 2 Σ (−1)^{k−1} e^{−2k²x²}
 * (`scipy.stats.kstwobign.sf`, `scipy.special.kolmogorov`): the asymptotic p-value of √n·D.
 * Two series as in cephes (Jacobi theta form below x = 0.82). Cost: O(1).
 *
 * @example
 * kstwobignSf(1.3580986393225505); // 0.05
 */
export function kstwobignSf(x: number): number {
  return kolmogorovBoth(x).sf;
}

/** CDF of the Kolmogorov limit distribution (`scipy.stats.kstwobign.cdf`). Cost: O(1). */
export function kstwobignCdf(x: number): number {
  return kolmogorovBoth(x).cdf;
}

function kolmogorovBoth(x: number): { sf: number; cdf: number } {
  if (Number.isNaN(x)) return { sf: Number.NaN, cdf: Number.NaN };
  if (x <= Math.PI / Math.sqrt(-MIN_EXPABLE * 8)) return { sf: 1, cdf: 0 };
  if (x <= 0.82) {
    // P = sqrt(2π)/x · u · (1 + u^8 + u^24 + ...), u = e^{−π²/(8x²)}
    const w = SQRT_2PI / x;
    const logu8 = -PI_SQUARED / (x * x);
    const u = Math.exp(logu8 / 8);
    let cdf: number;
    if (u === 0) cdf = Math.exp(logu8 / 8 + Math.log(w));
    else {
      const u8 = Math.exp(logu8);
      const u8cubed = u8 ** 3;
      let p = 1;
      p = 1 + u8cubed * p;
      p = 1 + u8 * u8 * p;
      p = 1 + u8 * p;
      cdf = w * u * p;
    }
    return { sf: clamp01(1 - cdf), cdf: clamp01(cdf) };
  }
  // P = 2 (v − v^4 + v^9 − ...) = 2v (1 − v^3 (1 − v^5 (1 − v^7 (...)))), v = e^{−2x²}
  const v = Math.exp(-2 * x * x);
  const vsq = v * v;
  const v3 = v ** 3;
  let p = 1;
  p = 1 - v3 * v3 * v * p;
  p = 1 - v3 * vsq * p;
  p = 1 - v3 * p;
  const sf = 2 * v * p;
  return { sf: clamp01(sf), cdf: clamp01(1 - sf) };
}

/**
 * Survival function of the one-sided one-sample Kolmogorov–Smirnov statistic D+_n
 * (`scipy.special.smirnov(n, d)`), by the Smirnov (1944) / Birnbaum–Tingey (1951) sum
 *
 *     P(D+_n ≥ d) = d · Σ_{v=0}^{⌊n(1−d)⌋} C(n, v) (d + v/n)^{v−1} (1 − d − v/n)^{n−v}.
 *
 * All terms are positive; each is evaluated in log space in double precision (SciPy uses
 * double-double arithmetic), which keeps ~1e-12 relative accuracy for n up to a few thousand,
 * far inside the 1e-7 the asymptotic two-sample p-values need. Same special cases and
 * early termination as SciPy. Cost: O(n) worst case.
 *
 * @example
 * smirnovSf(5, 0.5); // 0.056
 */
export function smirnovSf(n: number, d: number): number {
  if (!(n > 0 && Number.isInteger(n) && d >= 0 && d <= 1)) return Number.NaN;
  if (n === 1) return 1 - d;
  if (d === 0) return 1;
  if (d === 1) return 0;
  const nx = n * d;
  const nxFloor = Math.floor(nx);
  if (nxFloor === 0 || nx === 1) return 1 - d * (1 + d) ** (n - 1);
  if (-2 * n * d * d < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return (1 - d) ** n;
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * d + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp); // 1 - cdf, cdf = -expm1(logp)
  }
  // Terms v = 0 .. n − ⌊n·d⌋ − 1; the next one has 1 − d − v/n ≤ 0 and vanishes.
  const lastTerm = n - nxFloor - 1;
  let logBinomial = 0;
  let total = 0;
  for (let v = 0; v <= lastTerm; v++) {
    if (v > 0) logBinomial += Math.log((n - v + 1) / v);
    const low = d + v / n;
    const high = (n - v - nx) / n; // 1 − d − v/n with one rounding of n·d
    const term = Math.exp(logBinomial + (v - 1) * Math.log(low) + (n - v) * Math.log(high));
    total += term;
    if (term !== 0 && 4 * (lastTerm + 1 - v) * term < Number.EPSILON * total && v !== lastTerm) break;
    if (term === 0 && v > n / 2) break;
  }
  return clamp01(d * total);
}

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n
 * (`scipy.stats.kstwo.sf(d, n)`, `_kolmogn(n, d, cdf=False)`): Ruben–Gambino closed forms at the
 * ends, 2·smirnov for d ≥ 0.5, and otherwise SciPy's Simard–L'Ecuyer choice between the
 * Durbin matrix (Marsaglia–Tsang–Wang 2003), the Pomeranz (1974) recursion, 2·smirnov, and
 * the Pelz–Good (1976) asymptotic series. Cost: O(1) to O(n) (O(k³ log n) for the matrix, k ≈ n·d).
 *
 * scipy's two-sample `ks_2samp(method='asymp')` p-value is `kstwoSf(D, round(n·m/(n+m)))`.
 *
 * @example
 * kstwoSf(100, 0.1); // ≈ 0.2606
 */
export function kstwoSf(n: number, d: number): number {
  return kolmogn(n, d, false);
}

/** CDF of the two-sided one-sample Kolmogorov–Smirnov statistic (`scipy.stats.kstwo.cdf(d, n)`). */
export function kstwoCdf(n: number, d: number): number {
  return kolmogn(n, d, true);
}

function select(cdfProbability: number, sfProbability: number, cdf: boolean): number {
  return clamp01(cdf ? cdfProbability : sfProbability);
}

function kolmogn(n: number, x: number, cdf: boolean): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  if (x >= 1) return select(1, 0, cdf);
  if (x <= 0) return select(0, 1, cdf);
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return select(0, 1, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return select(prob, 1 - prob, cdf);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return select(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return select(1 - prob, prob, cdf);
  }
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) {
      const prob = durbinMatrixCdf(n, x);
      return select(prob, 1 - prob, cdf);
    }
    if (nxSquared <= 4) {
      const prob = pomeranzCdf(n, x);
      return select(prob, 1 - prob, cdf);
    }
    const prob = 2 * smirnovSf(n, x);
    return select(1 - prob, prob, cdf);
  }
  if (!cdf) {
    if (nxSquared >= 370) return 0;
    if (nxSquared >= 2.2) return clamp01(2 * smirnovSf(n, x));
  }
  let cdfProbability: number;
  if (nxSquared >= 18) cdfProbability = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfProbability = durbinMatrixCdf(n, x);
  else cdfProbability = pelzGoodCdf(n, x);
  return select(cdfProbability, 1 - cdfProbability, cdf);
}

/** log(n! / n^n) by Stirling's series with n·log(n) removed up front (scipy `_log_nfactorial_div_n_pow_n`). */
function logFactorialOverPower(n: number): number {
  // B_2j / (2j (2j − 1)) for j = 8 .. 1 (Bernoulli numbers), highest power first
  const coefficients = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];
  const rn = 1 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of coefficients) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** P(D_n ≤ d) by Durbin's matrix, computed as Marsaglia, Tsang & Wang (2003) do (scipy `_kolmogn_DMTW`). */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * factorial;
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let hExponent = 0;
  let remaining = n;
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = multiply(power, H, m);
      exponent += hExponent;
    }
    H = multiply(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > EP128) {
      for (let i = 0; i < H.length; i++) H[i]! /= EP128;
      hExponent += E128;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      exponent -= E128;
    }
  }
  if (exponent !== 0) p = p * 2 ** exponent;
  return clamp01(p);
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += aik * b[k * m + j]!;
    }
  }
  return out;
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n ≤ x) by the Pomeranz (1974) recursion (scipy `_kolmogn_Pomeranz`). */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  let exponent = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let j1 = pomeranzBounds(0, n, ll, ceilf, roundf)[0];
  let j2: number;
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const powers = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // numpy: np.convolve(V0[k1 - V0s : k1 - V0s + ln2], powers[:ln2]) with slice truncation
      const offset = k1 - V0s;
      const len1 = Math.max(0, Math.min(ln2, npwrs - offset));
      const len2 = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLength = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < convLength; c++) {
        const index = convStart + c;
        let total = 0;
        const from = Math.max(0, index - len2 + 1);
        const to = Math.min(index, len1 - 1);
        for (let a = from; a <= to; a++) total += V0[offset + a]! * powers[index - a]!;
        V1[c] = total;
        if (total > max) max = total;
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c]! *= EP128;
        exponent -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let answer = V1[n - V1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > EP128) {
      answer *= EM128;
      exponent += E128;
    }
    answer *= m;
  }
  if (exponent !== 0) answer = answer * 2 ** exponent;
  return clamp01(answer);
}

/** Pelz–Good (1976) approximation of P(D_n ≤ x) (scipy `_kolmogn_PelzGood`). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coefficients[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / divisors[i]!;
  q = Math.exp(-PI_SQUARED / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = SQRT3 * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qpower = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qpower;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qpower;
  }
  K[2]! += (k2extra * PI_SQUARED * SQRT_2PI) / (-36 * z3);
  K[3]! += (k3extra * PI_SQUARED * SQRT_2PI) / (216 * z6);
  let total = 0;
  for (let i = 0; i < 4; i++) total += K[i]! / n ** (i / 2);
  return total;
}

function clamp01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
