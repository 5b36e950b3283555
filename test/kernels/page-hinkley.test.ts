import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageHinkley } from '../../src/kernels/page-hinkley.js';
import { MersenneTwister, pythonChoices } from '../support/mersenne-twister.js';

function firstDetection(test: PageHinkley, data: readonly number[]): number {
  return data.findIndex((x) => test.update(x));
}

describe('PageHinkley', () => {
  it("reproduces River's drift.PageHinkley doctest: change detected at index 1006 (value 5)", () => {
    // river/drift/page_hinkley.py docstring: rng = random.Random(12345);
    // data = rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000); defaults.
    const rng = MersenneTwister.fromKey([12345]);
    const data = [...pythonChoices(rng, [0, 1], 1000), ...pythonChoices(rng, [4, 5, 6, 7], 1000)];
    const detector = new PageHinkley();
    const index = firstDetection(detector, data);
    expect(index).toBe(1006);
    expect(data[index]).toBe(5);
  });

  it('watches only the configured direction', () => {
    const down = Array.from({ length: 200 }, (_, i) => (i < 100 ? 5 : 0));
    const up = down.map((x) => 5 - x);
    const settings = { threshold: 10, minInstances: 5 };
    expect(firstDetection(new PageHinkley({ ...settings, mode: 'up' }), down)).toBe(-1);
    expect(firstDetection(new PageHinkley({ ...settings, mode: 'down' }), down)).toBeGreaterThan(100);
    expect(firstDetection(new PageHinkley({ ...settings, mode: 'down' }), up)).toBe(-1);
    expect(firstDetection(new PageHinkley({ ...settings, mode: 'up' }), up)).toBeGreaterThan(100);
    expect(firstDetection(new PageHinkley({ ...settings, mode: 'both' }), up)).toBeGreaterThan(100);
  });

  it('does not signal before minInstances values, and restarts after a detection', () => {
    const detector = new PageHinkley({ threshold: 1, minInstances: 10, delta: 0 });
    const data = [0, 100, 0, 100, 0, 100, 0, 100, 0];
    expect(data.some((x) => detector.update(x))).toBe(false);
    expect(detector.update(100)).toBe(true); // 10th value
    expect(detector.update(0)).toBe(false); // fresh start: 1 value seen
    expect(detector.updates).toBe(1);
  });

  it('rejects bad settings at construction', () => {
    expect(() => new PageHinkley({ minInstances: 0 })).toThrow(RangeError);
    expect(() => new PageHinkley({ delta: -1 })).toThrow(RangeError);
    expect(() => new PageHinkley({ threshold: 0 })).toThrow(RangeError);
    expect(() => new PageHinkley({ alpha: 1.5 })).toThrow(RangeError);
    expect(() => new PageHinkley({ mode: 'sideways' as never })).toThrow(TypeError);
  });

  it('property: statistics match a plain recomputation of the recursion and are never negative', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 150 }),
        fc.double({ min: 0.9, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (data, alpha, delta) => {
          const detector = new PageHinkley({ alpha, delta, threshold: 1e12, minInstances: 1 });
          const ups: number[] = [];
          const downs: number[] = [];
          for (let t = 1; t <= data.length; t++) {
            detector.update(data[t - 1]!);
            // recompute from scratch: means, then the two sums and their extremes
            let mean = 0;
            let up = 0;
            let down = 0;
            ups.length = 0;
            downs.length = 0;
            for (let s = 1; s <= t; s++) {
              mean += (data[s - 1]! - mean) / s;
              up = alpha * up + data[s - 1]! - mean - delta;
              down = alpha * down + data[s - 1]! - mean + delta;
              ups.push(up);
              downs.push(down);
            }
            expect(detector.testIncrease).toBeCloseTo(up - Math.min(...ups), 9);
            expect(detector.testDecrease).toBeCloseTo(Math.max(...downs) - down, 9);
            expect(detector.testIncrease).toBeGreaterThanOrEqual(0);
            expect(detector.testDecrease).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
