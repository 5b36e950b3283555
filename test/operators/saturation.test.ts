import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { saturation, saturationConditions, type SaturationConfig } from '../../operators/saturation.js';
import { judge } from '../../src/core/verdict.js';
import type { RewardEvent } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';

const events = (values: readonly number[]): RewardEvent[] => values.map((reward, step) => ({ step, reward }));

describe('saturation', () => {
  it('should report the window pinned at the ceiling as info proxy-rise (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = (step: number, reward: number): RewardEvent => ({ step, reward });
      const source = cold('-a-b-c-d-e-f-g-|', { a: v(1, 0), b: v(2, 1), c: v(3, 0), d: v(4, 1), e: v(5, 1), f: v(6, 1), g: v(7, 1) });
      expectObservable(source.pipe(saturation({ window: 4, fraction: 0.75 }), map(brief))).toBe('---------o-----|', { o: 'onset@5/5:info' });
    });
  });

  it('calls a binary reward at 85% success info where rewardspy calls it hacking', async () => {
    const rng = new Random(2);
    const values = Array.from({ length: 2000 }, () => (rng.chance(0.85) ? 1 : 0));
    // rewardspy: alert "hacking" when > 80% of recent rewards are >= 0.99 * max.
    const recent = values.slice(-100);
    const incumbentHacking = recent.filter((x) => x >= 0.99 * Math.max(...values)).length / recent.length > 0.8;
    expect(incumbentHacking).toBe(true);
    const alerts = await lastValueFrom(from(events(values)).pipe(saturation(), toArray()));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.severity === 'info' && a.signal === 'proxy-rise')).toBe(true);
    expect(judge(alerts).status).toBe('healthy');
  });

  it('does not judge while every value seen is equal, and learns the ceiling once spread appears', async () => {
    const conditions = await lastValueFrom(from(events([0, 0, 0, 0, 1, 1, 1, 1])).pipe(saturationConditions({ window: 4, fraction: 0.75 }), toArray()));
    expect(conditions.map((c) => [c.step, c.active, c.signal])).toEqual([
      [4, true, 'info'], // 0 0 0 1: three of four at the floor 0
      [5, false, 'proxy-rise'], // 0 0 1 1: half and half
      [6, true, 'proxy-rise'], // 0 1 1 1
      [7, true, 'proxy-rise'],
    ]);
    expect(conditions.at(-1)!.evidence.stats).toMatchObject({ atCeiling: 1, atFloor: 0, ceiling: 1, floor: 0 });
    expect(conditions.at(-1)!.message).toBe('100% of the last 4 reward values at the ceiling 1 (threshold 75%)');
  });

  it('uses a configured ceiling and watches the floor when asked', async () => {
    const floorOnly = await lastValueFrom(from(events([0.2, 0, 0, 0, 0])).pipe(saturationConditions({ window: 4, side: 'floor', floor: 0, ceiling: 1 }), toArray()));
    expect(floorOnly.at(-1)).toMatchObject({ active: true, signal: 'info', severity: 'info', value: 1 });
    const belowCeiling = await lastValueFrom(from(events([0.9, 0.9, 0.9, 0.9])).pipe(saturationConditions({ window: 4, ceiling: 1, floor: 0 }), toArray()));
    expect(belowCeiling.at(-1)!.active).toBe(false);
  });
});

checklist<RewardEvent, SaturationConfig>('saturation', {
  operator: (config) => saturation(config),
  config: { window: 2, fraction: 1 },
  items: events([0, 1, 1, 1, 1, 1, 1, 1]),
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ window: 0 }, RangeError, 'saturation window'],
    [{ fraction: 0 }, RangeError, 'saturation fraction'],
    [{ tolerance: 0.6 }, RangeError, 'saturation tolerance'],
    [{ side: 'top' as never }, TypeError, 'saturation side'],
    [{ ceiling: 0, floor: 1 }, RangeError, 'saturation ceiling'],
  ],
});
