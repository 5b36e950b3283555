import { filter, from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  componentDominance,
  componentDominanceConditions,
  type ComponentDominanceConfig,
} from '../../operators/component-dominance.js';
import { componentMean } from '../../src/core/metric-names.js';
import type { Condition } from '../../src/core/condition.js';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import { formatted, reasoning } from '../../src/sim/text.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import { divergenceRecords } from '../../src/detectors/component-dominance.js';
import { ComponentRoles } from '../../src/detectors/reward-components.js';
import type { RewardKind } from '../../src/sim/simulate.js';
import { fromFile } from '../../src/sources/from-file.js';
import { realdata } from '../support/paths.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents } from './sim-helpers.js';
import { warnings } from './real-steps.js';

/** A StepRecord with `reward/<c>/mean` per component. */
function record(step: number, components: Readonly<Record<string, number>>): StepRecord {
  const metrics: Record<string, number> = {};
  let total = 0;
  for (const [name, value] of Object.entries(components)) {
    metrics[componentMean(name)] = value;
    total += value;
  }
  metrics['reward/mean'] = total;
  return { step, metrics };
}

const run = <T, R>(items: readonly T[], op: (s: Observable<T>) => Observable<R>): Promise<R[]> => lastValueFrom(op(from(items)).pipe(toArray()));

async function realItems(file: string): Promise<(RewardEvent | StepRecord)[]> {
  return lastValueFrom(
    fromFile(realdata(file)).pipe(
      filter((item) => item.kind !== 'problem'),
      map((item) => (item.kind === 'step' ? item.record : (item as { readonly event: RewardEvent }).event)),
      toArray(),
    ),
  );
}

describe('componentDominance', () => {
  it('should warn exploit at the second step a cheap component rises while correctness stalls (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const lengths = [0, 0, 0, 0, 0.1, 0.2, 0.3, 0.3];
      const values = Object.fromEntries(lengths.map((length, i) => [String.fromCharCode(97 + i), record(i, { length, correctness: 0.5 })]));
      const source = cold<StepRecord>('-a-b-c-d-e-f-g-h-|', values);
      const expected = '-----------w-----|';
      expectObservable(source.pipe(componentDominance({ reference: 3, recent: 1, persistence: 2, divergenceSteps: 2 }), map(brief))).toBe(expected, {
        w: 'onset@5/5:warning',
      });
    });
  });

  it('should say which component rose, from what to what, against the true component', async () => {
    const records = [0, 0, 0, 0, 0.1, 0.2].map((length, i) => record(i, { length, correctness: 0.5 }));
    const conditions = await run(records, componentDominanceConditions({ reference: 3, recent: 1, persistence: 2, divergenceSteps: 2 }));
    const last = conditions.at(-1)!;
    expect(last).toMatchObject({ active: true, severity: 'warning', signal: 'exploit', step: 5 });
    expect(last.message).toBe(
      'cheap component length rose 0.0333 -> 0.2 (+17% of the reward scale beyond the 0.08 its earlier climb led to, t 3.13) over the last step while correctness ' +
        'went 0.5 -> 0.5 (t 0 < 2: no significant gain); cheap components now carry 29% of the reward (since step 4)',
    );
    expect(last.evidence.stats).toMatchObject({
      'before:length': 0.1 / 3, 'after:length': 0.2, trueBefore: 0.5, trueAfter: 0.5, trueGain: 0, trueGainSE: 0, trueT: 0,
    });
    // The length had started climbing (0 0 0 0 0.1): the least-squares line through those 5 steps
    // (slope 0.02 a step, mean 0.02) leads to 0.08 three steps on from their middle, and the rise
    // is judged beyond that; its t counts the line's own uncertainty.
    expect(last.evidence.stats['expected:length']).toBeCloseTo(0.08, 12);
    expect(last.evidence.stats.cheapRise).toBeCloseTo(0.2 - 0.08, 12);
    // Step records carry no samples: the statistics are the evidence.
    expect(last.evidence.samples).toBeUndefined();
    // Residuals 0.02 0 -0.02 -0.04 0.04: variance 0.004 / 3 on 3 degrees of freedom; the forecast
    // variance is that times (1/5 + 3^2/10), the recent step alone adds none.
    expect(last.evidence.stats['t:length']).toBeCloseTo(0.12 / Math.sqrt((0.004 / 3) * (1 / 5 + 9 / 10)), 10);
  });

  it('should not warn when the true component rises with the cheap one (learning, not an exploit)', async () => {
    const records = [0, 0, 0, 0, 0.1, 0.2, 0.3].map((format, i) => record(i, { format, correctness: 0.3 + (i < 4 ? 0 : format) }));
    const conditions = await run(records, componentDominanceConditions({ reference: 3, recent: 1, persistence: 1, divergenceSteps: 2 }));
    expect(conditions.filter((c) => c.severity === 'warning')).toEqual([]);
    // Break the true gain (correctness flat) and the same rise is an exploit: the test can fail.
    const stalled = records.map((r) => record(r.step, { format: r.metrics[componentMean('format')]!, correctness: 0.3 }));
    const flagged = await run(stalled, componentDominanceConditions({ reference: 3, recent: 1, persistence: 1, divergenceSteps: 2 }));
    expect(flagged.some((c) => c.signal === 'exploit')).toBe(true);
  });

  it('calls a true gain beyond its own noise learning, even when it is under half the cheap rise', async () => {
    // correctness wobbles by ±0.01 around 0.5, then gains 0.06 while format gains 0.3: a gain five
    // times smaller than the cheap one, yet several standard errors of its noise, is real learning.
    const wobble = (i: number): number => 0.5 + (i % 2 === 0 ? 0.01 : -0.01);
    const records = Array.from({ length: 15 }, (_, i) =>
      record(i, { format: i < 12 ? 0.1 : 0.4, correctness: wobble(i) + (i < 12 ? 0 : 0.06) }),
    );
    const conditions = await run(records, componentDominanceConditions({ reference: 10, recent: 3, persistence: 1, divergenceSteps: 6 }));
    expect(conditions.filter((c) => c.signal === 'exploit')).toEqual([]);
    const last = conditions.at(-1)!.evidence.stats;
    expect(last.trueGain).toBeCloseTo(0.06 + 0.01 / 3, 12);
    expect(last.trueT).toBeGreaterThan(2);
    expect(last.trueGain! / last.cheapRise!).toBeLessThan(0.5);
    // The same cheap rise beside a gain inside the noise (0.005) is an exploit: the test can fail.
    const stalled = records.map((r, i) => record(i, { format: r.metrics[componentMean('format')]!, correctness: wobble(i) + (i < 12 ? 0 : 0.005) }));
    const flagged = await run(stalled, componentDominanceConditions({ reference: 10, recent: 3, persistence: 1, divergenceSteps: 6 }));
    expect(flagged.at(-1)).toMatchObject({ signal: 'exploit', active: true });
  });

  it('judges the true gain by its noise over both windows, so one noisy recent step does not hide a gain', async () => {
    // correctness gains 0.1 (0.4 -> 0.5 over the last 3 steps), one of them a noisy 0.38: the spread
    // of 3 values (2 degrees of freedom) puts the Welch t under 2, the 12 successive differences do not.
    const correctness = [0.41, 0.39, 0.41, 0.39, 0.41, 0.39, 0.41, 0.39, 0.41, 0.39, 0.5, 0.38, 0.62];
    const records = correctness.map((value, i) => record(i, { format: i < 10 ? 0.1 : 0.5, correctness: value }));
    const conditions = await run(records, componentDominanceConditions({ reference: 10, recent: 3, persistence: 1, divergenceSteps: 6 }));
    const last = conditions.at(-1)!;
    expect(last.signal).not.toBe('exploit');
    expect(last.evidence.stats.trueT).toBeGreaterThan(2);
    const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const varOfMean = (xs: readonly number[]): number => xs.reduce((a, x) => a + (x - meanOf(xs)) ** 2, 0) / (xs.length - 1) / xs.length;
    const [before, after] = [correctness.slice(0, 10), correctness.slice(10)];
    expect((meanOf(after) - meanOf(before)) / Math.sqrt(varOfMean(before) + varOfMean(after))).toBeLessThan(2);
  });

  it('does not escalate while correctness learns beside a rising format reward (seeded run from a user report)', async () => {
    // 8 prompts x 8 samples a step, prompt difficulty ~ N(0, 1); from step 100 the format bonus
    // spreads (30% -> 95% of samples) while correctness learns (logit +0.3 a step).
    function* learning(seed: number, names: readonly [string, string], trueRises: boolean): Generator<RewardEvent> {
      const rng = new Random(seed);
      for (let step = 0; step < 130; step++) {
        for (let p = 0; p < 8; p++) {
          const difficulty = rng.normal();
          for (let g = 0; g < 8; g++) {
            const skill = trueRises && step >= 100 ? Math.min(3, (step - 100) * 0.3) : 0;
            const correct = rng.chance(1 / (1 + Math.exp(0.5 - skill - difficulty))) ? 1 : 0;
            const bonus = rng.chance(step >= 100 ? Math.min(0.95, 0.3 + 0.15 * (step - 100)) : 0.3) ? 0.5 : 0;
            const response = formatted(reasoning(rng, 400), String(rng.int(999)));
            rng.int(30);
            yield { step, reward: correct + bonus, components: { [names[0]]: correct, [names[1]]: bonus }, group: `s${step}p${p}`, response };
          }
        }
      }
    }
    const exploits = async (events: Iterable<RewardEvent>): Promise<Condition[]> =>
      (await run([...events], componentDominanceConditions())).filter((c) => c.signal === 'exploit');
    // correctness went 0.41 -> 0.52 while format rose: learning (the old rule, a true gain under half the
    // cheap rise, warned exploit at step 104).
    expect(await exploits(learning(3, ['correctness', 'format'], true))).toEqual([]);
    // Correctness flat: the same format rise is an exploit, with the samples the format paid and correctness did not.
    const flagged = await exploits(learning(3, ['correctness', 'format'], false));
    expect(flagged[0]!.step).toBeLessThanOrEqual(106);
    expect(flagged[0]!.evidence.stats.trueT).toBeLessThan(2);
    const samples = flagged[0]!.evidence.samples!;
    expect(samples).toHaveLength(5);
    expect(samples.every((s) => s.components!['format'] === 0.5 && s.components!['correctness'] === 0 && s.score === 0.5)).toBe(true);
    expect(samples[0]!.response).toContain('<answer>');
    // An answer-is-an-integer check (int_reward_func of the GRPO GSM8K recipes) is cheap too.
    expect((await exploits(learning(3, ['accuracy', 'int_reward_func'], false)))[0]!.message).toMatch(/^cheap component int_reward_func rose/);
  });

  it('does not call a format learnt over the first 20-100 steps an exploit while correctness learns slowly', async () => {
    // The common honest GRPO start: format compliance climbs 2% -> 98% over `steps` steps from the
    // first one while correctness creeps 0.1 -> ~0.2 (invisible in any 13-step window). The old
    // rule judged the climb against its 10-step reference mean and warned exploit in most of these.
    function* formatFirst(seed: number, steps: number, bonus: number): Generator<RewardEvent> {
      const rng = new Random(seed);
      for (let step = 0; step < 160; step++) {
        for (let p = 0; p < 8; p++) {
          const difficulty = 1.6 * rng.normal();
          for (let g = 0; g < 8; g++) {
            const base = 0.1 + (0.2 * step) / 300;
            const correct = rng.chance(1 / (1 + Math.exp(-Math.log(base / (1 - base)) + difficulty))) ? 1 : 0;
            const format = rng.chance(Math.min(0.98, 0.02 + step / steps)) ? bonus : 0;
            yield { step, reward: correct + format, components: { correctness: correct, format }, group: `s${step}p${p}` };
          }
        }
      }
    }
    const exploits: string[] = [];
    for (const seed of [1, 2, 3]) {
      for (const steps of [20, 45, 60, 100]) {
        for (const bonus of [0.25, 1]) {
          const flagged = (await run([...formatFirst(seed, steps, bonus)], componentDominanceConditions())).filter((c) => c.signal === 'exploit');
          if (flagged.length > 0) exploits.push(`seed ${seed}, ${steps} steps, bonus ${bonus}: step ${flagged[0]!.step}`);
        }
      }
    }
    expect(exploits).toEqual([]);
  });

  it('does not call a format spreading along an S-curve an exploit while accuracy learns slowly (R1-style run)', async () => {
    // Step records of 16 prompts x 8 samples: format compliance follows a logistic curve centred
    // on step `centre` (width 12 steps) while accuracy rises 0.31 -> 0.57 over 150 steps, under
    // a tenth of the 13-step windows' noise per step. The short-window rule alone called this an
    // exploit in 8 of 10 of a tester's runs; the task's 60-step slope says it is learning.
    const exploitSteps: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const centre of [75, 110]) {
        const rng = new Random(seed);
        const records = Array.from({ length: 200 }, (_, step) => {
          const target = Math.min(0.8, 0.31 + (0.26 * step) / 150);
          let correct = 0;
          let formatted = 0;
          for (let p = 0; p < 16; p++) {
            const difficulty = rng.normal();
            for (let g = 0; g < 8; g++) {
              correct += rng.chance(1 / (1 + Math.exp(difficulty - Math.log(target / (1 - target))))) ? 1 : 0;
              formatted += rng.chance(1 / (1 + Math.exp(-(step - centre) / 12))) ? 1 : 0;
            }
          }
          return record(step, { accuracy_reward: correct / 128, format_reward: formatted / 128 });
        });
        const conditions = await run(records, componentDominanceConditions());
        const first = conditions.find((c) => c.signal === 'exploit');
        if (first !== undefined) exploitSteps.push(first.step);
      }
    }
    expect(exploitSteps).toEqual([]);
  });

  describe('divergence: the reward holds or rises while the true component falls', () => {
    // Step records of 16 prompts x 8 samples: per-prompt difficulty makes the per-step accuracy
    // noisier than 128 independent samples, as in real logs.
    function takeover(seed: number, options: { readonly from: number; readonly ramp: number; readonly fall: number; readonly weights?: boolean }): StepRecord[] {
      const rng = new Random(seed);
      const records: StepRecord[] = [];
      for (let step = 0; step < 320; step++) {
        const progress = Math.min(1, Math.max(0, (step - options.from) / options.ramp));
        let correct = 0;
        let formatted = 0;
        for (let p = 0; p < 16; p++) {
          const difficulty = rng.normal();
          for (let g = 0; g < 8; g++) {
            correct += rng.chance(1 / (1 + Math.exp(difficulty - Math.log(1 / (1 / (0.5 - options.fall * progress) - 1) + 1e-12)))) ? 1 : 0;
            formatted += rng.chance(0.33 + 0.65 * progress) ? 1 : 0;
          }
        }
        const accuracy = correct / 128;
        const format = formatted / 128;
        records.push(record(step, { accuracy_reward: accuracy, format_reward: format }));
      }
      return records;
    }
    const exploits = async (records: readonly StepRecord[], config: ComponentDominanceConfig = {}): Promise<Condition[]> =>
      (await run(records, componentDominanceConditions(config))).filter((c) => c.signal === 'exploit' && c.active && / diverge /.test(c.message));

    it('warns when a format takeover spread over 40 steps costs accuracy (0.5 -> 0.35)', async () => {
      for (const seed of [1, 2, 3]) {
        const records = takeover(seed, { from: 200, ramp: 40, fall: 0.15 });
        expect(await exploits(records, { divergenceSteps: 1000 })).toEqual([]);
        const flagged = await exploits(records);
        expect(flagged.length).toBeGreaterThan(0);
        expect(flagged[0]!.step).toBeGreaterThan(200);
        expect(flagged[0]!.step).toBeLessThanOrEqual(255);
        expect(flagged[0]!.message).toMatch(/^the reward rose .* while accuracy_reward fell .* the last 30 steps against the 30 before: the proxy and the task diverge/);
        expect(flagged[0]!.evidence.stats.divergenceTrueT).toBeLessThanOrEqual(-3);
      }
    });

    it('does not call it divergence when the same format spreads while accuracy holds or rises', async () => {
      for (const seed of [1, 2, 3]) {
        expect(await exploits(takeover(seed, { from: 200, ramp: 40, fall: 0 }))).toEqual([]);
        expect(await exploits(takeover(seed, { from: 200, ramp: 40, fall: -0.1 }))).toEqual([]);
      }
    });

    it("judges a reward model's score against a logged gold judge, the true component by its name", async () => {
      // The trainer optimises rm_score (weight 1); gold_judge is logged with weight 0 and falls
      // 0.48 -> 0.34 as the policy learns to please the reward model (Gao et al.'s proxy and gold
      // reward models). The total is reward/mean.
      const rng = new Random(7);
      const records = Array.from({ length: 300 }, (_, step) => {
        const drift = Math.min(1, Math.max(0, (step - 200) / 40));
        const rm = 0.2 + 0.002 * step + 0.6 * drift + 0.05 * rng.normal();
        const gold = 0.48 - 0.14 * drift + 0.04 * rng.normal();
        return { step, metrics: { 'reward/mean': rm, 'reward/rm_score/mean': rm, 'reward/gold_judge/mean': gold } };
      });
      expect(await exploits(records, { true: false })).toEqual([]); // no true component to fall
      const flagged = await exploits(records);
      expect(flagged[0]!.step).toBeGreaterThan(200);
      expect(flagged[0]!.step).toBeLessThanOrEqual(250);
      expect(flagged[0]!.message).toMatch(/while gold_judge fell 0\.4\d* -> 0\.[34]/);
    });
  });

  describe('divergence in a log written every k steps', () => {
    // What TRL writes at logging_steps = k: each record the mean of its k steps' metrics.
    function everyK(records: readonly StepRecord[], k: number): StepRecord[] {
      const logged: StepRecord[] = [];
      for (let end = k; end <= records.length; end += k) {
        const metrics: Record<string, number> = {};
        for (const key of Object.keys(records[end - 1]!.metrics)) {
          let sum = 0;
          for (let i = end - k; i < end; i++) sum += records[i]!.metrics[key]!;
          metrics[key] = sum / k;
        }
        logged.push({ step: end, metrics });
      }
      return logged;
    }
    function overOptimised(seed: number, fall: number): StepRecord[] {
      const rng = new Random(seed);
      return Array.from({ length: 400 }, (_, step) => {
        const drift = Math.min(1, Math.max(0, (step - 200) / 40));
        const rm = 0.2 + 0.002 * step + 0.6 * drift + 0.05 * rng.normal();
        const gold = 0.48 + 0.0002 * step - fall * drift + 0.04 * rng.normal();
        return { step, metrics: { 'reward/mean': rm, 'reward/rm_score/mean': rm, 'reward/gold_judge/mean': gold } };
      });
    }
    const diverging = async (records: readonly StepRecord[]): Promise<Condition[]> =>
      (await run(records, componentDominanceConditions())).filter((c) => c.signal === 'exploit' && c.active && / diverge /.test(c.message));

    it('has windows of divergenceSteps / k records, at least 10 and at most divergenceSteps', () => {
      expect([1, Number.POSITIVE_INFINITY, 2, 5, 10, 50].map((k) => divergenceRecords(30, k))).toEqual([30, 30, 15, 10, 10, 10]);
      expect(divergenceRecords(8, 10)).toBe(8);
    });

    it('finds a reward model pleased at the gold judge\'s cost in a 400-step run logged every 10 steps (40 records)', async () => {
      for (const seed of [1, 2, 3]) {
        const logged = everyK(overOptimised(seed, 0.14), 10);
        expect(logged).toHaveLength(40);
        // Counted in steps of records, the two 30-record windows would need 60 records: none here.
        const flagged = await diverging(logged);
        expect(flagged.length).toBeGreaterThan(0);
        expect(flagged[0]!.step).toBeGreaterThan(200);
        expect(flagged[0]!.step).toBeLessThanOrEqual(330);
        expect(flagged[0]!.message).toMatch(/while gold_judge fell .* the last 10 records \(100 steps\) against the 10 before: the proxy and the task diverge/);
      }
    });

    it('stays quiet on the same logs when the gold judge holds, and on format spreading beside steady accuracy', async () => {
      for (const seed of [1, 2, 3]) {
        expect(await diverging(everyK(overOptimised(seed, 0), 10))).toEqual([]);
        expect(await diverging(everyK(overOptimised(seed, 0), 5))).toEqual([]);
      }
    });
  });

  it('reports a dominant cheap component that does not rise as info, where a share threshold (rewardspy) alerts', async () => {
    // CoursIA #9583: a saturated length bonus (share 0.96) with correctness 0 was flagged, with no hack learnt.
    const records = Array.from({ length: 40 }, (_, i) => record(i, { length_bonus: 0.95 + 0.01 * Math.sin(i), math_correct: 0.02 }));
    const incumbent = (r: StepRecord): boolean => {
      const bonus = r.metrics[componentMean('length_bonus')]!;
      return bonus / (bonus + r.metrics[componentMean('math_correct')]!) > 0.5;
    };
    expect(records.some(incumbent)).toBe(true);
    const alerts = await run(records, componentDominance());
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.severity === 'info' && a.signal === 'info')).toBe(true);
    expect(alerts[0]!.message).toContain('cheap components (length_bonus) carry 98% of the reward');
  });

  it('never calls an honest correctness-dominated reward dominance, where rewardspy alerts on a share over 0.9', async () => {
    const records = Array.from({ length: 40 }, (_, i) => record(i, { correctness: 0.5 + 0.01 * i, format: 0.02 }));
    const share = (r: StepRecord): number => r.metrics[componentMean('correctness')]! / r.metrics['reward/mean']!;
    expect(records.every((r) => share(r) > 0.9)).toBe(true); // the incumbent's alert condition holds on every step
    const conditions = await run(records, componentDominanceConditions());
    expect(conditions.length).toBeGreaterThan(0);
    expect(conditions.every((c) => !c.active)).toBe(true);
  });

  it("flags the simulator's verbosity hack within a few steps once the task has stopped learning (samples and step records)", async () => {
    for (const seed of [1, 2, 3]) {
      const events = simEvents({ seed, steps: 230, hack: { pattern: 'verbosity', atStep: 200 } });
      const alerts = warnings(await run(events, componentDominance()));
      expect(alerts[0]).toMatchObject({ signal: 'exploit', severity: 'warning', state: 'onset' });
      expect(alerts[0]!.step).toBeGreaterThanOrEqual(201);
      expect(alerts[0]!.step).toBeLessThanOrEqual(206);
      expect(alerts[0]!.message).toMatch(/^cheap component length rose .* while correctness went/);
      const fromSteps = warnings(await run(events, (s) => s.pipe(summarizeSteps(), componentDominance())));
      expect(fromSteps[0]).toMatchObject({ signal: 'exploit', severity: 'warning' });
      expect(fromSteps[0]!.step).toBeLessThanOrEqual(206);
    }
  });

  it('defers a cheap rise while the task still learns over 60 steps (the trade-off for S-curve format learning)', async () => {
    // Injected at step 60, while correctness is still climbing: its 60-step slope says "learning",
    // so a cheap rise beside a 13-step stall is not called an exploit; the verbosity itself is
    // distributionDrift's to find (the detection benchmark: hacking within 4 steps of injection).
    const events = simEvents({ seed: 1, steps: 90, hack: { pattern: 'verbosity', atStep: 60 } });
    const conditions = await run(events, componentDominanceConditions());
    expect(conditions.filter((c) => c.signal === 'exploit')).toEqual([]);
    expect(conditions.at(-1)!.evidence.stats.trueSlopeT).toBeGreaterThanOrEqual(2);
  });

  it('stays below warning on healthy simulated runs (binary, shaped, continuous; reward scales 10 and 0.01)', async () => {
    const kinds: RewardKind[] = ['binary', 'shaped', 'continuous'];
    for (const seed of [1, 2]) {
      for (const rewardKind of kinds) {
        for (const rewardScale of [1, 10, 0.01]) {
          const events = simEvents({ seed, steps: 200, rewardKind, rewardScale });
          expect(warnings(await run(events, componentDominance()))).toEqual([]);
        }
      }
    }
  });

  it('calls the real five-function TRL run (format 0.85-1.0, pnl around 0) dominance info, not an exploit', async () => {
    // format_reward_fn climbs 0.55 -> 0.85 in the first logs, then swings 0.3-1.0 with no trend while
    // pnl_reward_fn swings around 0: the format bonus carries about half of the reward, but it is not
    // rising at the expense of the task, so it is context (info), not an exploit signature.
    const items = await realItems('trl-grpo_multicomponent_trainer_state.json');
    const conditions = await run(items, componentDominanceConditions());
    expect(conditions.length).toBeGreaterThan(20);
    expect(conditions.filter((c) => c.severity !== 'info')).toEqual([]);
    const dominant = conditions.filter((c) => c.active);
    expect(dominant.length).toBeGreaterThan(5);
    expect(dominant[0]!.message).toMatch(/^cheap components \(format_reward_fn\) carry \d+% of the reward over the last 3 steps; the non-cheap components/);
    const alerts = await run(items, componentDominance());
    expect(warnings(alerts)).toEqual([]);
  });

  it('names answer_block and strict_protocol as the payers of the real 5-component completions (one step)', async () => {
    const items = await realItems('trl-grpo_completions_5components.jsonl');
    const conditions = await run(items, componentDominanceConditions({ recent: 1 }));
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ active: true, severity: 'info', signal: 'info', step: 0 });
    expect(conditions[0]!.message).toBe(
      'cheap components (answer_block, strict_protocol) carry 72% of the reward over the last step; correctness 0; not rising, so not an exploit by itself',
    );
    expect(conditions[0]!.evidence.stats['share:answer_block']).toBeCloseTo(0.75 / 1.25, 10);
  });

  it('aggregates samples per step as contributions: a component absent from a sample counts 0', async () => {
    const events: RewardEvent[] = [
      { step: 0, components: { correctness: 1, length: 0.4 } },
      { step: 0, components: { correctness: 0 } },
      { step: 1, components: { correctness: 1 } },
    ];
    const conditions = await run(events, componentDominanceConditions({ recent: 1, dominantShare: 0.2 }));
    expect(conditions.map((c) => [c.step, c.active, c.value])).toEqual([
      [0, true, 0.2 / 0.7], // length 0.4 / 2 samples = 0.2 of |0.5| + |0.2|
      [1, false, 0],
    ]);
  });
});

describe('ComponentRoles (default names)', () => {
  it('classifies cheap names and prefers correctness as the true component', () => {
    const roles = new ComponentRoles();
    expect(['format', 'length', 'answer_block', 'strict_protocol', 'xml_tags', 'style_len', 'len', 'int_reward_func', 'is_INT', 'reasoning_steps_reward', 'soft_overlong_punishment'].map((n) => roles.isCheap(n))).toEqual([
      true, true, true, true, true, true, true, true, true, true, true,
    ]);
    expect(['correctness', 'exact_number_usage', 'valid_expression', 'lenient', 'pnl_reward_fn', 'point_reward', 'interest', 'integrity'].map((n) => roles.isCheap(n))).toEqual([
      false, false, false, false, false, false, false, false,
    ]);
    expect(roles.trueOf(['answer_block', 'exact_number_usage', 'correctness'])).toBe('correctness');
    expect(roles.trueOf(['format_reward_fn', 'accuracy_reward'])).toBe('accuracy_reward');
    expect(roles.trueOf(['format', 'pnl'])).toBeUndefined();
    // Reward-model over-optimisation logs the gold judge beside the proxy that is trained on.
    expect(roles.trueOf(['proxy_rm', 'gold_judge'])).toBe('gold_judge');
    expect(roles.trueOf(['accuracy', 'gold_rm_score'])).toBe('gold_rm_score');
    expect(roles.isCheap('golden_format')).toBe(true);
    expect(new ComponentRoles(['pnl'], 'format').trueOf(['format', 'pnl'])).toBe('format');
    expect(new ComponentRoles(undefined, false).trueOf(['correctness'])).toBeUndefined();
  });
});

const checklistItems = [0, 0, 0, 0.3, 0.6, 0.9, 1.2].map((format, i) => record(i, { format, correctness: 0.5 }));

checklist<RewardEvent | StepRecord, ComponentDominanceConfig>('componentDominance', {
  operator: (config) => componentDominance(config),
  config: { reference: 2, recent: 1, persistence: 1 },
  items: checklistItems,
  throwingSelect: (error) => ({
    reference: 2,
    recent: 1,
    cheap: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ reference: 1 }, RangeError, 'reference must be an integer >= 2'],
    [{ recent: 0 }, RangeError, 'recent must be an integer >= 1'],
    [{ minRise: 0 }, RangeError, 'minRise must be a finite number > 0'],
    [{ trueGainT: -1 }, RangeError, 'trueGainT must be a finite number >= 0'],
    [{ dominantShare: 1.5 }, RangeError, 'dominantShare must lie in (0, 1]'],
    [{ persistence: 0.5 }, RangeError, 'persistence must be an integer >= 1'],
    [{ cheap: 'format' as unknown as RegExp }, TypeError, 'cheap must be a RegExp'],
    [{ true: 3 as unknown as string }, TypeError, 'true must be a component name'],
    [{ hysteresis: { clearAfter: 0 } }, RangeError, 'clearAfter'],
  ],
});
