import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { heldOutDivergence, heldOutDivergenceConditions, type HeldOutDivergenceConfig } from '../../operators/held-out-divergence.js';
import { stepDetectors } from '../../operators/step-detectors.js';
import type { Condition } from '../../src/core/condition.js';
import type { Alert, StepRecord } from '../../src/core/types.js';
import { judge } from '../../src/core/verdict.js';
import { evaluationNoise, heldOutValues } from '../../src/detectors/held-out-divergence.js';
import { Random } from '../../src/sim/random.js';
import { fromFile } from '../../src/sources/from-file.js';
import { brief, testScheduler } from './fixtures.js';
import { realSteps } from './real-steps.js';

const train = (step: number, reward: number): StepRecord => ({ step, metrics: { 'reward/mean': reward } });
const evaluation = (step: number, reward: number): StepRecord => ({ step, phase: 'eval', metrics: { 'reward/mean': reward } });

const conditionsOf = (records: readonly StepRecord[], config: HeldOutDivergenceConfig = {}): Promise<Condition[]> =>
  lastValueFrom(from(records).pipe(heldOutDivergenceConditions(config), toArray()));
const alertsOf = (records: readonly StepRecord[], config: HeldOutDivergenceConfig = {}): Promise<Alert[]> =>
  lastValueFrom(from(records).pipe(heldOutDivergence(config), toArray()));

/**
 * A run of `steps` steps: the training reward follows `trainAt(step)` with batch noise sd 0.03,
 * and every `every` steps an evaluation on `evalSize` held-out prompts scores a binary reward with
 * success probability `evalAt(step)` (its noise is the binomial one).
 */
function run(
  seed: number,
  options: {
    steps: number;
    every: number;
    evalSize: number;
    trainAt: (step: number) => number;
    evalAt: (step: number) => number;
    /** Training rows every this many steps (a trainer's logging interval). Default 1. */
    trainEvery?: number;
    /** Batch noise sd of the training reward. Default 0.03. */
    trainNoise?: number;
  },
): StepRecord[] {
  const random = new Random(seed);
  const records: StepRecord[] = [];
  const { trainEvery = 1, trainNoise = 0.03 } = options;
  for (let step = 1; step <= options.steps; step++) {
    const reward = options.trainAt(step) + trainNoise * random.normal();
    if (step % trainEvery === 0) records.push(train(step, reward));
    if (step % options.every === 0) {
      const p = options.evalAt(step);
      let correct = 0;
      for (let prompt = 0; prompt < options.evalSize; prompt++) if (random.next() < p) correct++;
      records.push(evaluation(step, correct / options.evalSize));
    }
  }
  return records;
}

const learning = (step: number): number => 0.3 + 0.5 * (1 - Math.exp(-step / 150));
/** Held-out accuracy that learns to `level` by step 240, then falls by `drop` over `over` steps. */
const fallAfter240 = (level: number, drop: number, over: number) => (step: number): number =>
  step <= 240 ? 0.3 + (level - 0.3) * (1 - Math.exp(-step / 100)) : level - drop * Math.min(1, (step - 240) / over);

describe('heldOutDivergence', () => {
  it('opens an exploit warning at the third low evaluation, judged when the next step arrives, while the training reward rises (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // verl-style records: each step's line carries the training reward and a validation score.
      // Ten evaluations at 0.62 ± 0.01, then three at 0.50 while the training reward goes 0.5 -> 0.7.
      const held = [0.62, 0.61, 0.63, 0.62, 0.61, 0.62, 0.63, 0.61, 0.62, 0.63, 0.5, 0.49, 0.5];
      const values: Record<string, StepRecord> = {};
      held.forEach((value, index) => {
        const reward = (index < 10 ? 0.5 : 0.7) + (index % 2 === 0 ? 0.01 : -0.01);
        values[String.fromCharCode(97 + index)] = { step: index + 1, metrics: { 'reward/mean': reward, 'eval/reward/mean': value } };
      });
      values.n = train(14, 0.7);
      const alerts = cold('-a-b-c-d-e-f-g-h-i-j-k-l-m-n-|', values).pipe(heldOutDivergence(), map((a) => `${brief(a)}:${a.signal}`));
      expectObservable(alerts).toBe('---------------------------w-|', { w: 'onset@13/13:warning:exploit' });
      // Without a later step, the last step is judged when the source completes.
      const ended = cold('-a-b-c-d-e-f-g-h-i-j-k-l-m-|', values).pipe(heldOutDivergence(), map((a) => `${brief(a)}:${a.signal}`));
      expectObservable(ended).toBe('---------------------------(w|)', { w: 'onset@13/13:warning:exploit' });
    });
  });

  it('calls overfitting exploit: held-out accuracy falls from 0.62 to 0.45 while the training reward keeps rising', async () => {
    // 500-prompt evaluations every 10 steps (sd ~0.022); the fall takes 30 steps.
    const records = run(1, { steps: 400, every: 10, evalSize: 500, trainAt: learning, evalAt: fallAfter240(0.62, 0.17, 30) });
    const alerts = await alertsOf(records);
    const onset = alerts.find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ detector: 'heldOutDivergence', metric: 'eval/reward', severity: 'warning', signal: 'exploit' });
    expect(onset!.step).toBeGreaterThan(240);
    expect(onset!.step).toBeLessThanOrEqual(300);
    expect(onset!.message).toMatch(/^held-out eval\/reward\/mean fell 0\.\d+ -> 0\.\d+: each of the last 3 evaluations/);
    expect(onset!.message).toMatch(/the training reward (rose|held) .*: the policy gains on its training reward and loses on held-out data \(a gap of 0\.\d+, z \d/);
    expect(onset!.evidence.stats.gapZ).toBeGreaterThanOrEqual(3);
    expect(onset!.evidence.stats).toMatchObject({ evaluations: expect.any(Number) as unknown, trainT: expect.any(Number) as unknown });
    expect(onset!.evidence.stats.drop).toBeGreaterThan(0.06);
  });

  it('finds a slow fall against its longer window once the short reference has slid into it', async () => {
    // Evaluations every 20 steps, 0.6 -> 0.45 over 60 steps: by the time 3 low evaluations exist,
    // the 5 before them are falling too; the last 6 against the 10 before them show it.
    const records = run(1000, { steps: 500, every: 20, evalSize: 500, trainAt: learning, evalAt: fallAfter240(0.6, 0.15, 60) });
    const onset = (await alertsOf(records)).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ step: 380, signal: 'exploit' });
    expect(onset!.message).toContain('each of the last 6 evaluations (since step 280) below the median of the 10 before');
  });

  it('judges a step alike whether its evaluation row comes before or after its training row', async () => {
    const records = run(4, {
      steps: 300,
      every: 10,
      evalSize: 500,
      trainAt: learning,
      evalAt: (step) => (step <= 200 ? 0.6 : 0.42),
    });
    const swapped = [...records];
    for (let index = 1; index < swapped.length; index++) {
      if (swapped[index]!.phase === 'eval') [swapped[index - 1], swapped[index]] = [swapped[index]!, swapped[index - 1]!];
    }
    expect(swapped).not.toEqual(records);
    const conditions = await conditionsOf(records);
    expect(conditions.some((c) => c.active && c.signal === 'exploit')).toBe(true);
    expect(await conditionsOf(swapped)).toEqual(conditions);
  });

  it('calls a fall of both rewards context (info), not an exploit', async () => {
    const records = run(2, {
      steps: 400,
      every: 20,
      evalSize: 500,
      trainAt: (step) => (step <= 240 ? learning(step) : learning(240) - 0.3 * Math.min(1, (step - 240) / 60)),
      evalAt: (step) => (step <= 240 ? 0.6 : 0.6 - 0.2 * Math.min(1, (step - 240) / 60)),
    });
    const onset = (await alertsOf(records)).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ signal: 'info', severity: 'info' });
    expect(onset!.message).toContain('the training reward fell');
    expect(onset!.message).not.toContain('loses on held-out data');
    // Without a training reward to compare, the same fall is a warning.
    const heldOutOnly = records.filter((record) => record.phase === 'eval');
    expect((await alertsOf(heldOutOnly)).find((a) => a.state === 'onset')).toMatchObject({ signal: 'instability', severity: 'warning' });
  });

  it('calls no gap where a sparse, noisy training reward may have fallen as far as the held-out one', async () => {
    // Both rewards fall 0.2 at step 240 (harder data in both, as a curriculum stage); the training
    // reward is logged every 10 steps with the noise of a small batch, so its fall is uncertain.
    const signals: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const fall = (step: number): number => (step <= 240 ? 0 : 0.2 * Math.min(1, (step - 240) / 20));
      const records = run(seed, {
        steps: 320,
        every: 10,
        evalSize: 500,
        trainEvery: 10,
        trainNoise: 0.12,
        trainAt: (step) => 0.6 - fall(step),
        evalAt: (step) => 0.6 - fall(step),
      });
      for (const alert of await alertsOf(records)) if (alert.state === 'onset') signals.push(alert.signal);
    }
    // The fall is found (as context or a warning), never as the policy gaining where it loses.
    expect(signals.length).toBeGreaterThan(10);
    expect(signals).not.toContain('exploit');
    expect(signals).toContain('instability');
  });

  it('stays quiet on healthy runs: 300 seeds of held-out accuracy that rises, plateaus or dips by one bad evaluation', async () => {
    let active = 0;
    let judged = 0;
    for (let seed = 0; seed < 300; seed++) {
      const shape = seed % 3;
      const records = run(100 + seed, {
        steps: 500,
        every: 10,
        // Small evaluation sets are the noisy case: 200 prompts give sd ~0.035 at 0.6.
        evalSize: 200,
        trainAt: learning,
        evalAt: (step) => (shape === 0 ? 0.3 + 0.3 * (1 - Math.exp(-step / 150)) : shape === 1 ? 0.6 : step === 250 ? 0.4 : 0.55),
      });
      const conditions = await conditionsOf(records);
      judged += conditions.length;
      active += conditions.filter((c) => c.active).length;
    }
    expect(judged).toBeGreaterThan(10_000);
    expect(active).toBe(0);
  });

  it('judges each data source on its own and reports the one that fell (verl: validation in the step line)', async () => {
    const random = new Random(7);
    const records: StepRecord[] = [];
    for (let step = 1; step <= 200; step++) {
      const metrics: Record<string, number> = { 'reward/mean': 0.5 + step / 1000 + 0.02 * random.normal() };
      if (step % 10 === 0) {
        metrics['eval/source/gsm8k/reward/mean@1'] = 0.8 + 0.01 * random.normal();
        metrics['eval/source/math/reward/mean@1'] = (step <= 120 ? 0.5 : 0.35) + 0.01 * random.normal();
        // Majority-vote and best-of variants move with the vote, not the policy: not watched.
        metrics['eval/source/math/reward/maj@4/mean'] = 0.1;
      }
      records.push({ step, metrics });
    }
    const onset = (await alertsOf(records)).find((a) => a.state === 'onset');
    expect(onset).toMatchObject({ signal: 'exploit' });
    // The second or third low evaluation (each recent one must sit a noise sd below the reference).
    expect([140, 150]).toContain(onset!.step);
    expect(onset!.message).toMatch(/^held-out eval\/source\/math\/reward\/mean@1 fell 0\.5\d* -> 0\.3/);
    expect(heldOutValues(records[9]!).map(([name]) => name)).toEqual(['eval/source/gsm8k/reward/mean@1', 'eval/source/math/reward/mean@1']);
    // Older verl logs name it `val/test_score/<source>`: the same series without @N.
    expect(heldOutValues({ step: 1, phase: 'eval', metrics: { 'source/gsm8k/reward/mean': 0.5, 'source/gsm8k/acc/best@4/mean': 0.9 } })).toEqual([
      ['eval/source/gsm8k/reward/mean', 0.5],
    ]);
  });

  it('measures the evaluation noise from successive differences, robust to a trend and to one outlier', () => {
    // Alternating 0.50/0.52: differences ±0.02 about their median 0, so the sd is 0.02 / sqrt 2.
    const steady = [0.5, 0.52, 0.5, 0.52, 0.5, 0.52, 0.5];
    expect(evaluationNoise(steady)).toEqual({ sd: expect.closeTo(0.02 / Math.SQRT2, 9) as unknown, differences: 6 });
    // A linear trend shifts every difference alike: the same noise.
    expect(evaluationNoise(steady.map((value, index) => value + 0.01 * index)).sd).toBeCloseTo(0.02 / Math.SQRT2, 9);
    // An outlier's two differences (±0.31) are winsorized at 3 robust sd (3 * 1.4826 * MAD 0.02).
    const outlier = evaluationNoise([...steady.slice(0, 4), 0.2, ...steady.slice(5)]).sd;
    expect(outlier).toBeGreaterThan(0.02 / Math.SQRT2);
    expect(outlier).toBeLessThan(0.05);
    expect(evaluationNoise([0.5, 0.5, 0.5])).toEqual({ sd: 0, differences: 2 });
  });

  it('stays quiet on the real verl GPG log, whose MATH validation swings 0.39-0.54 every 5 steps', async () => {
    const conditions = await conditionsOf(await realSteps('verl-gpg_qwen2-7b_math_length_explosion.log'));
    // Both data sources are judged from their sixth evaluation on (step 25), 37 records.
    expect(conditions.length).toBe(38);
    expect(conditions.some((c) => c.message.includes('MATH-lighteval')) && conditions.some((c) => c.message.includes('gsm8k'))).toBe(true);
    expect(conditions.filter((c) => c.active)).toEqual([]);
  });

  it('reads TRL eval rows from trainer_state.json, and the step pipeline calls the run hacking', async () => {
    const random = new Random(3);
    const history: Record<string, number>[] = [];
    for (let step = 1; step <= 300; step++) {
      history.push({ step, epoch: step / 300, loss: 0.01, reward: learning(step) + 0.03 * random.normal(), reward_std: 0.3, learning_rate: 1e-6 });
      if (step % 25 === 0) history.push({ step, epoch: step / 300, eval_loss: 0.02, eval_reward: (step <= 175 ? 0.6 : 0.42) + 0.01 * random.normal() });
    }
    const dir = mkdtempSync(join(tmpdir(), 'goodhart-heldout-'));
    const file = join(dir, 'trainer_state.json');
    writeFileSync(file, JSON.stringify({ global_step: 300, logging_steps: 1, eval_steps: 25, log_history: history }));
    const records = await lastValueFrom(
      fromFile(file).pipe(
        filter((item) => item.kind === 'step'),
        map((item) => (item as { readonly record: StepRecord }).record),
        toArray(),
      ),
    ).finally(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    expect(records.filter((r) => r.phase === 'eval')).toHaveLength(12);
    const alerts = await lastValueFrom(from(records).pipe(stepDetectors(), toArray()));
    const held = alerts.find((a) => a.detector === 'heldOutDivergence' && a.state === 'onset');
    expect(held).toMatchObject({ step: 250, signal: 'exploit', metric: 'eval/reward' });
    const verdict = judge(alerts);
    expect(verdict.status).toBe('hacking');
    expect(verdict.reasons.map((r) => r.detector)).toContain('heldOutDivergence');
    // Evaluation rows reach no other detector: switching this one off leaves no alert at their steps from the eval values.
    const without = await lastValueFrom(from(records).pipe(stepDetectors({ heldOutDivergence: false }), toArray()));
    expect(without.some((a) => a.detector === 'heldOutDivergence')).toBe(false);
  });

  it('validates its config at call time', () => {
    expect(() => heldOutDivergenceConditions({ recent: 0 })).toThrow(RangeError);
    expect(() => heldOutDivergenceConditions({ reference: 2 })).toThrow(/reference must be an integer >= 3/);
    expect(() => heldOutDivergenceConditions({ z: -1 })).toThrow(RangeError);
    expect(() => heldOutDivergenceConditions({ minDrop: 1 })).toThrow(RangeError);
    expect(() => heldOutDivergenceConditions({ metric: '' })).toThrow(TypeError);
    expect(() => stepDetectors({ heldOutDivergence: { z: 0 } })).toThrow(RangeError);
  });
});
