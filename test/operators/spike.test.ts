import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { spike, spikeConditions, type SpikeConfig } from '../../operators/spike.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import type { RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents, simPolicySteps } from './sim-helpers.js';
import { realSteps, warnings } from './real-steps.js';

const events = (values: readonly number[]): RewardEvent[] => values.map((reward, step) => ({ step, reward }));
const run = <T>(items: readonly T[], op: (s: Observable<T>) => Observable<Alert>): Promise<Alert[]> => lastValueFrom(op(from(items)).pipe(toArray()));


/** KL = 0.1 · shape(t/steps) · e^e_t, e an AR(1) with stationary sd `sd` and lag-1 correlation `phi`: multiplicative, autocorrelated noise. */
const SHAPES: Record<string, (u: number) => number> = { quad: (u) => u * u, lin: (u) => u, sat: (u) => 1 - Math.exp(-u / 0.3), sqrt: (u) => Math.sqrt(u) };
function risingKl(shape: string, sd: number, phi: number, seed: number, steps = 300): number[] {
  const rng = new Random(seed);
  let e = 0;
  return Array.from({ length: steps }, (_, i) => {
    e = phi * e + rng.normal() * sd * Math.sqrt(1 - phi * phi);
    return 0.1 * SHAPES[shape]!((i + 1) / steps) * Math.exp(e);
  });
}
const klRecords = (values: readonly number[]): StepRecord[] => values.map((kl, i) => ({ step: i + 1, metrics: { kl } }));
/** The step pipeline's KL spike: log scale, resistant line. */
const KL_SPIKE = { metric: 'kl', direction: 'up', scale: 'log', baseline: 'line' } as const;

describe('spike', () => {
  it('should open an episode at the second of three extreme values (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = [1, 1.1, 0.9, 1.05, 0.95, 1.02, 0.98, 1.01, 10, 10, 10, 1];
      const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'X', 'Y', 'Z', 'i'];
      const items = Object.fromEntries(letters.map((letter, i) => [letter, { step: i + 1, reward: values[i]! }]));
      const source = cold('-a-b-c-d-e-f-g-h-X-Y-Z-i-|', items);
      expectObservable(source.pipe(spike({ warmup: 5, span: 3, hits: 2 }), map(brief))).toBe('-------------------o-----|', { o: 'onset@10/10:warning' });
    });
  });

  it('flags a burst that a mean/sd z-score over a window including it can never flag', async () => {
    const rng = new Random(11);
    const values = Array.from({ length: 400 }, (_, i) => (i >= 300 && i < 305 ? 50 : rng.normal()));
    // Incumbent: z = (x - mean) / sd over the last 10 values including x, alert at |z| > 3. With the
    // point in its own window |z| <= (n - 1) / sqrt(n) = 2.85 at n = 10 (Shiffler 1988): it never fires.
    const incumbentFlags = values.filter((x, i) => {
      const last = values.slice(Math.max(0, i - 9), i + 1);
      if (last.length < 10) return false;
      const m = last.reduce((a, b) => a + b, 0) / last.length;
      const sd = Math.sqrt(last.reduce((a, b) => a + (b - m) ** 2, 0) / (last.length - 1));
      return Math.abs(x - m) / sd > 3;
    });
    expect(incumbentFlags).toEqual([]);
    const alerts = await run(events(values), spike({ granularity: 'step' }));
    const onsets = alerts.filter((a) => a.state === 'onset');
    expect(onsets).toHaveLength(1);
    expect(onsets[0]).toMatchObject({ step: 302, severity: 'warning', signal: 'instability' });
    expect(onsets[0]!.message).toContain('3 of the last 5 values beyond 3.5 robust sd');
  });

  it('does not alert on single harmless spikes (open-r1-multimodal#16)', async () => {
    const rng = new Random(12);
    const values = Array.from({ length: 3000 }, (_, i) => (i % 400 === 399 ? 40 : 0.3 + 0.05 * rng.normal()));
    const conditions = await lastValueFrom(from(events(values)).pipe(spikeConditions({ granularity: 'step' }), toArray()));
    expect(conditions.some((c) => c.evidence.stats['extremeInSpan'] === 1)).toBe(true);
    expect(conditions.filter((c) => c.active)).toEqual([]);
  });

  it('does not call the rare successes of a binary reward spikes (MAD 0)', async () => {
    const rng = new Random(13);
    const values = Array.from({ length: 20_000 }, () => (rng.chance(0.03) ? 1 : 0));
    expect(await run(events(values), spike())).toEqual([]);
  });

  it('does not call the rise of a series out of an all-zero start a spike, and still flags a later burst', async () => {
    // KL is exactly 0 until the policy first moves, then rises slowly: the zeros are no yardstick.
    for (const zeros of [10, 15, 30]) {
      const rng = new Random(zeros);
      let kl = 0;
      const steps: StepRecord[] = Array.from({ length: 200 }, (_, step) => {
        if (step >= zeros) kl += 0.0006 * (1 + 0.3 * rng.normal());
        return { step, metrics: { kl } };
      });
      expect(warnings(await run(steps, spike<StepRecord>({ metric: 'kl', direction: 'up' })))).toEqual([]);
    }
    // 500 zero rewards, then N(0, 0.1): the series varies from then on; a burst of 5 at +50 sd still counts.
    const rng = new Random(16);
    const values = [...Array<number>(500).fill(0), ...Array.from({ length: 2000 }, () => 0.1 * rng.normal())];
    expect(await run(events(values), spike())).toEqual([]);
    const burst = values.map((x, i) => (i >= 1500 && i < 1505 ? 5 : x));
    expect((await run(events(burst), spike())).filter((a) => a.state === 'onset').map((a) => a.step)).toEqual([1502]);
  });

  it('does not call one rounding step of a KL logged with 3 decimals a spike, and still flags a real one', async () => {
    // verl prints KL as 0.001, 0.002...: a healthy KL creeping up reads 0.000 for 9 steps, 0.001
    // for 24, then wavers into 0.002 for good (the start of a tester's generated healthy verl log).
    // Against the std of the mostly-0.001 window (0.00022, MAD 0) each 0.002 was 4.5 sds, a warning
    // on half of such runs; one rounding step is no evidence that the KL moved at all.
    const start = [...Array<number>(9).fill(0), ...Array<number>(24).fill(0.001), 0.002, 0.002, 0.001, 0.002, 0.002, 0.001, 0.001];
    const kl = [...start, ...Array<number>(160 - start.length).fill(0.002)];
    const records = (values: readonly number[]): StepRecord[] => values.map((value, step) => ({ step, metrics: { kl: value } }));
    expect(warnings(await run(records(kl), spike<StepRecord>({ metric: 'kl', direction: 'up' })))).toEqual([]);
    // Ten rounding steps are a spike.
    const burst = kl.map((value, i) => (i >= 150 && i < 154 ? 0.012 : value));
    const alerts = await run(records([...kl.slice(0, 100), 0.001, 0.003, ...burst.slice(102)]), spike<StepRecord>({ metric: 'kl', direction: 'up' }));
    const onsets = alerts.filter((a) => a.state === 'onset');
    expect(onsets).toHaveLength(1);
    expect(onsets[0]!.step).toBe(152);
    expect(onsets[0]!.message).toMatch(/latest 0\.012, z 10\) of its baseline median 0\.002 \(scale 0\.001, the step its values move by/);
  });

  it('judges a KL rising as t² on the log scale against a line through its baseline, not its stale median', async () => {
    // Noise-free KL = 0.1 (t/300)²: the median of the 50 values ending 5 back lags ~30 steps, so
    // every new value sits many robust sd above it: the plain rule warns on a perfectly smooth rise.
    const kl = klRecords(risingKl('quad', 0, 0, 0));
    expect(warnings(await run(kl, spike<StepRecord>({ metric: 'kl', direction: 'up' }))).length).toBeGreaterThan(0);
    expect(warnings(await run(kl, spike<StepRecord>(KL_SPIKE)))).toEqual([]);
  });

  it('stays quiet on KL rises with multiplicative AR(1) noise, where the median rule warns on most', async () => {
    let medianRuleWarned = 0;
    for (const shape of Object.keys(SHAPES)) {
      for (let seed = 0; seed < 8; seed++) {
        const kl = klRecords(risingKl(shape, 0.1, 0.8, seed));
        if (warnings(await run(kl, spike<StepRecord>({ metric: 'kl', direction: 'up' }))).length > 0) medianRuleWarned++;
        expect(warnings(await run(kl, spike<StepRecord>(KL_SPIKE)))).toEqual([]);
      }
    }
    expect(medianRuleWarned).toBeGreaterThanOrEqual(10);
  });

  it('still catches a planted 4x KL jump lasting 6 steps within 2 steps of its start', async () => {
    for (const shape of Object.keys(SHAPES)) {
      for (let seed = 0; seed < 8; seed++) {
        const kl = risingKl(shape, 0.1, 0.8, seed).map((x, i) => (i >= 199 && i < 205 ? 4 * x : x));
        const onset = (await run(klRecords(kl), spike<StepRecord>(KL_SPIKE))).find((a) => a.state === 'onset');
        expect(onset).toMatchObject({ severity: 'warning', signal: 'instability' });
        expect(onset!.step - 200).toBeLessThanOrEqual(2);
        expect(onset!.message).toMatch(/of the line through its baseline, expected [0-9.]+ .*x[0-9.]+ \(log scale\)/);
      }
    }
  });

  it('on the log scale counts KL values <= 0 as missing, and a rounding step of a 3-decimal KL is no spike', async () => {
    // verl's 3-decimal KL: 0.000 (no logarithm) for 9 steps, then 0.001 and 0.002 (log 2 apart).
    const start = [...Array<number>(9).fill(0), ...Array<number>(24).fill(0.001), 0.002, 0.002, 0.001, 0.002, 0.002, 0.001, 0.001];
    const kl = [...start, ...Array<number>(160 - start.length).fill(0.002)];
    expect(warnings(await run(klRecords(kl), spike<StepRecord>(KL_SPIKE)))).toEqual([]);
    const conditions = await lastValueFrom(from(klRecords([...kl, -0.0001])).pipe(spikeConditions<StepRecord>(KL_SPIKE), toArray()));
    expect(conditions.at(-1)!.evidence.stats).toMatchObject({ nonPositive: 9, logScale: 1 });
    // Six rounding steps up for 4 steps (0.002 -> 0.012) are a spike (a wobble keeps the window from being constant).
    const burst = kl.map((value, i) => (i >= 150 && i < 154 ? 0.012 : value));
    const alerts = await run(klRecords([...kl.slice(0, 100), 0.001, 0.003, ...burst.slice(102)]), spike<StepRecord>(KL_SPIKE));
    expect(alerts.filter((a) => a.state === 'onset').map((a) => a.step)).toEqual([153]);
  });

  it('on the log scale with a line stays quiet on the real healthy verl PPO KL and flags the simulated KL blow-up', async () => {
    const steps = await realSteps('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    expect(warnings(await run(steps, spike<StepRecord>(KL_SPIKE)))).toEqual([]);
    const blowup = simPolicySteps({ seed: 15, steps: 120, hack: { pattern: 'kl-blowup', atStep: 90 } });
    const onset = (await run(blowup, spike<StepRecord>(KL_SPIKE))).find((a) => a.state === 'onset');
    expect(onset!.step - 90).toBeLessThanOrEqual(5);
  });

  it('watches only the configured side', async () => {
    const rng = new Random(14);
    const values = Array.from({ length: 200 }, (_, i) => (i >= 150 && i < 155 ? -50 : rng.normal()));
    expect(await run(events(values), spike({ granularity: 'step', direction: 'up' }))).toEqual([]);
    expect((await run(events(values), spike({ granularity: 'step', direction: 'down' }))).length).toBeGreaterThan(0);
  });

  it('flags the simulated KL blow-up within a few steps', async () => {
    const steps = simPolicySteps({ seed: 15, steps: 120, hack: { pattern: 'kl-blowup', atStep: 90 } });
    const onset = (await run(steps, spike<StepRecord>({ metric: 'kl', direction: 'up' }))).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ signal: 'instability', severity: 'warning' });
    expect(onset!.step - 90).toBeLessThanOrEqual(5);
  });

  it('flags the entropy blow-up of the real TRL collapse log at steps 150-170', async () => {
    const steps = await realSteps('trl-grpo_qwen35_collapse_step_logs.json');
    const onsets = (await run(steps, spike<StepRecord>({ metric: 'entropy' }))).filter((a) => a.state === 'onset');
    expect(onsets).toHaveLength(1);
    expect(onsets[0]!.step).toBeGreaterThanOrEqual(155);
    expect(onsets[0]!.step).toBeLessThanOrEqual(170);
  });

  it.each(['kl', 'entropy', 'reward/mean', 'length/mean', 'grad_norm'])('raises no warning on %s of the real healthy verl PPO log', async (metric) => {
    const steps = await realSteps('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    expect(warnings(await run(steps, spike<StepRecord>({ metric })))).toEqual([]);
  });

  it.each<[RewardKind, number]>([
    ['binary', 1],
    ['shaped', 10],
    ['continuous', 0.01],
  ])('raises no warning on a healthy simulated %s run (scale %s): rewards, KL, entropy, grad norm', async (rewardKind, rewardScale) => {
    const config = { seed: 31, steps: 300, rewardKind, rewardScale };
    expect(warnings(await run(simEvents(config), spike()))).toEqual([]);
    const steps = simPolicySteps(config);
    for (const metric of ['kl', 'entropy', 'grad_norm', 'loss']) expect(warnings(await run(steps, spike<StepRecord>({ metric })))).toEqual([]);
  });
});

checklist<RewardEvent, SpikeConfig>('spike', {
  operator: (config) => spike(config),
  config: { warmup: 3, span: 1, hits: 1 },
  items: events([1, 2, 1.5, 1.2, 1.7, 1.1, 100, 1, 1]),
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ window: 2 }, RangeError, 'spike window'],
    [{ warmup: 0 }, RangeError, 'spike warmup'],
    [{ z: 0 }, RangeError, 'spike z'],
    [{ hits: 4, span: 3 }, RangeError, 'spike hits'],
    [{ span: 0 }, RangeError, 'spike span'],
    [{ maxTailShare: 2 }, RangeError, 'spike maxTailShare'],
    [{ minRelative: -1 }, RangeError, 'spike minRelative'],
    [{ direction: 'sideways' as never }, TypeError, 'spike direction'],
    [{ severity: 'fatal' as never }, TypeError, 'spike severity'],
    [{ granularity: 'epoch' as never }, TypeError, 'spike granularity'],
    [{ scale: 'ln' as never }, TypeError, 'spike scale'],
    [{ baseline: 'mean' as never }, TypeError, 'spike baseline'],
  ],
});
