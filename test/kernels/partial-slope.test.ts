import { describe, expect, it } from 'vitest';
import { partialSlope, partialSlopeOfMoments } from '../../src/kernels/partial-slope.js';
import { Random } from '../../src/sim/random.js';

// Anscombe (1973), "Graphs in Statistical Analysis", The American Statistician 27(1): each of the
// four data sets has the regression line y = 3 + 0.5x, "estimated regression coefficient of y on
// x: 0.500, standard error 0.118, t = 4.24".
const ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
const ANSCOMBE_Y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
const ANSCOMBE_X4 = [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8];
const ANSCOMBE_Y4 = [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.5, 5.56, 7.91, 6.89];

/** Residuals of v regressed on z with an intercept (Frisch-Waugh-Lovell's first stage). */
function residualsOn(v: number[], z: number[]): number[] {
  const n = v.length;
  const mv = v.reduce((a, b) => a + b, 0) / n;
  const mz = z.reduce((a, b) => a + b, 0) / n;
  let szz = 0;
  let svz = 0;
  for (let i = 0; i < n; i++) {
    szz += (z[i]! - mz) ** 2;
    svz += (v[i]! - mv) * (z[i]! - mz);
  }
  return v.map((value, i) => value - mv - (svz / szz) * (z[i]! - mz));
}

describe('partialSlope', () => {
  it("matches Anscombe's published slope and t (sets I and IV)", () => {
    const one = partialSlope(ANSCOMBE_X, ANSCOMBE_Y1, 11);
    expect(one.slope).toBeCloseTo(0.5, 3);
    expect(one.slope / one.t).toBeCloseTo(0.118, 3);
    expect(one.t).toBeCloseTo(4.24, 2);
    expect(one.df).toBe(9);
    const four = partialSlope(ANSCOMBE_X4, ANSCOMBE_Y4, 11);
    expect(four.slope).toBeCloseTo(0.5, 3);
    expect(four.t).toBeCloseTo(4.24, 2);
  });

  it('holds z fixed: the slope and t of ordinary least squares with two regressors', () => {
    // Reference: numpy.linalg.lstsq on [1, x, z], t = b / sqrt(s^2 (X'X)^-1), 7 df.
    const x = [3, 7, 1, 8, 4, 6, 2, 9, 5, 10];
    const z = [0.2, 0.9, 0.1, 0.4, 0.7, 0.3, 0.8, 0.5, 0.6, 0.05];
    const y = [1.1, 2.9, 0.2, 2.6, 2.3, 1.8, 1.4, 3.1, 2.2, 2.7];
    const fit = partialSlope(x, y, 10, z);
    expect(fit.slope).toBeCloseTo(0.27306922, 7);
    expect(fit.t).toBeCloseTo(13.8113607, 5);
    expect(fit.df).toBe(7);
    // Without z the same data give the simple slope (0.26242, t 5.0825, 8 df).
    const simple = partialSlope(x, y, 10);
    expect(simple.slope).toBeCloseTo(0.26242424, 7);
    expect(simple.t).toBeCloseTo(5.0825237, 5);
  });

  it('equals the slope of residuals on residuals (Frisch-Waugh-Lovell) on random data', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 20; trial++) {
      const n = 8 + trial;
      const z = Array.from({ length: n }, () => rng.normal());
      const x = z.map((value) => 0.7 * value + rng.normal());
      const y = x.map((value, i) => 0.3 * value - 2 * z[i]! + rng.normal());
      const fit = partialSlope(x, y, n, z);
      const rx = residualsOn(x, z);
      const ry = residualsOn(y, z);
      const fwl = partialSlope(rx, ry, n);
      expect(fit.slope).toBeCloseTo(fwl.slope, 10);
      // Same residuals, one degree of freedom fewer for the estimated z.
      expect(fit.t).toBeCloseTo(fwl.t * Math.sqrt((n - 3) / (n - 2)), 8);
    }
  });

  it('from moments pooled over groups, equals the fixed-effects regression (each group demeaned), with its degrees of freedom', () => {
    const rng = new Random(9);
    const groups = [12, 9, 15];
    const all = { x: [] as number[], y: [] as number[], z: [] as number[] };
    const pooled = { sxx: 0, syy: 0, sxy: 0, szz: 0, sxz: 0, syz: 0 };
    for (const [g, n] of groups.entries()) {
      const z = Array.from({ length: n }, () => rng.normal());
      const x = z.map((v) => 3 * g + 0.5 * v + rng.normal()); // groups at different levels
      const y = x.map((v, i) => 10 * g + 0.4 * v + z[i]! + rng.normal());
      const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
      const [mx, my, mz] = [mean(x), mean(y), mean(z)];
      for (let i = 0; i < n; i++) {
        const [dx, dy, dz] = [x[i]! - mx, y[i]! - my, z[i]! - mz];
        pooled.sxx += dx * dx;
        pooled.syy += dy * dy;
        pooled.sxy += dx * dy;
        pooled.szz += dz * dz;
        pooled.sxz += dx * dz;
        pooled.syz += dy * dz;
        all.x.push(dx);
        all.y.push(dy);
        all.z.push(dz);
      }
    }
    const n = all.x.length;
    const fixed = partialSlopeOfMoments(pooled, true, n - groups.length - 2);
    const demeaned = partialSlope(all.x, all.y, n, all.z); // one intercept, 3 parameters
    expect(fixed.slope).toBeCloseTo(demeaned.slope, 10);
    expect(fixed.df).toBe(n - 5);
    expect(fixed.t).toBeCloseTo(demeaned.t * Math.sqrt((n - 5) / (n - 3)), 8);
  });

  it('reads only the first n values', () => {
    const x = [...ANSCOMBE_X, 100, -100];
    const y = [...ANSCOMBE_Y1, -50, 50];
    expect(partialSlope(x, y, 11).t).toBeCloseTo(4.24, 2);
  });

  it('answers degenerate inputs: constant x, x tied to z, too few points, exact fits', () => {
    expect(partialSlope([1, 1, 1, 1], [1, 2, 3, 4], 4)).toEqual({ slope: 0, t: 0, df: 2 });
    const z = [1, 2, 3, 4, 5, 6];
    expect(partialSlope(z.map((v) => 2 * v + 1), [3, 1, 4, 1, 5, 9], 6, z).t).toBe(0);
    expect(partialSlope([1, 2], [3, 4], 2).t).toBe(0);
    expect(partialSlope([1, 2, 3], [3, 4, 6], 3, [0, 1, 0]).t).toBe(0); // 3 points, 3 parameters
    // y an exact linear function of x (a deterministic length bonus): infinite t, exact slope.
    const exact = partialSlope([1, 4, 2, 8, 5], [0.1, 0.4, 0.2, 0.8, 0.5], 5);
    expect(exact.slope).toBeCloseTo(0.1, 12);
    expect(exact.t).toBe(Number.POSITIVE_INFINITY);
    // y = 2z exactly (a reward that is its true component): x explains nothing beyond z.
    const zs = [0.1, -0.3, 0.2, 0.05, -0.1, 0.3];
    const xs = [3, -1, 4, 1, -5, 9];
    expect(partialSlope(xs, zs.map((v) => 2 * v), 6, zs).t).toBe(0);
    // A constant z is dropped: the simple slope.
    expect(partialSlope(ANSCOMBE_X, ANSCOMBE_Y1, 11, ANSCOMBE_X.map(() => 0.5)).t).toBeCloseTo(4.24, 2);
    // A constant y says nothing.
    expect(partialSlope([1, 2, 3, 4], [2, 2, 2, 2], 4).t).toBe(0);
  });
});
