/**
 * The exponent that sets the false-alarm rate of a tabular CUSUM on binary values: the positive
 * root θ of
 *
 *     E[exp(θ·(Y − r))] = p·e^{θ(1−r)} + (1−p)·e^{−θr} = 1,   Y ~ Bernoulli(p),
 *
 * for a CUSUM that accumulates `Y − r` above a reference value `r` (the in-control proportion plus
 * the slack). With that θ, exp(θ·S) is a martingale while the chart is in control, so a sum starting
 * at 0 reaches a decision interval H with probability at most e^{−θH} (Lundberg's inequality; Lorden
 * 1971 for the CUSUM): the in-control run length grows like e^{θH}. It is the "adjustment
 * coefficient" of ruin theory, and θ·(Y − r) is exactly the Bernoulli log-likelihood ratio of the
 * proportion `p1 = p·e^{θ(1−r)}` against `p` (Reynolds & Stoumbos 1999), so the chart is the
 * likelihood-ratio CUSUM for that shift.
 *
 * Why it matters: for standardized Gaussian values the same equation gives θ = 2k (in sd units), so
 * a chart with slack k and decision interval h has θH = 2kh, and its false-alarm rate follows from
 * that product. Binary values are skewed (a 1 at p = 0.03 is 5.7 sd above the mean), so the same h
 * in sd units is a far smaller θH; choosing H = 2kh / θ gives the binary chart the bound of the
 * Gaussian one at the same (k, h).
 *
 * Returns `Infinity` when `r >= 1` (the sum can never grow: no threshold is ever crossed) and 0 when
 * `r <= p` (no slack: the sum drifts up in control). Requires 0 < p < 1.
 * Cost: a few dozen Newton steps (convex, started right of the root, so it converges monotonically).
 *
 * @see Lorden, "Procedures for reacting to a change in distribution", Ann. Math. Stat. 42(6) 1971.
 * @see Reynolds & Stoumbos, "A CUSUM chart for monitoring a proportion when inspecting continuously",
 *   J. Quality Technology 31(1) 1999.
 * @example
 * bernoulliCusumExponent(0.5, 0.75); // => 2.44..., the log-odds slope of a 0.5 -> 0.92 proportion chart
 */
export function bernoulliCusumExponent(p: number, reference: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`bernoulliCusumExponent requires 0 < p < 1, got ${String(p)}`);
  if (Number.isNaN(reference)) throw new RangeError('bernoulliCusumExponent requires a reference value, got NaN');
  if (reference >= 1) return Number.POSITIVE_INFINITY;
  if (reference <= p) return 0;
  const q = 1 - p;
  // F(θ) = p·e^{θ(1−r)} + q·e^{−θr} − 1 is convex with F(0) = 0 and F'(0) = p − r < 0. At
  // θ = ln(1/p)/(1−r) the first term alone is 1, so F > 0 there: start from it and step left.
  let theta = Math.log(1 / p) / (1 - reference);
  for (let i = 0; i < 100; i++) {
    const up = p * Math.exp(theta * (1 - reference));
    const down = q * Math.exp(-theta * reference);
    const value = up + down - 1;
    const slope = (1 - reference) * up - reference * down;
    const next = theta - value / slope;
    if (!(next < theta)) break;
    theta = next;
  }
  return theta;
}
