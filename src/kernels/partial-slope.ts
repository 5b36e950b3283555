/** Result of {@link partialSlope}. */
export interface PartialSlope {
  /** Change of y per unit of x, z held fixed. */
  readonly slope: number;
  /** slope / its standard error (±Infinity on an exact fit, 0 when x cannot be separated from z). */
  readonly t: number;
  /** Residual degrees of freedom (points minus fitted parameters). */
  readonly df: number;
}

/** Relative size under which a variance or a determinant counts as zero (float noise of sums). */
const TINY = 1e-12;

/**
 * The least-squares slope of `y` on `x`, holding a second regressor `z` fixed when one is given
 * (y = a + b·x + c·z), with its t statistic. O(n), no allocation.
 *
 * Used to ask whether one series moves with another once a third is accounted for: whether the
 * step-to-step changes of a reward follow those of the mean length beyond what the changes of its
 * true component explain.
 *
 * Degenerate inputs give answers rather than NaN:
 * - fewer than (regressors + 2) points, or x constant, or x a linear function of z: slope 0, t 0
 *   (nothing can be said about x apart from z);
 * - an exact fit (no residual): t is ±Infinity when x explains a non-negligible part of y
 *   (|b|·sd(x) above 1e-9 of sd(y)), 0 otherwise; a deterministic length bonus averaged per step
 *   is an exact linear function of the mean length.
 * - z constant: z is dropped and the simple slope is returned.
 *
 * @example
 * // Anscombe's first data set: slope 0.500, t 4.24 (9 df)
 * partialSlope([10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5], [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68], 11);
 */
export function partialSlope(x: ArrayLike<number>, y: ArrayLike<number>, n: number, z?: ArrayLike<number>): PartialSlope {
  let mx = 0;
  let my = 0;
  let mz = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
    if (z) mz += z[i]!;
  }
  mx /= n;
  my /= n;
  mz /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let szz = 0;
  let sxz = 0;
  let syz = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
    if (z) {
      const dz = z[i]! - mz;
      szz += dz * dz;
      sxz += dx * dz;
      syz += dy * dz;
    }
  }
  // Relative to z's raw second moment, so units never matter.
  const withZ = z !== undefined && szz > TINY * (szz + n * mz * mz);
  return partialSlopeOfMoments({ sxx, syy, sxy, szz, sxz, syz }, withZ, n - (withZ ? 3 : 2));
}

/** Centered sums of squares and cross products of x, y and z (z's are 0 when there is no z). */
export interface CoMoments {
  readonly sxx: number;
  readonly syy: number;
  readonly sxy: number;
  readonly szz: number;
  readonly sxz: number;
  readonly syz: number;
}

/**
 * {@link partialSlope} from co-moments already summed, with `df` residual degrees of freedom:
 * for moments pooled over groups (within-step regressions, one intercept per step), where the
 * caller knows how many parameters were fitted. `withZ` false ignores the z moments. O(1).
 */
export function partialSlopeOfMoments(moments: CoMoments, withZ: boolean, df: number): PartialSlope {
  const { sxx, syy, sxy, szz, sxz, syz } = moments;
  const none = { slope: 0, t: 0, df: Math.max(0, df) };
  if (df < 1 || !(sxx > 0)) return none;

  let slope: number;
  let other = 0;
  // x's variance left once z is regressed out: the denominator of its slope and of its error.
  let sxxGivenZ: number;
  if (withZ) {
    const det = sxx * szz - sxz * sxz;
    if (!(det > TINY * sxx * szz)) return none;
    slope = (sxy * szz - syz * sxz) / det;
    other = (syz * sxx - sxy * sxz) / det;
    sxxGivenZ = det / szz;
  } else {
    slope = sxy / sxx;
    sxxGivenZ = sxx;
  }
  const residual = Math.max(0, syy - slope * sxy - other * syz);
  if (!(syy > 0)) return { slope: 0, t: 0, df };
  if (residual <= TINY * syy) {
    const explains = Math.abs(slope) * Math.sqrt(sxxGivenZ) > 1e-9 * Math.sqrt(syy);
    return { slope, t: explains ? Math.sign(slope) * Number.POSITIVE_INFINITY : 0, df };
  }
  const se = Math.sqrt(residual / df / sxxGivenZ);
  return { slope, t: slope / se, df };
}
