import { describe, expect, it } from 'vitest';
import { twoProportionZ } from '../../src/kernels/two-proportion-z.js';

describe('twoProportionZ', () => {
  it('is the pooled two-proportion z statistic (statsmodels proportions_ztest)', () => {
    // 0.3 vs 0.1 of 50 each: pooled 0.2, standard error sqrt(0.16 * (1/50 + 1/50)) = 0.08.
    expect(twoProportionZ(15, 50, 5, 50)).toBeCloseTo(2.5, 12);
    expect(twoProportionZ(5, 50, 15, 50)).toBeCloseTo(-2.5, 12);
    // 23 of 24 vs 0 of 16: pooled 23/40.
    expect(twoProportionZ(23, 24, 0, 16)).toBeCloseTo((23 / 24) / Math.sqrt((23 / 40) * (17 / 40) * (1 / 24 + 1 / 16)), 12);
  });

  it('needs a larger gap when the baseline is small: both shares are estimates', () => {
    expect(twoProportionZ(30, 30, 85, 100)).toBeGreaterThan(twoProportionZ(30, 30, 8.5, 10));
  });

  it('takes fractional counts (a logged share as one trial)', () => {
    expect(twoProportionZ(2.85, 3, 1.6, 20)).toBeCloseTo((0.95 - 0.08) / Math.sqrt((4.45 / 23) * (1 - 4.45 / 23) * (1 / 3 + 1 / 20)), 12);
  });

  it('takes the gap half a trial of each side closer to 0 with the continuity correction (Yates)', () => {
    const se = Math.sqrt((78 / 80) * (2 / 80) * (1 / 72 + 1 / 8));
    expect(twoProportionZ(72, 72, 6, 8)).toBeCloseTo(0.25 / se, 12);
    expect(twoProportionZ(72, 72, 6, 8, true)).toBeCloseTo((0.25 - 0.5 * (1 / 72 + 1 / 8)) / se, 12);
    expect(twoProportionZ(6, 8, 72, 72, true)).toBeCloseTo(-(0.25 - 0.5 * (1 / 72 + 1 / 8)) / se, 12);
    // Never past 0: a gap smaller than the correction is no gap.
    expect(twoProportionZ(5, 10, 4, 10, true)).toBe(0);
  });

  it('is 0 without trials on a side or when the pooled share is 0 or 1', () => {
    expect(twoProportionZ(3, 3, 0, 0)).toBe(0);
    expect(twoProportionZ(0, 0, 3, 3)).toBe(0);
    expect(twoProportionZ(8, 8, 16, 16)).toBe(0);
    expect(twoProportionZ(0, 8, 0, 16)).toBe(0);
  });
});
