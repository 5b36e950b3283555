import fc from 'fast-check';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { DelayedRobustBaseline } from '../../src/detectors/robust-baseline.js';

describe('DelayedRobustBaseline', () => {
  it('holds the newest `delay` values back and scales by 1.4826 MAD (R: mad(c(1, 2, 3, 4, 100)) = 1.4826)', () => {
    const baseline = new DelayedRobustBaseline(5, 2);
    for (const x of [1, 2, 3, 4, 100, 7, 8]) baseline.push(x);
    expect(baseline.count).toBe(5);
    expect(baseline.median).toBe(3);
    expect(baseline.scale).toBeCloseTo(1.4826, 12);
    expect(baseline.scaleKind).toBe('mad');
    expect(baseline.countAtLeast(7)).toBe(1); // 7 and 8 are still held back
  });

  it('falls back to the std when the MAD is 0 and to no scale when constant', () => {
    const mostlyZero = new DelayedRobustBaseline(10, 0);
    for (const x of [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]) mostlyZero.push(x);
    expect(mostlyZero.scaleKind).toBe('std');
    expect(mostlyZero.scale).toBeCloseTo(Math.sqrt(0.2 * 0.8 * 10 / 9), 12);
    const constant = new DelayedRobustBaseline(4, 1);
    for (const x of [2, 2, 2, 2, 2]) constant.push(x);
    expect([constant.scale, constant.scaleKind]).toEqual([0, 'none']);
  });

  it('keeps the median of the window before the held-back values; the scale is at most w/8 values stale (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 5 }),
        (values, window, delay) => {
          const baseline = new DelayedRobustBaseline(window, delay);
          values.forEach((x, i) => {
            baseline.push(x);
            const admitted = values.slice(0, Math.max(0, i + 1 - delay));
            const last = admitted.slice(-window);
            expect(baseline.count).toBe(last.length);
            if (last.length > 0) expect(baseline.median).toBe(median(last));
          });
          const admitted = values.slice(0, Math.max(0, values.length - delay)).slice(-window);
          if (admitted.length > 0 && baseline.scaleKind === 'mad') {
            // A fresh instance refreshed on its first read gives the exact value.
            const fresh = new DelayedRobustBaseline(window, 0);
            for (const x of admitted) fresh.push(x);
            expect(fresh.scale).toBeCloseTo(1.4826 * medianAbsoluteDeviation(admitted), 9);
          }
        },
      ),
    );
  });
});
