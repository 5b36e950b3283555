import { describe, expect, it } from 'vitest';
import { kstwobignCdf, kstwobignSf, kstwoCdf, kstwoSf, smirnovSf } from '../../src/kernels/kolmogorov-distribution.js';
import { ksCriticalValue, ksTwoSamplePValue } from '../../src/kernels/ks-p-value.js';
import { ksTwoSample } from '../../src/kernels/ks-two-sample.js';
import { ksReference, suiteCases, suiteInputs } from '../support/ks-reference.js';

// Tolerances from ks_two_sample.json `conventions`: exact p rel 1e-9 (abs 1e-12 when p < 1e-12);
// asymptotic rel 1e-7; scipy's own suite abs 1.5e-6 (assert_array_almost_equal, decimal=6).
function expectRelative(actual: number, expected: number, relative: number, absoluteBelow = 1e-12): void {
  const error = expected < absoluteBelow ? Math.abs(actual - expected) : Math.abs(actual - expected) / expected;
  expect(error, `${actual} vs ${expected}`).toBeLessThanOrEqual(expected < absoluteBelow ? absoluteBelow : relative);
}

describe('ksTwoSample / ksTwoSamplePValue against scipy TestKSTwoSamples', () => {
  it.each(suiteCases.map((c, i) => [`${c.name}:${c.inputs} ${c.alternative} ${c.mode} #${i}`, c] as const))('%s', (_label, c) => {
    const { x, y } = suiteInputs(c.inputs);
    const result = ksTwoSample(x, y, { alternative: c.alternative, method: c.mode });
    expect(Math.abs(result.statistic - c.scipy_now_statistic)).toBeLessThan(1e-12);
    if (c.note) {
      // the suite's tiny expected p predates today's scipy; the file says: assert only p < 1e-12
      expect(result.pValue).toBeLessThan(1e-12);
    } else {
      expect(Math.abs(result.pValue - c.expected_pvalue)).toBeLessThan(1.5e-6);
    }
    // and against the installed scipy's value, at the tolerance of the path taken
    expectRelative(result.pValue, c.scipy_now_pvalue, result.method === 'exact' ? 1e-9 : 1e-7);
  });

  it('takes the path scipy takes: exact for auto up to 10000, asymp past it or on overflow', () => {
    expect(ksTwoSamplePValue(0.1, 10000, 10000).method).toBe('exact');
    expect(ksTwoSamplePValue(0.1, 10001, 10000).method).toBe('asymp');
    // one-sided, unequal sizes: C(2100, 1000) overflows a double, so scipy falls back
    expect(ksTwoSamplePValue(0.01, 1000, 1100, { alternative: 'greater', method: 'exact' }).method).toBe('asymp');
    expect(ksTwoSamplePValue(0, 5, 7, { method: 'exact' })).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('rejects impossible arguments', () => {
    expect(() => ksTwoSamplePValue(0.5, 0, 3)).toThrow(RangeError);
    expect(() => ksTwoSamplePValue(1.5, 3, 3)).toThrow(RangeError);
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
  });
});

describe('equal-size exact tables (ks_two_sample.json equal_n_exact)', () => {
  for (const size of ['30', '100']) {
    it(`n1 = n2 = ${size}: every attainable D, exact two-sided and greater, asymptotic two-sided`, () => {
      const n = Number(size);
      const rows = ksReference.equal_n_exact[size];
      expect(rows).toHaveLength(n);
      for (const row of rows) {
        expectRelative(ksTwoSamplePValue(row.D, n, n, { method: 'exact' }).pValue, row.p_two_sided_exact, 1e-9);
        expectRelative(ksTwoSamplePValue(row.D, n, n, { method: 'exact', alternative: 'greater' }).pValue, row.p_greater_exact, 1e-9);
        expectRelative(ksTwoSamplePValue(row.D, n, n, { method: 'asymp' }).pValue, row.p_two_sided_asymp_scipy, 1e-7);
      }
    });
  }
});

describe('Kolmogorov distributions', () => {
  it('kstwo.sf / cdf at every tabulated (n, d), n = 1 .. 5000', () => {
    for (const row of ksReference.kstwo) {
      expectRelative(kstwoSf(row.n, row.d), row.sf, 1e-7, 1e-300);
      if (row.sf > 1e-300) expect(kstwoSf(row.n, row.d)).toBeGreaterThan(0);
      else expect(kstwoSf(row.n, row.d)).toBe(0);
      expect(Math.abs(kstwoCdf(row.n, row.d) - row.cdf)).toBeLessThan(1e-12);
    }
  });

  it('kstwobign.sf / cdf (the Kolmogorov limit) at every tabulated x', () => {
    for (const row of ksReference.kstwobign) {
      expectRelative(kstwobignSf(row.x), row.sf, 1e-7, 1e-300);
      expectRelative(kstwobignCdf(row.x), row.cdf, 1e-7, 1e-300);
    }
  });

  it('smirnov: closed forms at the ends of the support', () => {
    // n = 1: P(D+ ≥ d) = 1 − d; d ≥ 1 − 1/n: (1 − d)^n; d ≤ 1/n: 1 − d(1 + d)^(n−1)
    expect(smirnovSf(1, 0.3)).toBeCloseTo(0.7, 15);
    expect(smirnovSf(10, 0.95)).toBeCloseTo(0.05 ** 10, 25);
    expect(smirnovSf(10, 0.05)).toBeCloseTo(1 - 0.05 * 1.05 ** 9, 15);
    expect(smirnovSf(0, 0.5)).toBeNaN();
  });
});

describe('ksCriticalValue', () => {
  it('uses c(alpha) = 1.358 / 1.628 / 1.949 for alpha = .05 / .01 / .001 (ALGORITHMS.md)', () => {
    const scale = Math.sqrt(2 / 1000);
    expect(ksCriticalValue(0.05, 1000, 1000) / scale).toBeCloseTo(1.358, 3);
    expect(ksCriticalValue(0.01, 1000, 1000) / scale).toBeCloseTo(1.628, 3);
    expect(ksCriticalValue(0.001, 1000, 1000) / scale).toBeCloseTo(1.949, 3);
    // c(alpha) solves the first term of the Kolmogorov series, 2 exp(-2c^2) = alpha, so the full
    // series Q(c) = 2 (v - v^4 + v^9 - ...) with v = alpha/2 is alpha - 2 (alpha/2)^4 + ...
    const v = 0.05 / 2;
    expect(kstwobignSf(ksCriticalValue(0.05, 1, 1) / Math.sqrt(2))).toBeCloseTo(2 * (v - v ** 4 + v ** 9), 14);
    expect(() => ksCriticalValue(0, 10, 10)).toThrow(RangeError);
  });
});
