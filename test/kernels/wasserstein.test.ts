import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wassersteinDistance } from '../../src/kernels/wasserstein.js';

describe('wassersteinDistance', () => {
  // The three examples of the scipy.stats.wasserstein_distance docstring (docs.scipy.org; re-run
  // against scipy 1.17.1): 5.0, 0.25 and 4.0781331438047861.
  it('reproduces the scipy docs examples', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5);
    expect(wassersteinDistance([0, 1], [0, 1], [3, 1], [2, 2])).toBeCloseTo(0.25, 15);
    expect(wassersteinDistance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], [1.4, 0.9, 3.1, 7.2], [3.2, 3.5])).toBeCloseTo(4.0781331438047861, 14);
  });

  it('hand cases: one point against one point is their distance; ties cost nothing', () => {
    expect(wassersteinDistance([2], [7])).toBe(5);
    // U = {0, 0, 2}, V = {0, 2, 2}: CDFs differ by 1/3 on [0, 2), area 2/3
    expect(wassersteinDistance([0, 0, 2], [0, 2, 2])).toBeCloseTo(2 / 3, 15);
    expect(wassersteinDistance([1, 1, 1], [1])).toBe(0);
  });

  it('rejects empty samples, bad weights and non-finite values', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(RangeError);
    expect(() => wassersteinDistance([1], [1], [-1])).toThrow(RangeError);
    expect(() => wassersteinDistance([1], [1], [0])).toThrow(RangeError);
    expect(() => wassersteinDistance([1, 2], [1], [1])).toThrow(RangeError);
    expect(() => wassersteinDistance([Number.NaN], [1])).toThrow(RangeError);
  });

  const sample = fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { minLength: 1, maxLength: 60 });

  it('property: >= 0, symmetric, zero for identical samples', () => {
    fc.assert(
      fc.property(sample, sample, (u, v) => {
        const d = wassersteinDistance(u, v);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(wassersteinDistance(v, u)).toBeCloseTo(d, 9);
        expect(wassersteinDistance(u, [...u].reverse())).toBe(0);
      }),
    );
  });

  it('property: a pure translation costs |shift|', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: -500, max: 500 }), (u, shift) => {
        expect(wassersteinDistance(u, u.map((x) => x + shift))).toBeCloseTo(Math.abs(shift), 9);
      }),
    );
  });

  it('property: for equal sizes equals the mean absolute difference of the sorted samples', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        const u = pairs.map(([a]) => a).sort((a, b) => a - b);
        const v = pairs.map(([, b]) => b).sort((a, b) => a - b);
        const expected = u.reduce((total, x, k) => total + Math.abs(x - v[k]!), 0) / u.length;
        expect(wassersteinDistance(u, v)).toBeCloseTo(expected, 9);
      }),
    );
  });

  it('property: integer weights equal repeating the values', () => {
    fc.assert(
      fc.property(sample, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 60, maxLength: 60 }), sample, (u, counts, v) => {
        const weights = u.map((_, k) => counts[k]!);
        const repeated = u.flatMap((x, k) => Array.from({ length: counts[k]! }, () => x));
        expect(wassersteinDistance(u, v, weights)).toBeCloseTo(wassersteinDistance(repeated, v), 9);
      }),
    );
  });
});
