import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { spike } from '../../operators/spike.js';
import { trend, trendConditions, type TrendConfig } from '../../operators/trend.js';
import type { Alert, StepRecord } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simPolicySteps } from './sim-helpers.js';
import { realSteps, warnings } from './real-steps.js';

const records = (metric: string, values: readonly number[]): StepRecord[] => values.map((value, i) => ({ step: i + 1, metrics: { [metric]: value } }));
const run = (items: readonly StepRecord[], op: (s: Observable<StepRecord>) => Observable<Alert>): Promise<Alert[]> =>
  lastValueFrom(op(from(items)).pipe(toArray()));
const onsets = (alerts: readonly Alert[]) => alerts.filter((a) => a.state === 'onset');

const SMOOTH = [1, 1.1, 1.15, 1.3, 1.35, 1.5, 1.55, 1.7, 1.75, 1.9, 1.95, 2.1];

describe('trend', () => {
  it('should open an episode at the second run-away change (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'X', 'Y', 'Z'];
      const items = records('kl', [...SMOOTH, 6.3, 18.9, 56.7]);
      const values = Object.fromEntries(letters.map((letter, i) => [letter, items[i]!]));
      const source = cold('-a-b-c-d-e-f-g-h-i-j-k-l-X-Y-Z-|', values);
      expectObservable(source.pipe(trend({ minChanges: 5, lag: 1 }), map(brief))).toBe('---------------------------o---|', { o: 'onset@14/14:warning' });
    });
  });

  it('ignores a one-step jump of the same size (persistence) and a slow drift (relative floor)', async () => {
    const blip = await run(records('kl', [...SMOOTH, 6.3, 2.2, 2.3]), trend({ minChanges: 5, lag: 1 }));
    expect(blip).toEqual([]);
    // A noiseless-looking drift is statistically unusual against tiny changes but moves < 50%.
    const drift = await lastValueFrom(from(records('kl', [...SMOOTH, 2.6, 3.1, 3.6])).pipe(trendConditions({ minChanges: 5, lag: 1 }), toArray()));
    expect(drift.at(-1)!.evidence.stats['z']).toBeGreaterThan(4);
    expect(drift.some((c) => c.active)).toBe(false);
  });

  it('stays quiet on the real healthy verl PPO log (KL 0 -> 0.126, entropy 0.42 -> 0.15, the step-73 KL blip)', async () => {
    const steps = await realSteps('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    for (const metric of ['kl', 'entropy', 'length/mean', 'reward/mean', 'grad_norm']) {
      expect(await run(steps, trend({ metric }))).toEqual([]);
    }
    const kl = await lastValueFrom(from(steps).pipe(trendConditions({ metric: 'kl' }), toArray()));
    const blip = kl.find((c) => c.step === 73)!;
    expect(blip.evidence.stats['z']).toBeGreaterThan(4); // unusual, but +23% and for one step
    expect(blip.evidence.stats['relative']).toBeCloseTo((0.128 - 0.104) / 0.104, 2);
    expect(blip.active).toBe(false);
  });

  it('fires on the entropy blow-up of the real TRL GRPO collapse log at step 160', async () => {
    const steps = await realSteps('trl-grpo_qwen35_collapse_step_logs.json');
    const alerts = await run(steps, trend({ metric: 'entropy' }));
    expect(onsets(alerts).map((a) => a.step)).toContain(160);
    expect(alerts.every((a) => a.signal === 'instability')).toBe(true);
  });

  it('fires on the sudden length creep of the real verl GPG log (205 -> 414 tokens in 3 steps)', async () => {
    const steps = await realSteps('verl-gpg_qwen2-7b_math_length_explosion.log');
    const first = onsets(await run(steps, trend({ metric: 'length/mean', direction: 'up' })));
    expect(first.map((a) => a.step)).toEqual([158]);
  });

  it.each([
    ['kl-blowup', 'kl'],
    ['entropy-blowup', 'entropy'],
  ] as const)('fires within 2 steps of the simulated %s on %s', async (pattern, metric) => {
    const steps = simPolicySteps({ seed: 7, steps: 120, hack: { pattern, atStep: 90 } });
    const first = onsets(await run(steps, trend({ metric, direction: 'up' })))[0];
    expect(first).toMatchObject({ severity: 'warning', signal: 'instability' });
    expect(first!.step - 90).toBeLessThanOrEqual(2);
  });

  it('stays quiet when KL is exactly 0 for the first steps and then rises slowly', async () => {
    // The 0-changes of the zeros are no yardstick: against them the first changes of the rise were
    // tens of sds out (a MAD of 0, the std of a few small changes among the zeros).
    for (const zeros of [10, 12, 25]) {
      const rng = new Random(zeros);
      let kl = 0;
      const values = Array.from({ length: 200 }, (_, step) => {
        if (step >= zeros) kl += 0.0006 * (1 + 0.3 * rng.normal());
        return kl;
      });
      expect(await run(records('kl', values), trend({ metric: 'kl', direction: 'up' }))).toEqual([]);
    }
  });

  it('leaves a steady KL compounding under the relative floor (x1.05 per step, +16% over 3 steps) to spike', async () => {
    const rng = new Random(3);
    const values = Array.from({ length: 160 }, (_, i) => (i < 100 ? 0.01 + 0.0001 * i : 0.02 * 1.05 ** (i - 100)) * (1 + 0.05 * rng.normal()));
    expect(await run(records('kl', values), trend({ metric: 'kl', direction: 'up' }))).toEqual([]);
    const caught = onsets(await run(records('kl', values), spike<StepRecord>({ metric: 'kl', direction: 'up' })));
    expect(caught[0]!.step - 101).toBeLessThanOrEqual(10);
  });

  it('on the log scale stays quiet on KL rises with multiplicative noise and still catches a KL doubling every step', async () => {
    // KL = 0.1 · shape(t/300) · e^e_t, e AR(1) (sd 0.1 or 0.3, lag-1 correlation 0.8 or 0.5): absolute
    // 3-step changes grow with the level, so the changes of a higher KL look unusual against past ones.
    const shapes = [(u: number) => u * u, (u: number) => u, (u: number) => 1 - Math.exp(-u / 0.3)];
    let linearWarned = 0;
    for (const [sd, phi] of [[0.1, 0.8], [0.3, 0.5]] as const) {
      for (const shape of shapes) {
        for (let seed = 0; seed < 6; seed++) {
          const rng = new Random(seed);
          let e = 0;
          const kl = Array.from({ length: 300 }, (_, i) => {
            e = phi * e + rng.normal() * sd * Math.sqrt(1 - phi * phi);
            return 0.1 * shape((i + 1) / 300) * Math.exp(e);
          });
          if ((await run(records('kl', kl), trend({ metric: 'kl', direction: 'up' }))).length > 0) linearWarned++;
          expect(await run(records('kl', kl), trend({ metric: 'kl', direction: 'up', scale: 'log' }))).toEqual([]);
          if (sd > 0.1) continue;
          // x2 per step from step 200 on: at noise sd 0.1 caught within 2 steps of the change's first full lag.
          const blowup = kl.slice(0, 215).map((x, i) => (i >= 199 ? x * 2 ** (i - 198) : x));
          const onset = onsets(await run(records('kl', blowup), trend({ metric: 'kl', direction: 'up', scale: 'log' })))[0];
          expect(onset!.step - 200).toBeLessThanOrEqual(2);
        }
      }
    }
    expect(linearWarned).toBeGreaterThanOrEqual(10);
  });

  it('watches only the configured direction', async () => {
    const falling = records('entropy', [...SMOOTH].reverse().concat([0.3, 0.05, 0.01]));
    expect(await run(falling, trend({ metric: 'entropy', minChanges: 5, lag: 1, direction: 'up' }))).toEqual([]);
    expect(onsets(await run(falling, trend({ metric: 'entropy', minChanges: 5, lag: 1, direction: 'down' })))).toHaveLength(1);
  });

  it.each([1, 2, 3, 4, 5, 6])('raises no warning on the policy metrics of a healthy simulated run (seed %i)', async (seed) => {
    const steps = simPolicySteps({ seed, steps: 400 });
    for (const metric of ['kl', 'entropy', 'grad_norm']) expect(warnings(await run(steps, trend({ metric })))).toEqual([]);
  });
});

checklist<StepRecord, TrendConfig>('trend', {
  operator: (config) => trend(config),
  config: { minChanges: 5, lag: 1 },
  items: records('kl', [...SMOOTH, 6.3, 18.9, 56.7]),
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ lag: 0 }, RangeError, 'trend lag'],
    [{ window: 2 }, RangeError, 'trend window'],
    [{ minChanges: 2 }, RangeError, 'trend minChanges'],
    [{ z: -1 }, RangeError, 'trend z'],
    [{ minRelative: Number.NaN }, RangeError, 'trend minRelative'],
    [{ persistence: 0 }, RangeError, 'trend persistence'],
    [{ direction: 'sideways' as never }, TypeError, 'trend direction'],
    [{ severity: 'fatal' as never }, TypeError, 'trend severity'],
    [{ scale: 'ln' as never }, TypeError, 'trend scale'],
  ],
});
