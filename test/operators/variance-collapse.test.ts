import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { varianceCollapse, varianceCollapseConditions, type VarianceCollapseConfig } from '../../operators/variance-collapse.js';
import type { Alert, RewardEvent } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import type { RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents } from './sim-helpers.js';
import { warnings } from './real-steps.js';

const events = (values: readonly number[]): RewardEvent[] => values.map((reward, step) => ({ step, reward }));
const run = (items: readonly RewardEvent[], op: (s: Observable<RewardEvent>) => Observable<Alert>): Promise<Alert[]> =>
  lastValueFrom(op(from(items)).pipe(toArray()));

describe('varianceCollapse', () => {
  it('should open an episode once the window holds one value (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const v = (step: number, reward: number): RewardEvent => ({ step, reward });
      const source = cold('-a-b-c-d-e-f-g-h-i-j-|', {
        a: v(1, 0), b: v(2, 1), c: v(3, 0), d: v(4, 1), e: v(5, 0), f: v(6, 1), g: v(7, 0.5), h: v(8, 0.5), i: v(9, 0.5), j: v(10, 0.5),
      });
      expectObservable(source.pipe(varianceCollapse({ window: 2 }), map(brief))).toBe('---------------o-----|', { o: 'onset@8/8:info' });
    });
  });

  it('recovers from an all-zero start where a baseline frozen from the first 20 values stays at 0', async () => {
    const rng = new Random(3);
    const values = [...Array.from({ length: 40 }, () => 0), ...Array.from({ length: 300 }, () => rng.normal()), ...Array.from({ length: 150 }, () => -3)];
    // rewardspy-style: baseline std frozen from the first 20 values; ratio = std / baseline is NaN or
    // Infinity forever once that baseline is 0, so "ratio < 0.05" never fires.
    const frozen = 0;
    const incumbentFires = values.slice(20).some(() => 0 / frozen < 0.05);
    expect(incumbentFires).toBe(false);
    const alerts = await run(events(values.map((x) => x)), varianceCollapse({ window: 50, hysteresis: { cooldown: 0 } }));
    const onsets = alerts.filter((a) => a.state === 'onset');
    expect(onsets).toHaveLength(1);
    expect(onsets[0]!.step).toBeGreaterThanOrEqual(340);
    expect(onsets[0]!.step).toBeLessThan(400);
    // -3 is below everything seen: the collapse sits at the floor.
    expect(onsets[0]).toMatchObject({ signal: 'collapse', severity: 'warning' });
  });

  it('calls a sudden jump to a constant ceiling an exploit within a few steps (simulator exploit)', async () => {
    const items = simEvents({ seed: 4, steps: 120, rewardKind: 'continuous', hack: { pattern: 'exploit', atStep: 90 } });
    const onset = (await run(items, varianceCollapse())).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ signal: 'exploit', severity: 'warning' });
    expect(onset!.step - 90).toBeLessThanOrEqual(8);
  });

  it('calls a collapse at the floor a collapse (simulator truncation, reward at its floor)', async () => {
    const items = simEvents({ seed: 5, steps: 120, rewardKind: 'binary', hack: { pattern: 'truncation', atStep: 90 } });
    const onset = (await run(items, varianceCollapse())).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ signal: 'collapse', severity: 'warning' });
    expect(onset!.step - 90).toBeLessThanOrEqual(8);
  });

  it('reports gradual mastery pinned at the ceiling as info, not an exploit', async () => {
    // success probability rises slowly from 0.5 to 1 over 5000 samples, then stays at 1.
    const rng = new Random(9);
    const values = Array.from({ length: 6000 }, (_, i) => (rng.chance(Math.min(1, 0.5 + i / 10_000)) ? 1 : 0));
    const alerts = await run(events(values), varianceCollapse());
    expect(alerts.some((a) => a.state === 'onset')).toBe(true);
    expect(warnings(alerts)).toEqual([]);
  });

  it.each<[RewardKind, number]>([
    ['binary', 1],
    ['shaped', 10],
    ['continuous', 0.01],
  ])('raises no warning on a healthy simulated %s run (scale %s)', async (rewardKind, rewardScale) => {
    const items = simEvents({ seed: 21, steps: 300, rewardKind, rewardScale });
    expect(warnings(await run(items, varianceCollapse()))).toEqual([]);
  });

  it('emits raw conditions with the evidence by name', async () => {
    const conditions = await lastValueFrom(from(events([0, 1, 0, 1, 2, 2])).pipe(varianceCollapseConditions({ window: 2, suddenLag: 2 }), toArray()));
    const last = conditions.at(-1)!;
    expect(last).toMatchObject({ active: true, value: 0, threshold: 0.1, signal: 'exploit', severity: 'warning' });
    expect(last.evidence.stats).toMatchObject({ recentStd: 0, mean: 2, observedMin: 0, observedMax: 2, laggedMean: 0.5, jump: 0.75 });
    expect(last.message).toContain('variance collapsed');
  });
});

checklist<RewardEvent, VarianceCollapseConfig>('varianceCollapse', {
  operator: (config) => varianceCollapse(config),
  config: { window: 2 },
  items: events([0, 1, 0, 1, 5, 5, 5, 5, 5, 5, 5, 5]),
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ window: 1 }, RangeError, 'varianceCollapse window'],
    [{ ratio: 0 }, RangeError, 'varianceCollapse ratio'],
    [{ ratio: 1.5 }, RangeError, 'varianceCollapse ratio'],
    [{ halfLife: -1 }, RangeError, 'varianceCollapse halfLife'],
    [{ suddenJump: 2 }, RangeError, 'varianceCollapse suddenJump'],
    [{ granularity: 'x' as never }, TypeError, 'varianceCollapse granularity'],
  ],
});
