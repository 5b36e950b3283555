import { describe, expect, it } from 'vitest';
import { tTwoSidedWithin, tUpperQuantile } from '../../src/kernels/student-t.js';

// Upper critical values t(1 - alpha, nu), as printed (3 decimals) in the NIST/SEMATECH
// e-Handbook of Statistical Methods, section 1.3.6.7.2 "Critical Values of the Student's t
// Distribution" (the same values as Abramowitz & Stegun, Table 26.10).
const PUBLISHED: readonly (readonly [alpha: number, nu: number, t: number])[] = [
  [0.025, 1, 12.706],
  [0.025, 2, 4.303],
  [0.025, 3, 3.182],
  [0.025, 5, 2.571],
  [0.025, 10, 2.228],
  [0.025, 30, 2.042],
  [0.005, 3, 5.841],
  [0.005, 10, 3.169],
  [0.005, 20, 2.845],
  [0.0005, 5, 6.869],
  [0.0005, 10, 4.587],
  [0.0005, 30, 3.646],
];

describe('Student t', () => {
  it.each(PUBLISHED)('upper %s quantile at %s df matches the published table', (alpha, nu, t) => {
    expect(tUpperQuantile(alpha, nu)).toBeCloseTo(t, 3);
  });

  it('gives the Cauchy and 2-df closed forms, and tends to the normal', () => {
    // nu = 1 is the Cauchy distribution: P(|T| < 1) = 1/2; nu = 2: P(|T| < t) = t / sqrt(2 + t^2).
    expect(tTwoSidedWithin(1, 1)).toBeCloseTo(0.5, 12);
    expect(tTwoSidedWithin(3, 2)).toBeCloseTo(3 / Math.sqrt(11), 12);
    // At 2000 df the 0.025 quantile is within 0.001 of the normal 1.95996.
    expect(tUpperQuantile(0.025, 2000)).toBeCloseTo(1.96, 2);
    expect(tTwoSidedWithin(0, 5)).toBe(0);
    expect(tTwoSidedWithin(Number.POSITIVE_INFINITY, 5)).toBe(1);
  });

  it('rejects non-integer degrees of freedom and tails outside (0, 0.5)', () => {
    expect(() => tTwoSidedWithin(1, 2.5)).toThrow(RangeError);
    expect(() => tUpperQuantile(0.5, 3)).toThrow(RangeError);
    expect(() => tUpperQuantile(0, 3)).toThrow(RangeError);
  });
});
