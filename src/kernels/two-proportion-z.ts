/**
 * Two-proportion z statistic with the pooled variance: how many standard errors the share
 * `successesA / trialsA` lies above `successesB / trialsB` if both came from one common rate,
 *
 *   z = (pA − pB) / √(p̄ (1 − p̄) (1/nA + 1/nB)),  p̄ = (sA + sB) / (nA + nB),
 *
 * the score test of statsmodels' `proportions_ztest(count, nobs)` (default `prop_var=False`).
 * Both samples count as estimates, so a baseline of a few trials needs a larger gap than a rate
 * known exactly would. Counts may be fractional (a logged share counted as one trial).
 * 0 when a side has no trials or the pooled share is 0 or 1 (then the two shares are equal).
 *
 * @example
 * twoProportionZ(15, 50, 5, 50); // 2.5 (0.3 vs 0.1, pooled 0.2: 0.2 / √(0.16 · 0.04))
 */
export function twoProportionZ(successesA: number, trialsA: number, successesB: number, trialsB: number, continuity = false): number {
  if (!(trialsA > 0) || !(trialsB > 0)) return 0;
  const pooled = (successesA + successesB) / (trialsA + trialsB);
  const variance = pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB);
  if (!(variance > 0)) return 0;
  const difference = successesA / trialsA - successesB / trialsB;
  // Yates: the counts move in whole trials, so the gap is taken half a trial of each side closer to 0.
  const correction = continuity ? Math.min(Math.abs(difference), 0.5 * (1 / trialsA + 1 / trialsB)) : 0;
  return (difference - Math.sign(difference) * correction) / Math.sqrt(variance);
}
