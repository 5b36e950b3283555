import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { truncation, truncationConditions, type TruncationConfig } from '../../operators/truncation.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { judge } from '../../src/core/verdict.js';
import { Random } from '../../src/sim/random.js';
import type { RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents } from './sim-helpers.js';
import { realSteps, warnings } from './real-steps.js';

const record = (step: number, clip: number, reward: number): StepRecord => ({ step, metrics: { 'length/clip_ratio': clip, 'reward/mean': reward } });
const run = <T>(items: readonly T[], op: (s: Observable<T>) => Observable<Alert>): Promise<Alert[]> => lastValueFrom(op(from(items)).pipe(toArray()));

describe('truncation', () => {
  it('should report clipping as info and escalate to a critical collapse when the reward hits its floor (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-d-e-|', { a: record(1, 0.1, 0.5), b: record(2, 0.5, 0.6), c: record(3, 0.6, 0.6), d: record(4, 1, 0), e: record(5, 1, 0) });
      const alerts = source.pipe(truncation({ persistence: 2, floorPersistence: 2, minRewards: 2 }), map((a) => `${brief(a)}:${a.signal}`));
      expectObservable(alerts).toBe('-----o---x-|', { o: 'onset@3/3:warning:info', x: 'ongoing@5/3:critical:collapse' });
    });
  });

  it('says what share hit which cap, with the reward beside it', async () => {
    const conditions = await lastValueFrom(from([record(1, 0.42, 0.7), record(2, 0.42, 0.8)]).pipe(truncationConditions({ persistence: 1 }), toArray()));
    expect(conditions[1]).toMatchObject({ active: true, severity: 'warning', signal: 'info', value: 0.42, threshold: 0.3 });
    expect(conditions[1]!.message).toBe('42% of completions hit the length cap (threshold 30%), reward 0.8');
  });

  it('calls the real TRL GRPO collapse (clip ratio ~1, reward 0 from step 160) a collapse once the reward stayed at its floor', async () => {
    const steps = await realSteps('trl-grpo_qwen35_collapse_step_logs.json');
    const alerts = await run(steps, truncation());
    const collapse = alerts.find((a) => a.signal === 'collapse');
    // Rewards 0.41, 0.025, 0 at steps 155-165: three records far below the ~0.8 it held.
    expect(collapse).toMatchObject({ step: 165, severity: 'warning', state: 'ongoing' });
    expect(collapse!.evidence.stats).toMatchObject({ atFloor: 1, reward: 0, rewardLevel: expect.closeTo(0.79, 1) as unknown });
    // Before it, clipping with a healthy reward is context at warning, not a collapse, and so is the
    // dip to 0.26-0.31 at steps 110-120 (not the bottom of the range: it started at 0.2).
    expect(alerts.filter((a) => a.step < 165).every((a) => a.signal === 'info')).toBe(true);
    // The floor never becomes the level it is judged against: the collapse holds to the end.
    expect(alerts.filter((a) => a.step >= 165).every((a) => a.signal === 'collapse' && a.state === 'ongoing')).toBe(true);
  });

  it('warns about lengths pinned at the cap but sees no floor in a reward that keeps swinging (real TRL multi-component log)', async () => {
    // Clipped ratio 0.5-1.0 throughout, reward/mean swinging -0.5..1.4 to the end.
    const alerts = await run(await realSteps('trl-grpo_multicomponent_trainer_state.json'), truncation());
    expect(alerts.find((a) => a.state === 'onset')).toMatchObject({ severity: 'warning', signal: 'info' });
    expect(alerts.filter((a) => a.signal === 'collapse')).toEqual([]);
    expect(judge(alerts).status).toBe('warning');
  });

  it.each([
    [0.35, 1],
    [0.35, 2],
    [0.95, 3],
    [0.95, 4],
  ])('does not call a noisy rising reward at a constant %s clip ratio a collapse (seed %s)', async (clip, seed) => {
    // Reward N(0.5 -> 0.9, 0.3): it sets new minima early on, which is no floor.
    const random = new Random(seed);
    const records = Array.from({ length: 300 }, (_, step) => record(step, clip, 0.5 + (0.4 * step) / 300 + 0.3 * random.normal()));
    const alerts = await run(records, truncation());
    expect(alerts.find((a) => a.state === 'onset')).toMatchObject({ severity: 'warning', signal: 'info' });
    expect(alerts.filter((a) => a.signal === 'collapse')).toEqual([]);
  });

  it('keeps calling a reward that fell to its floor and stays there a collapse, at any reward scale', async () => {
    for (const [scale, seed] of [[1, 5], [1000, 6], [0.001, 7]] as const) {
      const random = new Random(seed);
      const reward = (step: number): number => scale * (step < 40 ? 0.3 + 0.5 * (1 - Math.exp(-step / 15)) + 0.05 * random.normal() : 0.002 * Math.abs(random.normal()));
      const alerts = await run(Array.from({ length: 200 }, (_, step) => record(step, 0.95, reward(step))), truncation());
      const collapse = alerts.find((a) => a.signal === 'collapse');
      expect(collapse!.step).toBe(42);
      expect(alerts.filter((a) => a.step >= 42).every((a) => a.signal === 'collapse' && a.severity === 'critical')).toBe(true);
      expect(alerts.some((a) => a.state === 'resolved')).toBe(false);
    }
  });

  it('does not call a fall to a level the reward had always been above a floor', async () => {
    // 0.2 -> 0.8, then down to 0.5 for good: worse, but still earning more than it ever did at its worst.
    const random = new Random(11);
    const reward = (step: number): number => (step < 60 ? 0.2 + 0.6 * (1 - Math.exp(-step / 10)) : 0.5) + 0.02 * random.normal();
    const alerts = await run(Array.from({ length: 120 }, (_, step) => record(step, 0.95, reward(step))), truncation());
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.signal === 'info')).toBe(true);
  });

  it('calls a reward at a configured floor from the start a collapse once it stayed there floorPersistence records', async () => {
    const records = Array.from({ length: 6 }, (_, step) => record(step, 1, 0));
    expect((await run(records, truncation())).every((a) => a.signal === 'info')).toBe(true);
    const alerts = await run(records, truncation({ rewardFloor: 0 }));
    expect(alerts.find((a) => a.signal === 'collapse')).toMatchObject({ step: 2, severity: 'critical' });
    expect(alerts.find((a) => a.signal === 'collapse')!.message).toBe('100% of completions hit the length cap (threshold 30%), reward 0 at its floor 0');
  });

  it('reports clipping without a reward collapse as info (real TRL saturation log, real verl GPG length explosion)', async () => {
    const saturation = await run(await realSteps('trl-grpo_qwen35_saturation_step_logs.json'), truncation());
    expect(saturation.length).toBeGreaterThan(0);
    expect(saturation.every((a) => a.signal === 'info')).toBe(true);
    const gpg = await run(await realSteps('verl-gpg_qwen2-7b_math_length_explosion.log'), truncation());
    expect(gpg.find((a) => a.state === 'onset')).toMatchObject({ signal: 'info', severity: 'warning' });
    expect(gpg.every((a) => a.signal === 'info')).toBe(true);
  });

  it('raises nothing on the real healthy verl PPO log', async () => {
    expect(await run(await realSteps('verl-ppo_gemma-2-2b_gsm8k_healthy.log'), truncation())).toEqual([]);
  });

  it.each<RewardKind>(['binary', 'shaped', 'continuous'])('infers the cap and calls the simulated %s truncation a collapse within a few steps', async (rewardKind) => {
    const items = simEvents({ seed: 8, steps: 120, rewardKind, hack: { pattern: 'truncation', atStep: 90 } });
    const alerts = await run(items, truncation<RewardEvent>());
    const onset = alerts.find((a) => a.state === 'onset');
    expect(onset!.step - 90).toBeLessThanOrEqual(3);
    const collapse = alerts.find((a) => a.signal === 'collapse');
    expect(collapse!.step - 90).toBeLessThanOrEqual(6);
    expect(collapse!.evidence.stats['cap']).toBe(1024);
    // The cap was inferred from these very samples: the evidence holds the ones at it.
    expect(collapse!.evidence.samples!.map((sample) => sample.length)).toEqual([1024, 1024, 1024, 1024, 1024]);
  });

  it('attaches up to 5 truncated completions, newest first, to every per-sample alert but a resolution', async () => {
    const items = simEvents({ seed: 5, steps: 90, rewardKind: 'binary', hack: { pattern: 'truncation', atStep: 60 } });
    const alerts = await run(items, truncation<RewardEvent>({ maxLength: 1024 }));
    const open = alerts.filter((a) => a.state !== 'resolved');
    expect(open.map((a) => a.signal)).toContain('collapse');
    expect(open[0]!.message).toMatch(/^\d+% of the last 200 completions hit the 1024-token cap \(threshold 30%\)/);
    for (const alert of open) {
      const samples = alert.evidence.samples!;
      expect(samples).toHaveLength(5);
      for (const sample of samples) {
        expect(sample).toMatchObject({ length: 1024, score: 1024, reward: 0, group: expect.any(String) as unknown, response: expect.any(String) as unknown });
        expect(sample.step).toBeLessThanOrEqual(alert.step);
      }
      expect(samples.map((sample) => sample.step)).toEqual(samples.map((sample) => sample.step).sort((x, y) => y - x));
    }
    // Step records carry no samples to cite.
    const steps = await run([record(1, 0.9, 0.5), record(2, 0.9, 0.5)], truncation({ persistence: 1 }));
    expect(steps[0]!.evidence.samples).toBeUndefined();
  });

  it.each<[RewardKind, number]>([
    ['binary', 1],
    ['shaped', 10],
    ['continuous', 0.01],
  ])('raises no warning on a healthy simulated %s run (scale %s), cap inferred or configured', async (rewardKind, rewardScale) => {
    const items = simEvents({ seed: 41, steps: 300, rewardKind, rewardScale });
    expect(warnings(await run(items, truncation<RewardEvent>()))).toEqual([]);
    expect(warnings(await run(items, truncation<RewardEvent>({ maxLength: 1024 })))).toEqual([]);
  });

  it('per sample, calls it a collapse only when the truncated completions themselves earn nothing', async () => {
    // 40% of completions hit the 100-token cap; pass/fail rewards.
    const events = (truncatedPay: number, otherPay: number, seed: number): RewardEvent[] => {
      const random = new Random(seed);
      return Array.from({ length: 3000 }, (_, i) => {
        const capped = i >= 1000 && i % 5 < 2;
        const paid = random.next() < (i < 1000 ? 0.5 : capped ? truncatedPay : otherPay);
        return { step: Math.floor(i / 50), reward: paid ? 1 : 0, length: capped ? 100 : 20 + random.int(60) };
      });
    };
    const signals = async (items: RewardEvent[]): Promise<string[]> => [...new Set((await run(items, truncation<RewardEvent>({ maxLength: 100 }))).map((a) => a.signal))];
    // The cut-off answers score 0 while the rest still earn: the learning signal is there.
    expect(await signals(events(0, 0.6, 1))).toEqual(['info']);
    // Nothing earns, the truncated completions least of all: a collapse.
    const collapsed = await run(events(0, 0.02, 2), truncation<RewardEvent>({ maxLength: 100 }));
    const collapse = collapsed.find((a) => a.signal === 'collapse');
    expect(collapse!.evidence.stats).toMatchObject({ truncatedReward: 0, rewardFloor: 0 });
    expect(collapse!.message).toMatch(/^\d+% of the last 200 completions hit the 100-token cap \(threshold 30%\), reward 0\.0\d+ at its floor 0 \(the truncated ones 0\)$/);
  });

  it('does not infer a cap from identical short answers (mode collapse) shorter than lengths seen before', async () => {
    const items = simEvents({ seed: 9, steps: 120, rewardKind: 'binary', hack: { pattern: 'mode-collapse', atStep: 60 } });
    expect(await run(items, truncation<RewardEvent>())).toEqual([]);
  });
});

checklist<StepRecord, TruncationConfig>('truncation', {
  operator: (config) => truncation(config),
  config: { persistence: 1 },
  items: [record(1, 0.9, 0.5), record(2, 0.9, 0.5), record(3, 0.9, 0.5), record(4, 0.1, 0.5)],
  unsubscribed: { marble: '--a---', values: { a: expect.objectContaining({ state: 'onset', step: 1 }) as unknown } },
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ threshold: 0 }, RangeError, 'truncation threshold'],
    [{ critical: 1.5 }, RangeError, 'truncation critical'],
    [{ persistence: 0 }, RangeError, 'truncation persistence'],
    [{ tolerance: 0.9 }, RangeError, 'truncation tolerance'],
    [{ margin: -1 }, RangeError, 'truncation margin'],
    [{ floorPersistence: 0 }, RangeError, 'truncation floorPersistence'],
    [{ rewardFloor: Number.NaN }, RangeError, 'truncation rewardFloor'],
    [{ window: 0 }, RangeError, 'truncation window'],
    [{ maxLength: -1 }, RangeError, 'truncation maxLength'],
    [{ granularity: 'epoch' as never }, TypeError, 'truncation granularity'],
    [{ metric: '' }, TypeError, 'truncation metric'],
  ],
});
