import { describe, expect, it } from 'vitest';
import { averageRanks } from '../../src/kernels/ranks.js';
import { partialSlope } from '../../src/kernels/partial-slope.js';

describe('averageRanks', () => {
  it('ranks from 1, ties sharing the mean of their ranks', () => {
    expect(Array.from(averageRanks([10, 30, 20, 20], 4, new Float64Array(4)))).toEqual([1, 4, 2.5, 2.5]);
    expect(Array.from(averageRanks([5, 5, 5], 3, new Float64Array(3)))).toEqual([2, 2, 2]);
    expect(Array.from(averageRanks([3, -1, 2, 9], 3, new Float64Array(3)))).toEqual([3, 1, 2]);
  });

  it("gives Spearman's rho through Pearson on ranks: the textbook IQ / TV-hours example (rho = -29/165)", () => {
    // Wikipedia, "Spearman's rank correlation coefficient", example: 10 people's IQ and hours of
    // TV a week; rho = -29/165 = -0.1757.
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    const x = averageRanks(iq, 10, new Float64Array(10));
    const y = averageRanks(tv, 10, new Float64Array(10));
    const { t, df } = partialSlope(x, y, 10);
    const rho = t / Math.sqrt(df + t * t); // r from the slope's t with n - 2 df
    expect(rho).toBeCloseTo(-29 / 165, 10);
  });
});
