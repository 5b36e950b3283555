import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { mean as ssMean, sampleVariance } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { Moments } from '../../src/kernels/moments.js';
import { reference } from '../support/paths.js';

// ../shared/references/moments.json: offset cases, NIST StRD certified values, River stats.Var doctest.
const refs = JSON.parse(readFileSync(reference('moments.json'), 'utf8'));
const byName = (name: string) => refs.cases.find((entry: { name: string }) => entry.name === name);
const lre = (got: number, want: number): number =>
  got === want ? 16 : Math.min(16, -Math.log10(Math.abs(got - want) / Math.abs(want)));

function of(data: readonly number[]): Moments {
  const moments = new Moments();
  for (const x of data) moments.push(x);
  return moments;
}

describe('Moments — known values', () => {
  it('gives variance exactly 30 for 1e9 + {4, 7, 13, 16} (Wikipedia / moments.json float64_welford)', () => {
    const entry = byName('offset_4_7_13_16_plus_1e9');
    const moments = of(entry.data);
    expect(moments.mean).toBe(entry.float64_welford.mean);
    expect(moments.variance).toBe(30);
    expect(moments.populationVariance).toBe(22.5);
    expect(moments.squaredDeviations).toBe(90);
  });

  it('reaches the digits moments.json records for float64 Welford on the NIST StRD sets', () => {
    for (const name of ['nist_strd_NumAcc1', 'nist_strd_NumAcc2', 'nist_strd_NumAcc3', 'nist_strd_NumAcc4', 'nist_strd_Lew', 'nist_strd_Lottery', 'nist_strd_Mavro', 'nist_strd_Michelso']) {
      const entry = byName(name);
      const moments = of(entry.data);
      // Measured digits of std: NumAcc1 15, NumAcc2 15.3, NumAcc3 9.45, NumAcc4 8.25, Lew 15.4,
      // Lottery 15.7, Mavro 12.05, Michelso 12.38 — exactly the moments.json float64_welford row.
      expect(moments.variance, name).toBe(entry.float64_welford.var_ddof1);
      expect(lre(moments.std, entry.certified.std), name).toBeGreaterThanOrEqual(Math.min(15, entry.float64_welford.std_LRE_digits) - 0.01);
      expect(lre(moments.mean, entry.certified.mean), name).toBeGreaterThanOrEqual(15);
    }
  });

  it("matches River's stats.Var doctest (0.0, 2.0, 1.0, 35/12, 7.7, 377/30)", () => {
    const river = refs.river_stats_doctests.Var_ddof1_running;
    const moments = new Moments();
    const got = river.data.map((x: number) => {
      moments.push(x);
      return moments.variance;
    });
    [0, 2, 1, 35 / 12, 7.7, 377 / 30].forEach((want, index) => { expect(got[index]).toBeCloseTo(want, 14); });
  });

  it('is NaN while empty and forgets on reset', () => {
    const moments = new Moments();
    expect([moments.mean, moments.variance, moments.populationVariance, moments.squaredDeviations].every(Number.isNaN)).toBe(true);
    moments.push(3);
    expect([moments.count, moments.mean, moments.variance]).toEqual([1, 3, 0]);
    moments.reset();
    expect(moments.count).toBe(0);
    expect(moments.mean).toBeNaN();
  });
});

describe('Moments — properties', () => {
  // Subnormal-sized values would make the squared tolerance underflow; they are not rewards.
  const value = fc.double({ min: -1e4, max: 1e4, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-100);
  const data = fc.array(value, { minLength: 2, maxLength: 200 });

  it('equals simple-statistics mean and sampleVariance', () => {
    fc.assert(
      fc.property(data, (values) => {
        const moments = of(values);
        const scale = Math.max(...values.map(Math.abs), 1e-300);
        expect(Math.abs(moments.mean - ssMean(values))).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(moments.variance - sampleVariance(values))).toBeLessThanOrEqual(1e-11 * scale * scale);
        const mean = ssMean(values);
        if (Math.abs(mean) > 1e-6 * scale) {
          const cv = Math.sqrt(sampleVariance(values)) / mean;
          expect(Math.abs(moments.cv - cv)).toBeLessThanOrEqual(1e-6 * Math.abs(cv) + 1e-12);
        }
      }),
    );
  });

  it('merging two partitions equals pushing everything into one (Chan et al.)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 100 }), data, (left, right) => {
        const merged = of(left);
        merged.merge(of(right));
        const whole = of([...left, ...right]);
        const scale = Math.max(...left.map(Math.abs), ...right.map(Math.abs), 1e-300);
        expect(merged.count).toBe(whole.count);
        expect(Math.abs(merged.mean - whole.mean)).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(merged.variance - whole.variance)).toBeLessThanOrEqual(1e-11 * scale * scale);
        const empty = new Moments();
        empty.merge(of(right));
        expect([empty.count, empty.mean, empty.variance]).toEqual([right.length, of(right).mean, of(right).variance]);
      }),
    );
  });
});
