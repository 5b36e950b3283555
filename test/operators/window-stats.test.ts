import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { mean, median, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { windowStats, type WindowStatsConfig } from '../../operators/window-stats.js';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';

const events = (values: readonly number[]): RewardEvent[] => values.map((reward, step) => ({ step, reward }));

describe('windowStats', () => {
  it('should emit the statistics of the last w values per value (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b, c, d] = events([1, 2, 3, 10]);
      const source = cold('-a-b-c-d-|', { a, b, c, d });
      const summary = source.pipe(
        windowStats({ window: 3 }),
        map((s) => `${s.mean}/${s.median}/${s.max}`),
      );
      expectObservable(summary).toBe('-w-x-y-z-|', { w: '1/1/1', x: '1.5/1.5/2', y: '2/2/3', z: '5/3/10' });
    });
  });

  it('matches simple-statistics recomputed over the last w values (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // -0 → 0: the sorted window cannot tell them apart (a window [0] may report the -0 that
        // just left it as its min), and toBe, being Object.is, can.
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((x) => x + 0), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        async (values, window) => {
          const probabilities = [0, 0.1, 0.5, 0.9, 1];
          const out = await lastValueFrom(from(events(values)).pipe(windowStats({ window, quantiles: probabilities }), toArray()));
          expect(out).toHaveLength(values.length);
          out.forEach((stats, i) => {
            const last = values.slice(Math.max(0, i + 1 - window), i + 1);
            const sorted = [...last].sort((x, y) => x - y);
            const tolerance = 1e-9 * (1 + Math.max(...last.map(Math.abs)));
            expect(stats.count).toBe(last.length);
            expect(Math.abs(stats.mean - mean(last))).toBeLessThanOrEqual(tolerance);
            const std = last.length > 1 ? sampleStandardDeviation(last) : 0;
            expect(Math.abs(stats.std - std)).toBeLessThanOrEqual(tolerance);
            expect(stats.min).toBe(sorted[0]);
            expect(stats.max).toBe(sorted.at(-1));
            expect(stats.median).toBe(median(last));
            expect(stats.quantiles).toEqual(probabilities.map((p) => quantileSorted(sorted, p)));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches numpy on a known window (numpy.percentile linear: [7, 15, 36, 39, 40, 41] -> 25% 20.25, 75% 39.75)', async () => {
    const out = await lastValueFrom(from(events([7, 15, 36, 39, 40, 41])).pipe(windowStats({ window: 6, quantiles: [0.25, 0.75] }), toArray()));
    const last = out.at(-1)!;
    expect(last.quantiles).toEqual([20.25, 39.75]);
    expect(last.median).toBe(37.5);
    expect(last.mean).toBe(178 / 6);
    expect(last.cv).toBeCloseTo(last.std / last.mean, 12);
  });

  it('leaves cv out where the mean is 0 and keeps every number finite on ±1e308 windows', async () => {
    const out = await lastValueFrom(from(events([0, -0, 1e308, -1e308, 1e308, -1e308])).pipe(windowStats({ window: 4 }), toArray()));
    // Windows: [0], [0, -0], [0, -0, 1e308], [0, -0, 1e308, -1e308], [-0, 1e308, -1e308, 1e308], [1e308, -1e308, 1e308, -1e308].
    expect(out.map((s) => 'cv' in s)).toEqual([false, false, true, false, true, false]);
    expect(out[2]!.cv).toBeCloseTo(Math.sqrt(3), 12); // mean 1e308/3, std 1e308/sqrt(3)
    expect(out[5]!.mean).toBe(0);
    expect(out[5]!.std / 1e308).toBeCloseTo(Math.sqrt(4 / 3), 12);
    for (const stats of out) for (const value of [stats.mean, stats.std, stats.min, stats.max, stats.median, ...stats.quantiles]) expect(Number.isFinite(value)).toBe(true);
  });

  it('skips and counts missing values and reads StepRecord metrics by name', async () => {
    const steps: StepRecord[] = [
      { step: 1, metrics: { kl: 0.1 } },
      { step: 2, metrics: {} },
      { step: 3, metrics: { kl: Number.NaN } },
      { step: 4, metrics: { kl: 0.3 } },
    ];
    const out = await lastValueFrom(from(steps).pipe(windowStats<StepRecord>({ metric: 'kl', window: 5 }), toArray()));
    expect(out.map((s) => [s.step, s.count, s.missing, s.metric])).toEqual([
      [1, 1, 0, 'kl'],
      [4, 2, 2, 'kl'],
    ]);
    expect(out[1]!.mean).toBeCloseTo(0.2, 15);
  });
});

checklist<RewardEvent, WindowStatsConfig>('windowStats', {
  operator: (config) => windowStats(config),
  config: { window: 2 },
  items: events([0, 1, 2, 3, 4]),
  unsubscribed: {
    marble: '--a--b',
    values: {
      a: { metric: 'reward', step: 0, count: 1, mean: 0, std: 0, min: 0, max: 0, median: 0, quantiles: [0, 0, 0, 0], missing: 0 },
      b: { metric: 'reward', step: 1, count: 2, mean: 0.5, std: Math.SQRT1_2, cv: Math.SQRT2, min: 0, max: 1, median: 0.5, quantiles: [0.05, 0.25, 0.75, 0.95], missing: 0 },
    },
  },
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ window: 0 }, RangeError, 'windowStats window'],
    [{ window: 1.5 }, RangeError, 'windowStats window'],
    [{ quantiles: [0.5, 1.5] }, RangeError, 'windowStats quantiles'],
    [{ quantiles: 0.5 as never }, TypeError, 'windowStats quantiles'],
    [{ metric: '' }, TypeError, 'windowStats metric'],
  ],
});
