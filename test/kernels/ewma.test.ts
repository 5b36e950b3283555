import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ewma, ewmaControlLimits } from '../../src/kernels/ewma.js';
import { reference } from '../support/paths.js';

// ../shared/references/cusum.json (nist_6_3_2_4_ewma): NIST/SEMATECH e-Handbook §6.3.2.4 EWMA chart.
// ../shared/references/moments.json (river_stats_doctests): River's EWMean / EWVar doctests.
const nist = JSON.parse(readFileSync(reference('cusum.json'), 'utf8')).nist_6_3_2_4_ewma;
const river = JSON.parse(readFileSync(reference('moments.json'), 'utf8')).river_stats_doctests;

function trace(ewma: Ewma, data: readonly number[]): { means: number[]; variances: number[] } {
  const means: number[] = [];
  const variances: number[] = [];
  for (const x of data) {
    ewma.push(x);
    means.push(ewma.mean);
    variances.push(ewma.variance);
  }
  return { means, variances };
}

/** Direct weighted recomputation: weights w_i over x_1..x_t summing to 1, mean Σw·x, variance Σw·(x − mean)². */
function direct(data: readonly number[], weights: readonly number[]): { mean: number; variance: number } {
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = data.reduce((sum, x, i) => sum + (weights[i]! / total) * x, 0);
  const variance = data.reduce((sum, x, i) => sum + (weights[i]! / total) * (x - mean) ** 2, 0);
  return { mean, variance };
}

describe('Ewma — known values', () => {
  it('reproduces the NIST §6.3.2.4 EWMA column (lambda 0.3, EWMA_0 = 50): printed to 2 decimals, exact to 1e-12', () => {
    const { means } = trace(new Ewma({ alpha: nist.params.lambda, initial: nist.params.ewma0 }), nist.data);
    means.forEach((mean, t) => {
      expect(Math.abs(mean - nist.printed_ewma[t]), `t=${t + 1}`).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(mean, `t=${t + 1}`).toBeCloseTo(nist.exact_recomputed_ewma[t], 12);
    });
  });

  it('gives the NIST asymptotic control limits 50 ± 3·2.0539·sqrt(0.3/1.7) (UCL 52.5884, LCL 47.4115)', () => {
    const { lambda, ewma0, s, L } = nist.params;
    const limits = ewmaControlLimits({ lambda, target: ewma0, sigma: s, width: L });
    expect(limits.upper).toBeCloseTo(nist.printed_limits.UCL, 4);
    // NIST rounds sqrt(0.3/1.7) to 0.4201 before multiplying; unrounded LCL = 47.411568 (cusum.json note).
    expect(limits.lower).toBeCloseTo(47.411568, 6);
    expect(Math.abs(limits.lower - nist.printed_limits.LCL)).toBeLessThan(1e-4);
    // Every point of the NIST example is in control.
    for (const mean of trace(new Ewma({ alpha: lambda, initial: ewma0 }), nist.data).means) {
      expect(mean > limits.lower && mean < limits.upper).toBe(nist.all_in_control);
    }
  });

  it('has time-varying limits that start at L·σ·λ and widen to the asymptote', () => {
    const chart = { lambda: 0.3, target: 50, sigma: 2.0539, width: 3 };
    const first = ewmaControlLimits({ ...chart, t: 1 });
    expect(first.upper - 50).toBeCloseTo(3 * 2.0539 * 0.3, 12); // sqrt(λ/(2−λ)·(1−(1−λ)²)) = λ
    const late = ewmaControlLimits({ ...chart, t: 200 });
    expect(late.upper).toBeCloseTo(ewmaControlLimits(chart).upper, 12);
  });

  it("matches River's EWMean(fading_factor=0.5) and EWVar(fading_factor=0.5) doctests", () => {
    const { means } = trace(new Ewma({ alpha: 0.5 }), river.EWMean_alpha_0_5.data);
    expect(means).toEqual(river.EWMean_alpha_0_5.printed); // dyadic values: exact
    const { variances } = trace(new Ewma({ alpha: 0.5 }), river.EWVar_alpha_0_5.data);
    variances.forEach((variance, t) => { expect(variance).toBeCloseTo(river.EWVar_alpha_0_5.printed[t], 13); });
  });

  it('converts a halflife with 1 − 2^(−1/halflife): after `halflife` values the first weight has halved', () => {
    const ewma = new Ewma({ halflife: 10 });
    expect((1 - ewma.alpha) ** 10).toBeCloseTo(0.5, 14);
    expect(new Ewma({ halflife: 1 }).alpha).toBe(0.5);
  });

  it('debias: matches TensorBoard smoothing (zero-started average divided by 1 − (1−α)^t)', () => {
    const data = [0.2, 0.9, 0.4, 0.4, 1, 0, 0.7, 0.3];
    const smoothing = 0.6; // TensorBoard's slider = 1 − alpha
    const ewma = new Ewma({ alpha: 1 - smoothing, debias: true });
    let last = 0;
    data.forEach((x, index) => {
      ewma.push(x);
      last = last * smoothing + (1 - smoothing) * x;
      expect(ewma.mean).toBeCloseTo(last / (1 - smoothing ** (index + 1)), 14);
    });
  });

  it('uses initialVariance with initial, restarts on reset, and is NaN before the first value', () => {
    const seeded = new Ewma({ alpha: 0.5, initial: 10, initialVariance: 4 });
    expect([seeded.mean, seeded.variance, seeded.count]).toEqual([10, 4, 0]);
    seeded.push(12); // d = 2: mean 11, variance (1 − .5)(4 + .5·4) = 3
    expect([seeded.mean, seeded.variance, seeded.std]).toEqual([11, 3, Math.sqrt(3)]);
    seeded.reset();
    expect([seeded.mean, seeded.variance, seeded.count]).toEqual([10, 4, 0]);
    const plain = new Ewma({ alpha: 0.1 });
    expect(plain.mean).toBeNaN();
    plain.push(5);
    expect([plain.mean, plain.variance]).toEqual([5, 0]);
    plain.reset();
    expect(plain.mean).toBeNaN();
  });

  it('keeps a finite mean when a debiased EWMA with α near 1 replaces its state with a denormal', () => {
    // 1 − α below 2^−53 makes the debiasing weight round to 1, so the gain is exactly 1 again.
    const ewma = new Ewma({ alpha: 0.9999999999999999, debias: true });
    for (const x of [4, -5e-324, 0]) ewma.push(x);
    expect(ewma.mean).toBe(0);
    expect(ewma.variance).toBe(0);
  });

  it('rejects bad configuration at construction', () => {
    expect(() => new Ewma({})).toThrow(TypeError);
    expect(() => new Ewma({ alpha: 0.5, halflife: 2 })).toThrow(TypeError);
    for (const alpha of [0, -0.1, 1.5, Number.NaN]) expect(() => new Ewma({ alpha })).toThrow(RangeError);
    for (const halflife of [0, -1, Infinity, Number.NaN]) expect(() => new Ewma({ halflife })).toThrow(RangeError);
    expect(() => new Ewma({ alpha: 0.5, initial: 1, debias: true })).toThrow(TypeError);
    expect(() => new Ewma({ alpha: 0.5, initialVariance: 1 })).toThrow(TypeError);
    expect(() => new Ewma({ alpha: 0.5, initial: 0, initialVariance: -1 })).toThrow(RangeError);
    expect(() => new Ewma({ alpha: 0.5, initial: Number.NaN })).toThrow(RangeError);
    expect(() => ewmaControlLimits({ lambda: 0, target: 0, sigma: 1, width: 3 })).toThrow(RangeError);
  });
});

describe('Ewma — properties against a direct weighted recomputation', () => {
  const alpha = fc.double({ min: 0.01, max: 1, noNaN: true });
  const data = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 60 });
  const closeTo = (got: number, want: number, scale: number): boolean => Math.abs(got - want) <= 1e-9 * scale;

  it('seeded by the first value: weights (1−α)^(t−1) on x_1 and α(1−α)^(t−i) on the others', () => {
    fc.assert(
      fc.property(alpha, data, (a, values) => {
        const ewma = new Ewma({ alpha: a });
        values.forEach((x, index) => {
          ewma.push(x);
          const seen = values.slice(0, index + 1);
          const weights = seen.map((_, i) => (i === 0 ? (1 - a) ** index : a * (1 - a) ** (index - i)));
          const want = direct(seen, weights);
          const scale = Math.max(1, ...seen.map(Math.abs));
          if (!closeTo(ewma.mean, want.mean, scale) || !closeTo(ewma.variance, want.variance, scale * scale)) {
            throw new Error(`t=${index}: ${ewma.mean}/${ewma.variance} vs ${want.mean}/${want.variance}`);
          }
        });
      }),
    );
  });

  it('started at `initial`: the start value keeps weight (1−α)^t', () => {
    fc.assert(
      fc.property(alpha, fc.double({ min: -1e3, max: 1e3, noNaN: true }), data, (a, start, values) => {
        const ewma = new Ewma({ alpha: a, initial: start });
        for (const x of values) ewma.push(x);
        const t = values.length;
        const weights = [(1 - a) ** t, ...values.map((_, i) => a * (1 - a) ** (t - 1 - i))];
        const want = direct([start, ...values], weights);
        const scale = Math.max(1, Math.abs(start), ...values.map(Math.abs));
        return closeTo(ewma.mean, want.mean, scale) && closeTo(ewma.variance, want.variance, scale * scale);
      }),
    );
  });

  it('debiased: weights (1−α)^(t−i) normalised over the values seen', () => {
    fc.assert(
      fc.property(alpha, data, (a, values) => {
        const ewma = new Ewma({ alpha: a, debias: true });
        for (const x of values) ewma.push(x);
        const t = values.length;
        const want = direct(values, values.map((_, i) => (1 - a) ** (t - 1 - i)));
        const scale = Math.max(1, ...values.map(Math.abs));
        return closeTo(ewma.mean, want.mean, scale) && closeTo(ewma.variance, want.variance, scale * scale) && ewma.variance >= 0;
      }),
    );
  });
});
