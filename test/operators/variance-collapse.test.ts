import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { varianceCollapse, varianceCollapseConditions, type VarianceCollapseConfig } from '../../operators/variance-collapse.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import type { RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents } from './sim-helpers.js';
import { realSteps, warnings } from './real-steps.js';

const events = (values: readonly number[]): RewardEvent[] => values.map((reward, step) => ({ step, reward }));
const run = (items: readonly RewardEvent[], op: (s: Observable<RewardEvent>) => Observable<Alert>): Promise<Alert[]> =>
  lastValueFrom(op(from(items)).pipe(toArray()));
const runSteps = (items: readonly StepRecord[], op: (s: Observable<StepRecord>) => Observable<Alert>): Promise<Alert[]> =>
  lastValueFrom(op(from(items)).pipe(toArray()));

/** One `reward/mean` record per step: the mean of a step's per-sample rewards. */
function stepMeans(items: readonly RewardEvent[]): StepRecord[] {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const { step, reward } of items) {
    const entry = sums.get(step) ?? { sum: 0, count: 0 };
    entry.sum += reward ?? 0;
    entry.count++;
    sums.set(step, entry);
  }
  return [...sums].map(([step, { sum, count }]) => ({ step, metrics: { 'reward/mean': sum / count } }));
}

/**
 * Step means of a binary (correctness) reward: `prompts` x `group` samples a step (default 8 x 8),
 * each prompt's success rate the step's `rate` shifted on the logit scale by a prompt difficulty
 * (sd 0.8).
 */
function binarySteps(seed: number, steps: number, rate: (step: number) => number, prompts = 8, group = 8): StepRecord[] {
  const rng = new Random(seed);
  return Array.from({ length: steps }, (_, step) => {
    const logit = Math.log(rate(step) / (1 - rate(step)));
    let correct = 0;
    for (let prompt = 0; prompt < prompts; prompt++) {
      const p = 1 / (1 + Math.exp(-(logit + 0.8 * rng.normal())));
      for (let sample = 0; sample < group; sample++) if (rng.chance(p)) correct++;
    }
    return { step, metrics: { 'reward/mean': correct / (prompts * group) } };
  });
}

/** Success rising from 0.1 to `top` around step 50, over about `riseSteps` steps. */
const learning = (top: number, riseSteps: number) => (step: number): number => 0.1 + (top - 0.1) / (1 + Math.exp(-(step - 50) / (riseSteps / 6)));

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
    const alerts = await run(items, varianceCollapse());
    // The episode opens at info once the window is flat and escalates when the pin has lasted.
    const exploit = alerts.find((a) => a.signal === 'exploit');
    expect(exploit).toMatchObject({ severity: 'warning' });
    expect(exploit!.step - 90).toBeLessThanOrEqual(8);
  });

  it('calls the simulator exploit on a binary reward an exploit from its step means within a few steps', async () => {
    const items = simEvents({ seed: 6, steps: 90, rewardKind: 'binary', hack: { pattern: 'exploit', atStep: 60 } });
    const alerts = await runSteps(stepMeans(items), varianceCollapse<StepRecord>({ metric: 'reward/mean' }));
    const exploit = alerts.find((a) => a.signal === 'exploit');
    expect(exploit).toMatchObject({ severity: 'warning' });
    // Full share at step 63, then two windows (10 steps) at the ceiling.
    expect(exploit!.step - 60).toBeLessThanOrEqual(12);
  });

  it('needs the window pinned at the maximum: the same sudden rise to a ceiling still missed now and then is info', async () => {
    const before = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.3 : 0.5));
    const pinned = await run(events([...before, ...Array.from({ length: 12 }, () => 1)]), varianceCollapse({ window: 5, suddenLag: 15 }));
    expect(warnings(pinned)).toMatchObject([{ signal: 'exploit', step: 29, evidence: { stats: { pinnedRun: 10 } } }]);
    const nearly = await run(
      events([...before, ...Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? 0.97 : 1))]),
      varianceCollapse({ window: 5, suddenLag: 15 }),
    );
    expect(nearly.filter((a) => a.state === 'onset')).toMatchObject([{ signal: 'info', severity: 'info' }]);
    expect(nearly.find((a) => a.state === 'onset')!.message).toContain('at the ceiling');
  });

  it.each([8, 12, 18])('reports honest binary learning from 0.1 to 0.97 in %s steps as info at the ceiling, not an exploit', async (riseSteps) => {
    // Bernoulli success rates p(1 - p) lose their spread as p nears 1, so the step means collapse
    // near the ceiling however fast the rise; only a window with not one failure is more than that.
    for (const seed of [31, 32, 33, 34]) {
      const records = binarySteps(seed, 120, learning(0.97, riseSteps));
      const alerts = await runSteps(records, varianceCollapse<StepRecord>({ metric: 'reward/mean' }));
      expect(warnings(alerts), `seed ${String(seed)}`).toEqual([]);
    }
  });

  it('with 16 samples a step, does not take a chance window of perfect steps for a pin (it must last two windows)', async () => {
    // At 97% success about half of such steps are perfect, so 5 in a row come by chance (~5%); 10 rarely.
    const records = binarySteps(12, 120, learning(0.97, 12), 4, 4);
    const oneWindow = await runSteps(records, varianceCollapse<StepRecord>({ metric: 'reward/mean', pinnedFor: 5 }));
    expect(warnings(oneWindow).some((a) => a.signal === 'exploit')).toBe(true);
    expect(warnings(await runSteps(records, varianceCollapse<StepRecord>({ metric: 'reward/mean' })))).toEqual([]);
  });

  it('leaves the real saturation log (mastery at the ceiling, 80 samples a record) without an exploit', async () => {
    const records = await realSteps('trl-grpo_qwen35_saturation_step_logs.json');
    const alerts = await runSteps(records, varianceCollapse<StepRecord>({ metric: 'reward/mean' }));
    expect(alerts.some((a) => a.state === 'onset')).toBe(true);
    expect(warnings(alerts)).toEqual([]);
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
    const conditions = await lastValueFrom(
      from(events([0, 1, 0, 1, 2, 2])).pipe(varianceCollapseConditions({ window: 2, suddenLag: 2, pinnedFor: 2 }), toArray()),
    );
    const last = conditions.at(-1)!;
    expect(last).toMatchObject({ active: true, value: 0, threshold: 0.1, signal: 'exploit', severity: 'warning' });
    expect(last.evidence.stats).toMatchObject({ recentStd: 0, mean: 2, observedMin: 0, observedMax: 2, laggedMean: 0.5, jump: 0.75, pinnedRun: 2 });
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
    [{ pinnedFor: 0 }, RangeError, 'varianceCollapse pinnedFor'],
    [{ granularity: 'x' as never }, TypeError, 'varianceCollapse granularity'],
  ],
});
