import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bernoulliCusumExponent } from '../../src/kernels/bernoulli-cusum-exponent.js';
import { Random } from '../../src/sim/random.js';

/** E[exp(θ(Y − r))] for Y ~ Bernoulli(p). */
const mgf = (p: number, r: number, theta: number): number => p * Math.exp(theta * (1 - r)) + (1 - p) * Math.exp(-theta * r);

describe('bernoulliCusumExponent', () => {
  it('is the log-odds slope of the Bernoulli likelihood-ratio chart for p -> p1 (0.5 -> 0.92 has reference 0.75)', () => {
    // LLR(y) = y·ln(p1/p) + (1−y)·ln(q1/q) = a·(y − r) with a = ln(p1·q / (p·q1)), r = ln(q/q1) / a.
    const p = 0.5;
    const p1 = 0.92;
    const a = Math.log((p1 * (1 - p)) / (p * (1 - p1)));
    const r = Math.log((1 - p) / (1 - p1)) / a;
    expect(r).toBeCloseTo(0.75, 2);
    expect(bernoulliCusumExponent(p, r)).toBeCloseTo(a, 10);
  });

  it('solves E[exp(θ(Y − r))] = 1 with θ > 0 across proportions and references', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1 - 1e-4, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (p, t) => {
        const r = p + t * (1 - p);
        const theta = bernoulliCusumExponent(p, r);
        expect(theta).toBeGreaterThan(0);
        expect(mgf(p, r, theta)).toBeCloseTo(1, 9);
      }),
    );
  });

  it('bounds the chance that a CUSUM on Bernoulli values reaches H from 0 by e^{-θH} (Monte Carlo)', () => {
    // p = 0.03, reference 0.12: of the steps taken from S = 0 by S = max(0, S + y − r), the share
    // whose excursion ends above H must stay below e^{-θH} (Lundberg's inequality).
    const p = 0.03;
    const r = 0.12;
    const H = 2.5;
    const theta = bernoulliCusumExponent(p, r);
    const rng = new Random(17);
    let sum = 0;
    let starts = 0;
    let crossings = 0;
    for (let i = 0; i < 2_000_000; i++) {
      if (sum === 0) starts++;
      const next = sum + (rng.chance(p) ? 1 : 0) - r;
      sum = next > 0 ? next : 0;
      if (sum > H) {
        crossings++;
        sum = 0;
      }
    }
    expect(crossings).toBeGreaterThan(100);
    expect(crossings / starts).toBeLessThanOrEqual(Math.exp(-theta * H));
    // ... and not by orders of magnitude: θ is the rate that sets the false-alarm rate.
    expect(crossings / starts).toBeGreaterThan(Math.exp(-theta * H) / 10);
  });

  it('returns Infinity when the reference is at or above 1 (the sum never grows) and 0 without slack', () => {
    expect(bernoulliCusumExponent(0.9, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(bernoulliCusumExponent(0.9, 1.2)).toBe(Number.POSITIVE_INFINITY);
    expect(bernoulliCusumExponent(0.3, 0.3)).toBe(0);
    expect(bernoulliCusumExponent(0.3, 0.1)).toBe(0);
  });

  it('rejects a proportion outside (0, 1) and a NaN reference', () => {
    expect(() => bernoulliCusumExponent(0, 0.5)).toThrow(RangeError);
    expect(() => bernoulliCusumExponent(1, 0.5)).toThrow(RangeError);
    expect(() => bernoulliCusumExponent(Number.NaN, 0.5)).toThrow(RangeError);
    expect(() => bernoulliCusumExponent(0.5, Number.NaN)).toThrow(RangeError);
  });
});
