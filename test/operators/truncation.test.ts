import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { truncation, truncationConditions, type TruncationConfig } from '../../operators/truncation.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
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
      const alerts = source.pipe(truncation({ persistence: 2, minRewards: 2 }), map((a) => `${brief(a)}:${a.signal}`));
      expectObservable(alerts).toBe('-----o-x---|', { o: 'onset@3/3:warning:info', x: 'ongoing@4/3:critical:collapse' });
    });
  });

  it('says what share hit which cap, with the reward beside it', async () => {
    const conditions = await lastValueFrom(from([record(1, 0.42, 0.7), record(2, 0.42, 0.8)]).pipe(truncationConditions({ persistence: 1 }), toArray()));
    expect(conditions[1]).toMatchObject({ active: true, severity: 'warning', signal: 'info', value: 0.42, threshold: 0.3 });
    expect(conditions[1]!.message).toBe('42% of completions hit the length cap (threshold 30%), reward 0.8');
  });

  it('calls the real TRL GRPO collapse (clip ratio ~1, reward 0 from step 160) a collapse', async () => {
    const steps = await realSteps('trl-grpo_qwen35_collapse_step_logs.json');
    const alerts = await run(steps, truncation());
    const collapse = alerts.find((a) => a.signal === 'collapse');
    expect(collapse).toBeDefined();
    expect(collapse!.step).toBe(160);
    expect(collapse!.severity).toBe('critical');
    // Before the collapse, clipping with a healthy reward is context at warning, not a collapse.
    expect(alerts.filter((a) => a.step < 160).every((a) => a.signal === 'info')).toBe(true);
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
    [{ rewardFloor: Number.NaN }, RangeError, 'truncation rewardFloor'],
    [{ window: 0 }, RangeError, 'truncation window'],
    [{ maxLength: -1 }, RangeError, 'truncation maxLength'],
    [{ granularity: 'epoch' as never }, TypeError, 'truncation granularity'],
    [{ metric: '' }, TypeError, 'truncation metric'],
  ],
});
