import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { mean as ssMean, sampleVariance, variance as populationVariance } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { RollingMoments } from '../../src/kernels/rolling-moments.js';
import { reference } from '../support/paths.js';
import { exactMoments } from './exact-variance.js';

// ../shared/references/moments.json: the 1e9 + {4, 7, 13, 16} offset case (Wikipedia "Algorithms
// for calculating variance"), NIST StRD univariate certified values, River stats doctests, and
// exact rolling tables (derived with exact rationals, labelled DERIVED there).
const refs = JSON.parse(readFileSync(reference('moments.json'), 'utf8'));

interface Case {
  name: string;
  n: number;
  data: number[];
  exact_mean: number;
  exact_var_ddof1: number;
  exact_var_ddof0: number;
  exact_std_ddof1: number;
  certified?: { mean: number; std?: number };
}
const cases = refs.cases as Case[];
const byName = (name: string): Case => cases.find((entry) => entry.name === name)!;

/** River prints truncated digits ('2.916666' for 2.9166666666666665): agree to the printed decimals. */
function expectPrinted(got: number, printed: string, label: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0;
  expect(Math.abs(got - Number(printed)), `${label}: ${got} vs printed ${printed}`).toBeLessThan(10 ** -decimals);
}

/** Log relative error (LRE): the number of correct significant digits, as NIST scores StRD results. */
const lre = (got: number, want: number): number =>
  got === want ? 16 : Math.min(16, -Math.log10(Math.abs(got - want) / Math.abs(want)));

function fill(window: number, data: readonly number[]): RollingMoments {
  const moments = new RollingMoments(window);
  for (const x of data) moments.push(x);
  return moments;
}

/** Deterministic standard normal stream (mulberry32 + Box–Muller), so failures reproduce. */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('RollingMoments — known values', () => {
  it('gives variance exactly 30 for 1e9 + {4, 7, 13, 16}, where the naive sum of squares gives -170.67 (Wikipedia / moments.json)', () => {
    for (const name of ['offset_4_7_13_16_plus_0', 'offset_4_7_13_16_plus_1e8', 'offset_4_7_13_16_plus_1e9', 'offset_4_7_13_16_plus_1e12']) {
      const entry = byName(name);
      const moments = fill(4, entry.data);
      expect(moments.mean).toBe(entry.exact_mean);
      expect(moments.variance).toBe(entry.exact_var_ddof1);
      expect(moments.populationVariance).toBe(entry.exact_var_ddof0);
      expect(moments.std).toBe(entry.exact_std_ddof1);
    }
  });

  it('reaches the certified NIST StRD digits (LRE of std; NumAcc3/4 are limited by binary64 inputs, see moments.json)', () => {
    // Correct significant digits reached (measured; 15 = full double precision). NumAcc4's decimal
    // data carry ~1e-9 representation error in binary64, so ~8 digits is the ceiling for any
    // algorithm (moments.json: "expect ~8-9 correct digits of std even with a perfect algorithm").
    const digits: Record<string, number> = {
      nist_strd_NumAcc1: 15, nist_strd_NumAcc2: 15, nist_strd_NumAcc3: 9.4, nist_strd_NumAcc4: 8.2,
      nist_strd_Lew: 15, nist_strd_Lottery: 15, nist_strd_Mavro: 13, nist_strd_Michelso: 13.5,
    };
    for (const [name, wanted] of Object.entries(digits)) {
      const entry = byName(name);
      const certified = entry.certified!;
      // The whole set in one window, and the same set pushed through a window that is full.
      for (const moments of [fill(entry.n, entry.data), fill(entry.n, [...entry.data.slice(0, 7).map((x) => x * 3), ...entry.data])]) {
        expect(lre(moments.mean, certified.mean), `${name} mean`).toBeGreaterThanOrEqual(14.5);
        expect(lre(moments.std, certified.std!), `${name} std`).toBeGreaterThanOrEqual(wanted);
      }
    }
  });

  it('matches the exact moments of the battery cases (moments.json), as exact as their binary64 inputs allow', () => {
    for (const name of ['battery_0', 'battery_1', 'battery_2', 'battery_3']) {
      const entry = byName(name);
      const moments = fill(entry.n, entry.data);
      const exact = exactMoments(entry.data);
      expect(lre(moments.mean, exact.mean), name).toBeGreaterThanOrEqual(15);
      expect(lre(moments.variance, exact.variance), name).toBeGreaterThanOrEqual(14);
    }
  });

  it("matches River's RollingVar doctest for windows 2 and 3 (0.0 for a single value)", () => {
    const river = refs.river_stats_doctests.RollingVar_ddof1;
    for (const [window, printed] of [[2, river.window_2], [3, river.window_3]] as [number, string[]][]) {
      const moments = new RollingMoments(window);
      const got = river.data.map((x: number) => {
        moments.push(x);
        return moments.variance;
      });
      got.forEach((value: number, index: number) => { expectPrinted(value, printed[index]!, `window ${window} step ${index}`); });
    }
  });

  it("matches River's running Var doctest when the window never fills (exact 35/12 and 377/30)", () => {
    const river = refs.river_stats_doctests.Var_ddof1_running;
    const moments = new RollingMoments(100);
    const got = river.data.map((x: number) => {
      moments.push(x);
      return moments.variance;
    });
    got.forEach((value: number, index: number) => { expectPrinted(value, river.printed[index], `step ${index}`); });
    expect(got[3]).toBeCloseTo(35 / 12, 15);
    expect(got[5]).toBeCloseTo(377 / 30, 14);
  });

  for (const table of ['michelso_window_10', 'spike_window_20', 'variance_collapse_window_5']) {
    it(`follows the exact rolling table ${table} (moments.json derived_rolling)`, () => {
      const spec = refs.derived_rolling[table];
      const data: number[] = spec.data ?? byName(spec.data_ref).data;
      const moments = new RollingMoments(spec.w);
      const rows = new Map<number, Record<string, number>>(spec.rows.map((row: Record<string, number>) => [row.t, row]));
      let checked = 0;
      data.forEach((x, t) => {
        moments.push(x);
        const row = rows.get(t);
        if (!row) return;
        checked++;
        expect(lre(moments.mean, row.mean!), `mean t=${t}`).toBeGreaterThanOrEqual(15);
        // The table is exact for the decimal inputs; Michelson's 299.85 etc. carry ~3e-14 of binary
        // representation error, which alone costs the variance digits beyond ~11.5. So: >= 11 digits
        // against the table, and >= 14 against the exact variance of the binary64 inputs.
        for (const [got, key] of [[moments.variance, 'var_ddof1'], [moments.populationVariance, 'var_ddof0'], [moments.std, 'std_ddof1'], [moments.cv, 'cv_ddof1']] as const) {
          if (row[key] === 0) expect(got, `${key} t=${t}`).toBe(0);
          else expect(lre(got, row[key]!), `${key} t=${t}`).toBeGreaterThanOrEqual(11);
        }
        const exact = exactMoments(data.slice(t + 1 - spec.w, t + 1));
        if (exact.variance === 0) expect(moments.variance).toBe(0);
        else expect(lre(moments.variance, exact.variance), `exact binary variance t=${t}`).toBeGreaterThanOrEqual(14);
      });
      expect(checked).toBe(spec.rows.length);
    });
  }

  it('reports variance exactly 0 and the exact value as mean for a constant window of non-representable decimals', () => {
    const moments = new RollingMoments(5);
    for (const x of [0.3, 0.7, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1]) moments.push(x);
    expect(moments.variance).toBe(0);
    expect(moments.std).toBe(0);
    expect(moments.cv).toBe(0);
    expect(moments.mean).toBe(0.1);
  });

  it('is NaN while empty, 0-variance with one value, and empties on reset', () => {
    const moments = new RollingMoments(3);
    expect(moments.mean).toBeNaN();
    expect(moments.variance).toBeNaN();
    expect(moments.populationVariance).toBeNaN();
    moments.push(7);
    expect([moments.count, moments.mean, moments.variance, moments.populationVariance]).toEqual([1, 7, 0, 0]);
    for (const x of [1, 2, 3, 4]) moments.push(x);
    expect(moments.full).toBe(true);
    expect([moments.count, moments.mean, moments.variance]).toEqual([3, 3, 1]);
    moments.reset();
    expect(moments.count).toBe(0);
    expect(moments.mean).toBeNaN();
    moments.push(-2);
    moments.push(2);
    expect([moments.mean, moments.variance]).toEqual([0, 8]);
  });

  it('rejects a window that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Infinity]) expect(() => new RollingMoments(bad)).toThrow(RangeError);
  });
});

describe('RollingMoments — long-run stability (ALGORITHMS.md: Welford replace 1.6e-9, shifted Neumaier 6.3e-16)', () => {
  for (const [offset, sd, bound] of [[1e6, 1, 2e-15], [1e3, 1e-2, 2e-15]] as const) {
    it(`keeps the window variance within ${bound} relative error after 2e6 values at offset ${offset}, sd ${sd}`, () => {
      const window = 1000;
      const moments = new RollingMoments(window);
      const next = normals(20_240_601);
      const last = new Float64Array(window);
      const total = 2_000_000;
      for (let i = 0; i < total; i++) {
        const x = offset + sd * next();
        moments.push(x);
        last[i % window] = x;
      }
      const exact = exactMoments(last);
      const error = Math.abs(moments.variance - exact.variance) / exact.variance;
      expect(error).toBeLessThan(bound);
      expect(Math.abs(moments.mean - exact.mean) / exact.mean).toBeLessThan(1e-15);
    });
  }

  it('stays exact to ~1e-13 through level shifts of 1e8 standard deviations (the shift follows the data)', () => {
    const window = 64;
    const moments = new RollingMoments(window);
    const next = normals(7);
    const values: number[] = [];
    let worst = 0;
    for (let i = 0; i < 4000; i++) {
      // A level that jumps by ±1e8 every 300 values (never aligned with the window), noise sd 1.
      const level = Math.floor(i / 300) % 2 === 0 ? 5 : 1e8;
      const x = level + next();
      moments.push(x);
      values.push(x);
      if (i >= window) {
        const exact = exactMoments(values.slice(-window));
        worst = Math.max(worst, Math.abs(moments.variance - exact.variance) / exact.variance);
      }
    }
    expect(worst).toBeLessThan(1e-13);
  });
});

describe('RollingMoments — properties against a recomputation (simple-statistics)', () => {
  // Rounding error is relative to the magnitude of the stream so far (the shift and the compensation
  // carry come from it), not to the current window alone: tolerance 1e-12 × that scale (squared for variances).
  const close = (got: number, want: number, scale: number): boolean => Math.abs(got - want) <= 1e-12 * scale;

  it('equals mean / sampleVariance / variance of the last w values after every push, ties and constants included', () => {
    const value = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-100),
      fc.integer({ min: -3, max: 3 }), // heavy ties and constant runs
      fc.constantFrom(0.1, 0.2, 0.3, 1e9 + 0.5),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(value, { minLength: 1, maxLength: 200 }), (window, data) => {
        const moments = new RollingMoments(window);
        let magnitude = 0;
        data.forEach((x, index) => {
          moments.push(x);
          magnitude = Math.max(magnitude, Math.abs(x));
          const recent = data.slice(Math.max(0, index + 1 - window), index + 1);
          const scale = magnitude * magnitude * recent.length;
          const mean = ssMean(recent);
          if (!close(moments.mean, mean, magnitude)) throw new Error(`mean ${moments.mean} != ${mean}`);
          const sample = recent.length > 1 ? sampleVariance(recent) : 0;
          if (!close(moments.variance, sample, scale)) throw new Error(`variance ${moments.variance} != ${sample}`);
          if (!close(moments.populationVariance, populationVariance(recent), scale)) throw new Error('population variance');
          if (new Set(recent).size === 1 && moments.variance !== 0) throw new Error('constant window must give exactly 0');
          if (moments.variance < 0) throw new Error('negative variance');
        });
      }),
      { numRuns: 300 },
    );
  });

  it('has CV = std / mean and std = sqrt(variance) of the last w values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: 2, maxLength: 100 }), (window, data) => {
        const moments = new RollingMoments(window);
        for (const x of data) moments.push(x);
        const recent = data.slice(-window);
        const std = recent.length > 1 ? Math.sqrt(sampleVariance(recent)) : 0;
        expect(moments.std).toBeCloseTo(std, 9);
        expect(moments.cv).toBeCloseTo(std / ssMean(recent), 9);
      }),
    );
  });

  it('agrees with the exact rational variance to 1e-13 on random windows at large offsets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 2, maxLength: 300 }),
        (window, offset, noise) => {
          const data = noise.map((micros) => offset + micros / 1e6);
          const moments = fill(window, data);
          const exact = exactMoments(data.slice(-window));
          if (exact.variance === 0) return moments.variance === 0;
          // The exact variance of the *rounded* inputs; the kernel keeps ~13+ digits of it.
          return Math.abs(moments.variance - exact.variance) <= 1e-13 * exact.variance + 1e-6 * Number.EPSILON * offset * offset;
        },
      ),
      { numRuns: 300 },
    );
  });
});
