import fc from 'fast-check';
import { max as ssMax, min as ssMin } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { SlidingMinMax } from '../../src/kernels/sliding-min-max.js';

describe('SlidingMinMax — known values', () => {
  it('gives the hand-computed extremes of a window of 3', () => {
    // Window 3 over 1, 3, 2, 5, 4, 1, 1, 0, 6: hand-computed extremes once the window is full.
    const extremes = new SlidingMinMax(3);
    const seen: [number, number][] = [];
    for (const x of [1, 3, 2, 5, 4, 1, 1, 0, 6]) {
      extremes.push(x);
      seen.push([extremes.min, extremes.max]);
    }
    expect(seen).toEqual([[1, 1], [1, 3], [1, 3], [2, 5], [2, 5], [1, 5], [1, 4], [0, 1], [0, 6]]);
  });

  it('keeps the extremes of a monotone run only as long as they stay in the window', () => {
    const extremes = new SlidingMinMax(4);
    for (let x = 10; x >= 1; x--) extremes.push(x); // decreasing: max leaves every step
    expect([extremes.min, extremes.max, extremes.count]).toEqual([1, 4, 4]);
    for (let x = 1; x <= 10; x++) extremes.push(x); // increasing: min leaves every step
    expect([extremes.min, extremes.max]).toEqual([7, 10]);
  });

  it('is NaN while empty, handles a window of 1, and empties on reset', () => {
    const extremes = new SlidingMinMax(1);
    expect(extremes.min).toBeNaN();
    expect(extremes.max).toBeNaN();
    for (const x of [3, -1, 2]) extremes.push(x);
    expect([extremes.min, extremes.max, extremes.count]).toEqual([2, 2, 1]);
    extremes.reset();
    expect([extremes.count, extremes.min]).toEqual([0, Number.NaN]);
    extremes.push(-7);
    expect([extremes.min, extremes.max]).toEqual([-7, -7]);
  });

  it('rejects a window that is not a positive integer', () => {
    for (const bad of [0, -3, 1.5, Number.NaN]) expect(() => new SlidingMinMax(bad)).toThrow(RangeError);
  });
});

describe('SlidingMinMax — properties', () => {
  it('equals min / max of the last w values after every push (ties, constants, monotone runs)', () => {
    const value = fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: -2, max: 2 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(value, { minLength: 1, maxLength: 300 }), (window, data) => {
        const extremes = new SlidingMinMax(window);
        data.forEach((x, index) => {
          extremes.push(x);
          const recent = data.slice(Math.max(0, index + 1 - window), index + 1);
          if (extremes.min !== ssMin(recent) || extremes.max !== ssMax(recent) || extremes.count !== recent.length) {
            throw new Error(`step ${index}: ${extremes.min}/${extremes.max} vs ${ssMin(recent)}/${ssMax(recent)}`);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('stays correct across many wraps of its ring deques (sorted, reversed and sawtooth input)', () => {
    const window = 7;
    const extremes = new SlidingMinMax(window);
    const data = Array.from({ length: 5000 }, (_, i) => (i % 2000 < 1000 ? i % 13 : -(i % 29)) + (i % 100 === 0 ? 50 : 0));
    data.forEach((x, index) => {
      extremes.push(x);
      const recent = data.slice(Math.max(0, index + 1 - window), index + 1);
      expect(extremes.max).toBe(ssMax(recent));
      expect(extremes.min).toBe(ssMin(recent));
    });
  });
});
