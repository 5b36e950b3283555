import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryExponent, scaleByPowerOfTwo } from '../../src/kernels/binary-scale.js';
import { Ewma } from '../../src/kernels/ewma.js';
import { GroupAccumulator } from '../../src/kernels/group-accumulator.js';
import { Moments } from '../../src/kernels/moments.js';
import { RollingMoments } from '../../src/kernels/rolling-moments.js';

describe('binaryExponent and scaleByPowerOfTwo', () => {
  it('gives floor(log2 |x|), clamped to the normal range, 0 for 0 and non-finite values', () => {
    // 2^996 = 6.7e299 <= 1e300 < 2^997; 2^-997 <= 1e-300; denormals clamp to the smallest normal exponent.
    expect([1, 1.5, 2, 0.75, -8, 1e300, 1e-300, 2 ** -1022, 5e-324, Number.MAX_VALUE].map(binaryExponent)).toEqual([0, 0, 1, -1, 3, 996, -997, -1022, -1022, 1023]);
    expect([0, -0, Number.NaN, Infinity].map(binaryExponent)).toEqual([0, 0, 0, 0]);
  });

  it('multiplies by 2^e exactly across the whole exponent range (including steps past 2^±1023)', () => {
    expect(scaleByPowerOfTwo(1, 1023)).toBe(2 ** 1023);
    expect(scaleByPowerOfTwo(1, -1074)).toBe(5e-324);
    expect(scaleByPowerOfTwo(5e-324, 2097)).toBe(2 ** 1023);
    expect(scaleByPowerOfTwo(Number.MAX_VALUE, -2046)).toBe(Number.MAX_VALUE * 2 ** -1023 * 2 ** -1023);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: -1022, max: 1023 }), (x, e) => {
        const scaled = scaleByPowerOfTwo(x, e);
        expect(scaleByPowerOfTwo(scaled, -e)).toBe(x);
        // log2 may round up just below a power of two: within one of the true exponent.
        expect(Math.abs(binaryExponent(scaled) - e)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

/** A fixed irregular sample in [-1, 1) and its plain mean and std (n − 1). */
const UNIT = Array.from({ length: 50 }, (_, i) => (((i * 7919) % 101) / 101) * 2 - 1);
const plain = (values: readonly number[]): { mean: number; std: number } => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) };
};

describe('moment kernels outside the range where squares are doubles', () => {
  const unit = plain(UNIT);
  it.each([1e300, 1e-300, 1e-310, 2 ** 1000, 2 ** -1000])('Moments, RollingMoments, GroupAccumulator and Ewma scale with data x%s', (scale) => {
    const moments = new Moments();
    const rolling = new RollingMoments(UNIT.length);
    const group = new GroupAccumulator();
    const ewma = new Ewma({ alpha: 0.1 });
    const unitEwma = new Ewma({ alpha: 0.1 });
    for (const x of UNIT) {
      moments.push(x * scale);
      rolling.push(x * scale);
      group.add('g', x * scale);
      ewma.push(x * scale);
      unitEwma.push(x);
    }
    const summary = group.close('g')!;
    // Denormal inputs (x1e-310) carry fewer digits themselves.
    const digits = scale < 2.2e-308 ? 4 : 12;
    for (const mean of [moments.mean, rolling.mean, summary.mean]) expect(mean / scale).toBeCloseTo(unit.mean, digits);
    for (const std of [moments.std, rolling.std, summary.std]) expect(std / scale).toBeCloseTo(unit.std, digits);
    expect(ewma.mean / scale).toBeCloseTo(unitEwma.mean, digits);
    expect(ewma.std / scale).toBeCloseTo(unitEwma.std, digits);
  });

  it('is exact (bit for bit) under power-of-two scaling where squares fit, e.g. x2^500 vs x1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }).map((k) => k / 1024), { minLength: 2, maxLength: 40 }), fc.integer({ min: -500, max: 500 }), (values, e) => {
        const a = new Moments();
        const b = new Moments();
        const ra = new RollingMoments(7);
        const rb = new RollingMoments(7);
        for (const x of values) {
          a.push(x);
          b.push(scaleByPowerOfTwo(x, e));
          ra.push(x);
          rb.push(scaleByPowerOfTwo(x, e));
        }
        expect(scaleByPowerOfTwo(b.mean, -e)).toBe(a.mean);
        expect(scaleByPowerOfTwo(b.std, -e)).toBe(a.std);
        expect(scaleByPowerOfTwo(rb.mean, -e)).toBe(ra.mean);
        expect(scaleByPowerOfTwo(rb.std, -e)).toBe(ra.std);
      }),
    );
  });

  it('stays bit for bit when the stream starts with zeros, which have no scale (a leading 0, then values x2^237)', () => {
    // Found by the property above: the window kept the exponent of its leading 0, so only the
    // scaled stream re-derived its sums (782413 · 2^237 > 2^256), from another shift.
    const values = [0, -0.0009765625, -728606.2734375, 782413.02734375];
    for (const e of [237, -300, 0]) {
      const unit = new RollingMoments(7);
      const scaled = new RollingMoments(7);
      for (const x of values) {
        unit.push(x);
        scaled.push(scaleByPowerOfTwo(x, e));
        expect(scaleByPowerOfTwo(scaled.mean, -e)).toBe(unit.mean);
        expect(scaleByPowerOfTwo(scaled.std, -e)).toBe(unit.std);
      }
    }
  });

  it('gives ±1e308 data a finite mean and std (the differences overflowed before)', () => {
    const alternating = [1e308, -1e308, 1e308, -1e308];
    const moments = new Moments();
    const rolling = new RollingMoments(4);
    const group = new GroupAccumulator();
    for (const x of alternating) {
      moments.push(x);
      rolling.push(x);
      group.add('g', x);
    }
    const summary = group.close('g')!;
    // mean 0; std = 1e308 · sqrt(4/3) (four values ±1e308, n − 1 = 3).
    for (const [mean, std] of [[moments.mean, moments.std], [rolling.mean, rolling.std], [summary.mean, summary.std]] as const) {
      expect(Math.abs(mean)).toBeLessThan(1e293);
      expect(std / 1e308).toBeCloseTo(Math.sqrt(4 / 3), 12);
    }
  });

  it('follows a window from 1e300 down to 1e-300 and back (RollingMoments re-derives its scale)', () => {
    const rolling = new RollingMoments(UNIT.length);
    for (const scale of [1e300, 1e-300, 1, 1e300]) {
      for (const x of UNIT) rolling.push(x * scale);
      expect(rolling.mean / scale).toBeCloseTo(unit.mean, 12);
      expect(rolling.std / scale).toBeCloseTo(unit.std, 12);
    }
  });

  it('merges Moments partitions of very different scales', () => {
    const tiny = new Moments();
    const huge = new Moments();
    for (const x of [1e-300, 2e-300]) tiny.push(x);
    for (const x of [1e300, 3e300]) huge.push(x);
    tiny.merge(huge);
    expect(tiny.mean).toBeCloseTo(1e300, -290);
    expect(tiny.std / plain([0, 0, 1, 3]).std).toBeCloseTo(1e300, -290);
  });
});
