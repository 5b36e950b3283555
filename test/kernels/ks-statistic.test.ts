import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ksStatistics, ksStatisticsSorted } from '../../src/kernels/ks-statistic.js';
import { ksReference, linspace, scipyStatistics, suiteCases, suiteInputs } from '../support/ks-reference.js';

describe('ksStatistics (merge walk)', () => {
  it('reconstructs the linspace inputs exactly as stored (linspace_note)', () => {
    const stored = ksReference.scipy_test_suite.inputs;
    expect(linspace(1, 100, 100)).toEqual(stored['test100_100:0'].x);
    const delta = 1 / 500 / 600 / 4;
    expect(linspace(1, 200, 500).map((v) => v - delta)).toEqual(stored['testMiddlingBoth:0'].x);
    expect(linspace(2, 200, 600)).toEqual(stored['testMiddlingBoth:0'].y);
  });

  // scipy/stats/tests/test_stats.py::TestKSTwoSamples via ks_two_sample.json; statistic
  // tolerance 1e-12 (the file's conventions). In 'exact' mode scipy reports h/lcm, which differs
  // from the plain difference of CDFs by a rounding, hence scipy_now_statistic per mode.
  it.each(suiteCases.map((c, i) => [`${c.name}:${c.inputs} ${c.alternative} ${c.mode} #${i}`, c] as const))('matches scipy suite %s', (_label, c) => {
    const { x, y } = suiteInputs(c.inputs);
    const result = ksStatistics(x, y);
    const value = c.alternative === 'two-sided' ? result.statistic : c.alternative === 'greater' ? result.greater : result.less;
    expect(Math.abs(value - c.scipy_now_statistic)).toBeLessThan(1e-12);
    expect(Math.abs(value - c.expected_statistic)).toBeLessThan(1.5e-6);
  });

  it('gives 0 for identical one-point samples (where a (value, sample)-keyed IKS gives 1)', () => {
    expect(ksStatistics([1], [1])).toEqual({ statistic: 0, greater: 0, less: 0 });
  });

  it('returns NaN for an empty sample and rejects non-finite values', () => {
    expect(ksStatisticsSorted([], [1]).statistic).toBeNaN();
    expect(() => ksStatistics([Number.NaN], [1])).toThrow(RangeError);
  });

  it('property: equals the literal scipy definition, with heavy ties and unequal sizes', () => {
    const sample = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const expected = scipyStatistics(x, y);
        const actual = ksStatistics(x, y);
        expect(actual.statistic).toBeCloseTo(expected.statistic, 12);
        expect(actual.greater).toBeCloseTo(expected.greater, 12);
        expect(actual.less).toBeCloseTo(expected.less, 12);
      }),
    );
  });
});
