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

  it("with fit 'line' extrapolates Tukey's resistant line to the next value and scales by its residuals", () => {
    // y = 2 + 0.5 t exactly, window 12 held back 3: the centre is the line at the next value's position.
    const line = new DelayedRobustBaseline(12, 3, 'line');
    const median = new DelayedRobustBaseline(12, 3);
    for (let t = 0; t < 40; t++) {
      line.push(2 + 0.5 * t);
      median.push(2 + 0.5 * t);
      if (t >= 14) expect(line.center).toBeCloseTo(2 + 0.5 * (t + 1), 9); // between refits too (every 2 values)
    }
    // The median sits half a window plus the delay behind: (12 - 1) / 2 + 3 + 1 = 9.5 steps of 0.5.
    expect(median.center).toBeCloseTo(2 + 0.5 * 40 - 0.5 * 9.5, 9);
    // A noiseless line has no residuals: the scale falls to the window's resolution (its step, 0.5).
    expect([line.scale, line.scaleKind]).toEqual([0.5, 'resolution']);
    // Residuals ±1 about the line, with one wild value: the thirds' medians ignore it, the MAD too.
    const noisy = new DelayedRobustBaseline(30, 0, 'line');
    for (let t = 0; t < 30; t++) noisy.push(10 - 0.2 * t + (t === 20 ? 50 : t % 2 === 0 ? 1 : -1));
    expect(noisy.center).toBeCloseTo(10 - 0.2 * 30, 9);
    expect([noisy.scale, noisy.scaleKind]).toEqual([1.4826, 'mad']);
  });

  it('falls back to the std when the MAD is 0 and to no scale when constant', () => {
    const mostlyZero = new DelayedRobustBaseline(10, 0);
    for (const x of [0, 0.9, 0, 0, 0, 0, 0, 0, 1, 1.1]) mostlyZero.push(x);
    expect(mostlyZero.scaleKind).toBe('std');
    const mean = 0.3;
    const squares = 7 * mean ** 2 + (0.9 - mean) ** 2 + (1 - mean) ** 2 + (1.1 - mean) ** 2;
    expect(mostlyZero.scale).toBeCloseTo(Math.sqrt(squares / 9), 12);
    const constant = new DelayedRobustBaseline(4, 1);
    for (const x of [2, 2, 2, 2, 2]) constant.push(x);
    expect([constant.scale, constant.scaleKind]).toEqual([0, 'none']);
  });

  it('floors the std of a mostly-constant window at the step its values move by (a rounded log)', () => {
    // verl prints KL with 3 decimals: a slow rise reads 0.001 ... 0.002. The std of 18 x 0.001 and
    // 2 x 0.002 is 0.0003, against which the next 0.002 would be 3.2 sds; one rounding step is no
    // evidence that the KL moved at all, so the scale is the step itself.
    const rounded = new DelayedRobustBaseline(20, 0);
    for (let i = 0; i < 20; i++) rounded.push(i === 7 || i === 15 ? 0.002 : 0.001);
    expect(rounded.scaleKind).toBe('resolution');
    expect(rounded.scale).toBeCloseTo(0.001, 15);
    // Two values far apart (a mostly-zero series with rare 1s): the gap is the scale.
    const mostlyZero = new DelayedRobustBaseline(10, 0);
    for (const x of [0, 1, 0, 0, 0, 0, 0, 0, 0, 1]) mostlyZero.push(x);
    expect([mostlyZero.scaleKind, mostlyZero.scale]).toEqual(['resolution', 1]);
  });

  it('shrinks a constant stretch to one value once the series varies, so the scale comes from values that vary', () => {
    // KL is exactly 0 until the policy first moves. Kept whole, the zeros would leave a MAD of 0 and
    // the std of the first few small values among them as the scale: a slow rise would look tens of sds out.
    const baseline = new DelayedRobustBaseline(50, 0);
    for (let i = 0; i < 30; i++) baseline.push(0);
    expect([baseline.count, baseline.scaleKind]).toEqual([30, 'none']);
    baseline.push(0.001);
    expect(baseline.count).toBe(2);
    expect(baseline.median).toBe(0.0005);
    for (const x of [0.002, 0.003, 0.004]) baseline.push(x);
    expect(baseline.count).toBe(5);
    expect(baseline.median).toBe(0.002);
    expect(baseline.scaleKind).toBe('mad');
    // Float noise on a constant (1e-9 of its magnitude) is still constant; a value beyond it is not.
    const level = new DelayedRobustBaseline(50, 0);
    for (let i = 0; i < 10; i++) level.push(i % 2 === 0 ? 0.5 : 0.5 + 1e-12);
    expect([level.count, level.scale, level.scaleKind]).toEqual([10, 0, 'none']);
    level.push(0.6);
    expect(level.count).toBe(2);
    // A window that already varies is never shrunk, and a series repeating each value still fills it.
    const repeats = new DelayedRobustBaseline(8, 0);
    for (const x of [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]) repeats.push(x);
    expect(repeats.count).toBe(8);
    expect(repeats.median).toBe(3.5);
  });

  it('keeps the median of the window before the held-back values; the scale is at most w/8 values stale (property)', () => {
    fc.assert(
      fc.property(
        // Half zeros: constant stretches, and windows that stop being constant.
        fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(0)), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 5 }),
        (values, window, delay) => {
          const baseline = new DelayedRobustBaseline(window, delay);
          // Reference: the last `window` admitted values, a constant window shrunk to one value
          // when a different value joins.
          let last: number[] = [];
          values.forEach((x, i) => {
            baseline.push(x);
            if (i >= delay) {
              const joining = values[i - delay]!;
              if (last.length > 1 && last.every((v) => v === last[0]) && joining !== last[0]) last = [last[0]!];
              last = [...last, joining].slice(-window);
            }
            expect(baseline.count).toBe(last.length);
            if (last.length > 0) expect(baseline.median).toBe(median(last));
          });
          const admitted = last;
          if (admitted.length > 0 && baseline.scaleKind === 'mad') {
            // A fresh instance refreshed on its first read gives the exact value. Its lowest and
            // highest values go first, so its window is never constant and never shrinks.
            const fresh = new DelayedRobustBaseline(window, 0);
            const low = admitted.indexOf(Math.min(...admitted));
            const high = admitted.indexOf(Math.max(...admitted));
            for (const x of [admitted[low]!, admitted[high]!, ...admitted.filter((_, i) => i !== low && i !== high)]) fresh.push(x);
            expect(fresh.scale).toBeCloseTo(1.4826 * medianAbsoluteDeviation(admitted), 9);
          }
        },
      ),
    );
  });
});
