import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { max as ssMax, median as ssMedian, medianAbsoluteDeviation, min as ssMin, quantile, quantileSorted } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { MAD_NORMAL_SCALE, RollingQuantiles } from '../../src/kernels/rolling-quantiles.js';
import { reference } from '../support/paths.js';

// ../shared/references/moments.json: NIST StRD Michelson data (used as a real-valued stream).
const michelso: number[] = JSON.parse(readFileSync(reference('moments.json'), 'utf8')).cases.find(
  (entry: { name: string }) => entry.name === 'nist_strd_Michelso',
).data;

function fill(window: number, data: readonly number[]): RollingQuantiles {
  const quantiles = new RollingQuantiles(window);
  for (const x of data) quantiles.push(x);
  return quantiles;
}

describe('RollingQuantiles — known values', () => {
  it("gives simple-statistics' documented examples (median([10, 2, 5, 100, 2, 1]) = 3.5, quantileSorted(..., 0.5) = 9, MAD([1, 1, 2, 2, 4, 6, 9]) = 1)", () => {
    expect(fill(6, [10, 2, 5, 100, 2, 1]).median).toBe(3.5);
    expect(fill(11, [3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20]).quantile(0.5)).toBe(9);
    expect(fill(7, [1, 1, 2, 2, 4, 6, 9]).mad()).toBe(1);
  });

  it('is type 7 (numpy default / R quantile type 7): hand-computed values on 1..10 and the doc example', () => {
    const quantiles = fill(10, [7, 1, 10, 4, 2, 9, 3, 8, 6, 5]);
    // numpy.quantile(np.arange(1, 11), [0.1, 0.25, 0.5, 0.9]) = [1.9, 3.25, 5.5, 9.1]: h = 9p, 1 + h.
    expect(quantiles.quantile(0.25)).toBe(3.25);
    expect(quantiles.median).toBe(5.5);
    expect(quantiles.quantile(0.1)).toBeCloseTo(1.9, 14);
    expect(quantiles.quantile(0.9)).toBeCloseTo(9.1, 14);
    expect([quantiles.quantile(0), quantiles.quantile(1), quantiles.min, quantiles.max]).toEqual([1, 10, 1, 10]);
    const example = fill(4, [10, 2, 5, 100, 2, 1]); // window 5, 100, 2, 1
    expect([example.median, example.mad()]).toEqual([3.5, 2]);
    expect(example.quantile(0.9)).toBeCloseTo(71.5, 12);
  });

  it('gives the smallest gap between distinct values as its resolution, ignoring float noise', () => {
    const window = new RollingQuantiles(6);
    for (const x of [0.003, 0.001, 0.001, 0.002, 0.001, 0.1 + 0.2]) window.push(x);
    expect(window.resolution()).toBeCloseTo(0.001, 15);
    const noisy = new RollingQuantiles(3);
    for (const x of [0.3, 0.1 + 0.2, 0.3]) noisy.push(x); // 0.30000000000000004 is 0.3
    expect(noisy.resolution()).toBe(0);
  });

  it('scales the MAD by 1.4826 (R mad() default constant)', () => {
    const quantiles = fill(5, [1, 2, 3, 4, 100]);
    expect(quantiles.mad()).toBe(1);
    expect(quantiles.scaledMad()).toBe(1.4826);
    expect(MAD_NORMAL_SCALE).toBeCloseTo(1 / 0.6744897501960817, 4); // 1 / Φ⁻¹(3/4)
  });

  it('slides over the NIST Michelson data exactly like re-sorting each window', () => {
    const window = 10;
    const quantiles = new RollingQuantiles(window);
    michelso.forEach((x, index) => {
      quantiles.push(x);
      const recent = michelso.slice(Math.max(0, index + 1 - window), index + 1);
      expect(quantiles.median).toBe(ssMedian(recent));
      expect(quantiles.mad()).toBe(medianAbsoluteDeviation(recent));
      expect(Array.from(quantiles.toSortedArray())).toEqual([...recent].sort((a, b) => a - b));
    });
  });

  it('is NaN while empty, rejects p outside [0, 1] and non-finite values, and empties on reset', () => {
    const quantiles = new RollingQuantiles(3);
    expect([quantiles.median, quantiles.min, quantiles.max, quantiles.mad()].every(Number.isNaN)).toBe(true);
    for (const p of [-0.1, 1.1, Number.NaN]) expect(() => quantiles.quantile(p)).toThrow(RangeError);
    for (const bad of [Number.NaN, Infinity, -Infinity]) expect(() => { quantiles.push(bad); }).toThrow(RangeError);
    quantiles.push(4);
    expect([quantiles.count, quantiles.median, quantiles.mad()]).toEqual([1, 4, 0]);
    quantiles.reset();
    expect(quantiles.count).toBe(0);
    quantiles.push(2);
    quantiles.push(8);
    expect([quantiles.median, quantiles.mad()]).toEqual([5, 3]);
  });

  it('rejects a window that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => new RollingQuantiles(bad)).toThrow(RangeError);
  });
});

describe('RollingQuantiles — properties against simple-statistics', () => {
  const value = fc.oneof(
    fc.double({ min: -1e9, max: 1e9, noNaN: true }),
    fc.integer({ min: -3, max: 3 }), // ties and constant runs
  ).map((x) => x + 0); // -0 → 0: the window cannot tell them apart, toEqual can

  it('median, quantile(p), min, max and MAD equal a recomputation over the last w values, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(value, { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (window, data, p) => {
          const quantiles = new RollingQuantiles(window);
          data.forEach((x, index) => {
            quantiles.push(x);
            const recent = data.slice(Math.max(0, index + 1 - window), index + 1);
            const sorted = [...recent].sort((a, b) => a - b);
            const checks: [string, number, number][] = [
              ['median', quantiles.median, ssMedian(recent)],
              ['quantile', quantiles.quantile(p), quantile(recent, p)],
              ['quantileSorted', quantiles.quantile(p), quantileSorted(sorted, p)],
              ['min', quantiles.min, ssMin(recent)],
              ['max', quantiles.max, ssMax(recent)],
              ['mad', quantiles.mad(), medianAbsoluteDeviation(recent)],
            ];
            for (const [name, got, want] of checks) {
              // Object.is would separate -0 from 0, which the sort cannot distinguish.
              if (!(got === want)) throw new Error(`step ${index} ${name}: ${got} vs ${want} (window ${recent.join(', ')})`);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps its sorted copy equal to the sorted window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.array(value, { minLength: 1, maxLength: 200 }), (window, data) => {
        const quantiles = fill(window, data);
        const want = data.slice(-window).sort((a, b) => a - b);
        expect(Array.from(quantiles.toSortedArray())).toEqual(want);
      }),
    );
  });
});

describe('RollingQuantiles arrival order', () => {
  it('copies the window oldest first, before and after it wraps', () => {
    const window = new RollingQuantiles(4);
    const out = new Float64Array(4);
    for (const x of [5, 1]) window.push(x);
    expect(Array.from(out.subarray(0, window.copyInArrivalOrder(out)))).toEqual([5, 1]);
    for (const x of [9, 3, 7, 2]) window.push(x);
    expect(Array.from(out.subarray(0, window.copyInArrivalOrder(out)))).toEqual([9, 3, 7, 2]);
    window.push(4);
    expect(Array.from(out.subarray(0, window.copyInArrivalOrder(out)))).toEqual([3, 7, 2, 4]);
  });
});

describe('RollingQuantiles rank counts', () => {
  it('should count window values at least / at most x like a plain filter over the last w values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: -6, max: 6 }),
        (values, w, x) => {
          const window = new RollingQuantiles(w);
          for (const v of values) window.push(v);
          const last = values.slice(-w);
          expect(window.countAtLeast(x)).toBe(last.filter((v) => v >= x).length);
          expect(window.countAtMost(x)).toBe(last.filter((v) => v <= x).length);
        },
      ),
    );
  });
});

describe('RollingQuantiles at the edge of the double range', () => {
  it('interpolates between -1e308 and 1e308 without overflowing (their gap is 2e308)', () => {
    const window = new RollingQuantiles(4);
    for (const x of [1e308, -1e308, 1e308, -1e308]) window.push(x);
    expect(window.median).toBe(0);
    // h = 3·0.4 = 1.2: 0.8·(−1e308) + 0.2·1e308.
    expect(window.quantile(0.4) / 1e308).toBeCloseTo(-0.6, 14);
    expect(window.quantile(0.25)).toBe(-1e308);
  });
});
