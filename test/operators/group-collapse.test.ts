import { from, lastValueFrom, map, mergeMap, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { groupCollapse, groupCollapseConditions, type GroupCollapseConfig } from '../../operators/group-collapse.js';
import { groupCollapseFromSteps, groupCollapseFromStepsConditions } from '../../operators/group-collapse-from-steps.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import { verdict } from '../../operators/verdict.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { canonicalizeMetrics } from '../../src/core/aliases.js';
import { Random } from '../../src/sim/random.js';
import { simulate, type HackPattern, type RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { realSteps, warnings } from './real-steps.js';

/** One step of `groups` groups of `size` samples; `rewardsOf(g, i)` gives each reward. */
function stepOf(step: number, groups: number, size: number, rewardsOf: (g: number, i: number) => number): RewardEvent[] {
  const events: RewardEvent[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < size; i++) events.push({ step, group: `s${step}-g${g}`, reward: rewardsOf(g, i), response: `answer ${g}.${i}` });
  }
  return events;
}
/** Half right, half wrong in every group: full learning signal. */
const mixed = (step: number): RewardEvent[] => stepOf(step, 8, 8, (_g, i) => i % 2);
/** Every group all wrong. */
const allWrong = (step: number): RewardEvent[] => stepOf(step, 8, 8, () => 0);
/** Every group all right. */
const allRight = (step: number): RewardEvent[] => stepOf(step, 8, 8, () => 1);

/**
 * A stationary binary run: `prompts` groups of `size` per step, each prompt's success rate
 * `rate(step)` shifted on the logit scale by its difficulty (normal, sd 0.8).
 */
function binaryRun(seed: number, steps: number, rate: (step: number) => number, size = 8, prompts = 8): RewardEvent[] {
  const rng = new Random(seed);
  const events: RewardEvent[] = [];
  for (let step = 0; step < steps; step++) {
    for (let p = 0; p < prompts; p++) {
      const base = rate(step);
      const success = base <= 0 ? 0 : 1 / (1 + Math.exp(-(Math.log(base / (1 - base)) + 0.8 * rng.normal())));
      for (let i = 0; i < size; i++) events.push({ step, group: `s${step}-p${p}`, reward: rng.chance(success) ? 1 : 0 });
    }
  }
  return events;
}

/** How a simulated GRPO run of {@link grpoRun} behaves at each step. */
interface RunShape {
  /** Logit of a typical prompt's success rate (prompts vary by sd 1.2 around it). */
  readonly skill: (step: number) => number;
  /** Share of prompts never solved. Default 0. */
  readonly impossible?: number;
  /** Probability that a group is one answer repeated (a policy that answers the prompt one way). Default 0. */
  readonly oneAnswer?: (step: number) => number;
  /** Scales every success rate by 1 minus this (correctness pushed to the floor). Default 0. */
  readonly toFloor?: (step: number) => number;
  /** Correctness + 0.5 format (p 0.9) + 0.5 reasoning steps (p 0.35) instead of correctness alone. */
  readonly shaped?: boolean;
}

/** A GRPO run of 16 prompts x 8 samples a step shaped by `shape`. */
function grpoRun(seed: number, steps: number, shape: RunShape): RewardEvent[] {
  const rng = new Random(seed);
  const events: RewardEvent[] = [];
  for (let step = 0; step < steps; step++) {
    for (let p = 0; p < 16; p++) {
      const impossible = rng.chance(shape.impossible ?? 0);
      const rate = impossible ? 0 : (1 - (shape.toFloor?.(step) ?? 0)) / (1 + Math.exp(-(shape.skill(step) + 1.2 * rng.normal())));
      const sample = (): number =>
        (rng.chance(rate) ? 1 : 0) + (shape.shaped === true ? 0.5 * (rng.chance(0.9) ? 1 : 0) + 0.5 * (rng.chance(0.35) ? 1 : 0) : 0);
      const one = sample();
      const oneAnswer = rng.chance(shape.oneAnswer?.(step) ?? 0);
      for (let i = 0; i < 8; i++) events.push({ step, group: `s${step}-p${p}`, reward: oneAnswer ? one : sample() });
    }
  }
  return events;
}

/** 0 before `start`, then rising linearly to 1 over `steps` steps. */
const rampFrom = (start: number, steps: number) => (step: number): number => Math.min(1, Math.max(0, (step - start + 1) / steps));

/**
 * The step records TRL logs for a run: `frac_reward_zero_std`, `reward` and `reward_std` (the
 * mean group std before v0.27), and no `reward/min`, `reward/max` or all-min/all-max fractions.
 */
async function trlLog(events: readonly RewardEvent[]): Promise<StepRecord[]> {
  const records = await lastValueFrom(from(events).pipe(summarizeSteps(), toArray()));
  return records.map((r) => ({
    step: r.step,
    metrics: {
      'groups/zero_std_frac': r.metrics['groups/zero_std_frac']!,
      'reward/mean': r.metrics['reward/mean']!,
      'reward/group_std': r.metrics['reward/group_std'] ?? 0,
    },
  }));
}

const verdictOf = async (alerts: readonly Alert[]): Promise<string> => (await lastValueFrom(from(alerts).pipe(verdict(), toArray()))).at(-1)?.status ?? 'healthy';

const alertsOf = <T>(items: readonly T[], op: (s: Observable<T>) => Observable<Alert>): Promise<Alert[]> =>
  lastValueFrom(op(from(items)).pipe(toArray()));

function simEvents(kind: RewardKind, seed: number, steps: number, hack?: HackPattern, atStep = 60): RewardEvent[] {
  const events: RewardEvent[] = [];
  for (const item of simulate({ seed, steps, rewardKind: kind, ...(hack === undefined ? {} : { hack: { pattern: hack, atStep } }) })) {
    if (item.kind === 'event') events.push(item.event);
  }
  return events;
}

describe('groupCollapse', () => {
  it('should escalate to a critical collapse at the third all-wrong step, judged when the next step starts (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const steps = { a: mixed(1), b: mixed(2), c: allWrong(3), d: allWrong(4), e: allWrong(5), f: allWrong(6) };
      const source = cold<RewardEvent[]>('-a--b--c--d--e--f--|', steps).pipe(mergeMap((batch) => batch));
      const expected = '----------i-----c--|';
      expectObservable(source.pipe(groupCollapse({ persistence: 3 }), map(brief))).toBe(expected, {
        i: 'onset@3/3:info',
        c: 'ongoing@5/3:critical',
      });
    });
  });

  it('should say what collapsed, with the fractions, the spread and 5 offending groups', async () => {
    const items = [...mixed(0), ...mixed(1), ...allWrong(2), ...allWrong(3), ...stepOf(4, 8, 8, (g, i) => (g === 0 && i === 0 ? 1 : 0))];
    const conditions = await lastValueFrom(from(items).pipe(groupCollapseConditions({ persistence: 3 }), toArray()));
    expect(conditions.map((c) => [c.step, c.active, c.severity, c.signal])).toEqual([
      [0, false, 'info', 'info'],
      [1, false, 'info', 'info'],
      [2, true, 'info', 'collapse'],
      [3, true, 'info', 'collapse'],
      [4, true, 'warning', 'collapse'],
    ]);
    const last = conditions[4]!;
    expect(last.value).toBe(7 / 8);
    expect(last.evidence.stats).toMatchObject({ groups: 8, zeroStdFrac: 7 / 8, floorFrac: 7 / 8, ceilingFrac: 0, stuckFrac: 7 / 8, floor: 0, ceiling: 1 });
    expect(last.evidence.stats.rewardMean).toBeCloseTo(1 / 64, 12);
    // The spread is the mean within-group std: one group holds a single 1 among 8 (sample std
    // sqrt(8 * (1/8) * (7/8) / 7) = 1/sqrt(8)), the other 7 none; before, every group 4 of 8 -> sqrt(2/7).
    expect(last.evidence.stats.rewardStd).toBeCloseTo(1 / Math.sqrt(8) / 8, 12);
    expect(last.evidence.stats.baselineStd).toBeCloseTo(Math.sqrt(2 / 7), 12);
    // 23 of the run's 24 groups stuck (all wrong), none of the 16 before.
    expect(last.evidence.stats.runStuckFrac).toBeCloseTo(23 / 24, 12);
    expect(last.evidence.stats.baselineStuckFrac).toBe(0);
    expect(last.evidence.samples).toHaveLength(5);
    expect(last.evidence.samples![0]).toMatchObject({ step: 4, group: 's4-g1', reward: 0, score: 0, response: 'answer 1.7' });
    expect(last.message).toBe(
      'learning signal gone: 88% of 8 groups have identical rewards, 88% all at the floor 0 (all wrong; reward 0.0156, ' +
        'reward spread 0.0442 vs 0.535 before) for 3 steps since step 2 (96% of their groups stuck below the ceiling vs 0% before); ' +
        'GRPO gets no gradient',
    );
  });

  it('should call all-correct groups mastery (info), never collapse', async () => {
    const items = [...mixed(0), ...allRight(1), ...allRight(2), ...allRight(3), ...allRight(4)];
    const alerts = await alertsOf(items, groupCollapse());
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'onset', severity: 'info', signal: 'info', step: 1 });
    expect(alerts[0]!.message).toMatch(/^mastery: 100% of 8 groups .* all at the ceiling 1 \(all correct; reward 1\): the prompts are too easy/);
  });

  it('should treat an all-wrong start as "no learning signal yet" (info), and recover once rewards spread', async () => {
    const items = [...allWrong(0), ...allWrong(1), ...allWrong(2), ...allWrong(3), ...mixed(4), ...mixed(5), ...mixed(6), ...mixed(7)];
    const alerts = await alertsOf(items, groupCollapse());
    expect(warnings(alerts)).toEqual([]);
    // A degenerate start has no floor/ceiling range yet: the level is unknown, then the episode resolves.
    expect(alerts.map((a) => a.state)).toEqual(['onset', 'resolved']);
  });

  it('should close groups at groupSize and at the end of their step; singletons are not judged', async () => {
    // groupSize 4: each 8-sample group key becomes two closed groups of 4.
    const items = [...mixed(0), ...stepOf(1, 2, 1, () => 0)];
    const conditions = await lastValueFrom(from(items).pipe(groupCollapseConditions({ groupSize: 4 }), toArray()));
    expect(conditions).toHaveLength(1);
    expect(conditions[0]!.evidence.stats.groups).toBe(16);
  });

  it('should skip samples with a missing reward or group and still judge the rest', async () => {
    const holes: RewardEvent[] = [{ step: 0 }, { step: 0, reward: Number.NaN, group: 'x' }, { step: 0, reward: 1 }];
    const conditions = await lastValueFrom(from([...holes, ...mixed(0)]).pipe(groupCollapseConditions(), toArray()));
    expect(conditions).toHaveLength(1);
    expect(conditions[0]!.evidence.stats.groups).toBe(8);
  });

  it('should not call the healthy saturated real run collapse where the rewardspy rule (>50% zero-std groups) fires', async () => {
    // rewardspy's GRPO group-collapse detector: alert when more than half of the groups have zero std.
    const records = await realSteps('trl-grpo_qwen35_saturation_step_logs.json');
    const incumbent = records.filter((r) => (r.metrics['groups/zero_std_frac'] ?? 0) > 0.5).length;
    expect(incumbent).toBeGreaterThanOrEqual(38);
    expect(warnings(await alertsOf(records, groupCollapseFromSteps()))).toEqual([]);
  });

  it.each(['truncation', 'entropy-blowup'] as const)('should find the simulated %s collapse within a few steps (binary and shaped)', async (pattern) => {
    for (const kind of ['binary', 'shaped'] as const) {
      const alerts = warnings(await alertsOf(simEvents(kind, 5, 100, pattern, 60), groupCollapse()));
      expect(alerts[0]).toMatchObject({ signal: 'collapse', severity: 'critical' });
      expect(alerts[0]!.step - 60).toBeLessThanOrEqual(8);
      const v = await lastValueFrom(from(alerts).pipe(verdict(), toArray()));
      expect(v.at(-1)!.status).toBe('collapse');
    }
  });

  it('should not call a stationary low success rate a collapse, from samples or from step records', async () => {
    // At p = 0.02 and 8 samples a group is all wrong with probability ~0.85: most groups sit at the
    // floor on most steps and whole all-wrong steps come by chance, with nothing changed.
    for (const rate of [0.02, 0.05]) {
      for (const seed of [1, 2, 3]) {
        const events = binaryRun(seed, 400, () => rate);
        expect(warnings(await alertsOf(events, groupCollapse()))).toEqual([]);
        const records = await lastValueFrom(from(events).pipe(summarizeSteps(), toArray()));
        expect(warnings(await alertsOf(records, groupCollapseFromSteps()))).toEqual([]);
      }
    }
  });

  it('should find a collapse from a low success rate once the all-wrong share rises significantly above it', async () => {
    for (const [rate, within] of [[0.05, 6], [0.02, 15]] as const) {
      for (const seed of [1, 2, 3]) {
        const alerts = warnings(await alertsOf(binaryRun(seed, 260, (step) => (step < 200 ? rate : 0)), groupCollapse()));
        expect(alerts[0]).toMatchObject({ signal: 'collapse', severity: 'critical' });
        expect(alerts[0]!.step).toBeGreaterThanOrEqual(200);
        expect(alerts[0]!.step - 200).toBeLessThanOrEqual(within);
        // The collapse run may begin with the last ordinary mostly-all-wrong steps before step 200.
        expect(alerts[0]!.message).toMatch(/\((9\d|100)% of their groups stuck below the ceiling vs \d+% before\)/);
      }
    }
  });

  it('should report the simulated exploit (all groups at full reward) as mastery info, not collapse', async () => {
    const alerts = await alertsOf(simEvents('binary', 5, 100, 'exploit', 60), groupCollapse());
    expect(warnings(alerts)).toEqual([]);
    expect(alerts[0]!.message).toMatch(/^mastery/);
  });

  it('should raise no warning on healthy simulated runs (binary, shaped, continuous; several seeds; reward scales)', async () => {
    for (const kind of ['binary', 'shaped', 'continuous'] as const) {
      for (const seed of [1, 2, 3]) {
        expect(warnings(await alertsOf(simEvents(kind, seed, 300), groupCollapse()))).toEqual([]);
      }
    }
    const scaled: RewardEvent[] = [];
    for (const item of simulate({ seed: 4, steps: 200, rewardKind: 'binary', rewardScale: 10, rewardOffset: -3 })) {
      if (item.kind === 'event') scaled.push(item.event);
    }
    expect(warnings(await alertsOf(scaled, groupCollapse()))).toEqual([]);
  });
});

describe('groupCollapseFromSteps', () => {
  describe('from the advantages, when no zero-spread fraction is logged (verl)', () => {
    /**
     * verl-like records of GRPO steps: `prompts` groups of 8 binary rewards, each sample right with
     * probability `p(step)`, or a whole group answering one way when `identical(step)`; the
     * advantages' extremes as verl logs them (group-normalised: 0 where a group's rewards are equal).
     */
    const verlSteps = (seed: number, steps: number, prompts: number, p: (step: number) => number, identical: (step: number) => boolean): StepRecord[] => {
      const rng = new Random(seed);
      return Array.from({ length: steps }, (_, i) => {
        const step = i + 1;
        let high = 0;
        let low = 0;
        const rewards: number[] = [];
        for (let prompt = 0; prompt < prompts; prompt++) {
          const one = rng.chance(p(step)) ? 1 : 0;
          const group: number[] = Array.from({ length: 8 }, () => (identical(step) ? one : rng.chance(p(step)) ? 1 : 0));
          const mean = group.reduce((a, b) => a + b, 0) / 8;
          const sd = Math.sqrt(group.reduce((a, b) => a + (b - mean) ** 2, 0) / 7);
          for (const reward of group) {
            const advantage = (reward - mean) / (sd + 1e-6);
            high = Math.max(high, advantage);
            low = Math.min(low, advantage);
          }
          rewards.push(...group);
        }
        return {
          step,
          metrics: {
            'critic/advantages/max': high,
            'critic/advantages/min': low,
            'critic/score/mean': rewards.reduce((a, b) => a + b, 0) / rewards.length,
            'critic/score/min': Math.min(...rewards),
            'critic/score/max': Math.max(...rewards),
          },
        };
      }).map((row) => ({ step: row.step, metrics: canonicalizeMetrics(row.metrics).metrics }));
    };

    it('calls every advantage 0 for 3 steps after a learning signal a collapse, with the evidence', async () => {
      // 16 prompts learning at 50%, then from step 61 each prompt answered one way (right for half).
      const records = verlSteps(1, 80, 16, () => 0.5, (step) => step > 60);
      const flagged = warnings(await alertsOf(records, groupCollapseFromSteps()));
      expect(flagged[0]).toMatchObject({ step: 63, since: 61, severity: 'warning', signal: 'collapse', detector: 'groupCollapseFromSteps' });
      expect(flagged[0]!.message).toMatch(/^learning signal gone: every advantage 0 for 3 steps since step 61 \(advantage\/max = min = 0: every group's rewards identical\), reward 0\.\d+ \(0\.\d+ before\); 0 of the 60 steps before were like it/);
      // All wrong (a broken reward): critical.
      const broken = verlSteps(2, 70, 16, (step) => (step > 60 ? 0 : 0.5), () => false);
      expect(warnings(await alertsOf(broken, groupCollapseFromSteps()))[0]).toMatchObject({ step: 63, severity: 'critical' });
    });

    it('calls all-correct steps mastery, and an all-wrong start no signal yet, never a collapse', async () => {
      const solved = verlSteps(3, 60, 16, (step) => (step > 30 ? 1 : 0.6), () => false);
      const solvedAlerts = await alertsOf(solved, groupCollapseFromSteps());
      expect(warnings(solvedAlerts)).toEqual([]);
      expect(solvedAlerts[0]!.message).toMatch(/^mastery: every advantage 0/);
      const hopeless = verlSteps(4, 40, 16, () => 0, () => false);
      const hopelessAlerts = await alertsOf(hopeless, groupCollapseFromSteps());
      expect(warnings(hopelessAlerts)).toEqual([]);
      expect(hopelessAlerts[0]!.message).toMatch(/^no learning signal yet: every advantage 0 since the start/);
    });

    it('stays quiet where a small batch of hard prompts is all wrong by chance, step after step', async () => {
      // 8 prompts at a 2% success rate: every group all wrong in ~27% of the steps; runs of 3-5
      // such steps happen in 300 steps. The run's own rate says they are no collapse.
      for (const seed of [5, 6, 7, 8, 9]) {
        const records = verlSteps(seed, 300, 8, () => 0.02, () => false);
        const zeroSteps = records.filter((r) => r.metrics['advantage/max'] === 0).length;
        expect(zeroSteps).toBeGreaterThan(40);
        expect(warnings(await alertsOf(records, groupCollapseFromSteps()))).toEqual([]);
      }
    });
  });

  it('should open a critical collapse at step 170 of the real TRL collapse log and no warning before', async () => {
    // All wrong from step 160 on. The logged fractions are multiples of 1/20, so each record counts
    // as 20 groups (it pools at least that many): 3 records at 96% stuck against at most 23% over
    // the 20 before (the baseline's records placed at the high end of what their means allow).
    const alerts = await alertsOf(await realSteps('trl-grpo_qwen35_collapse_step_logs.json'), groupCollapseFromSteps());
    const flagged = warnings(alerts);
    expect(flagged[0]).toMatchObject({ step: 170, since: 140, severity: 'critical', signal: 'collapse' });
    expect(flagged[0]!.message).toMatch(/^learning signal gone: 100% of groups have identical rewards, 100% all at the floor 0/);
    expect(flagged[0]!.message).toContain('for 3 steps since step 160 (96% of their groups stuck below the ceiling vs 23% before)');
    expect(flagged[0]!.evidence.stats.groups).toBe(20);
    expect(alerts.filter((a) => a.step < 170).every((a) => a.severity === 'info')).toBe(true);
  });

  it('should call the real saturated TRL run (frac 0.5-1.0, reward ~0.93) mastery, never collapse', async () => {
    const alerts = await alertsOf(await realSteps('trl-grpo_qwen35_saturation_step_logs.json'), groupCollapseFromSteps());
    expect(alerts.length).toBeGreaterThan(0);
    expect(warnings(alerts)).toEqual([]);
    expect(alerts.every((a) => a.message.startsWith('mastery'))).toBe(true);
  });

  it('should call the third all-wrong record after 20 with a learning signal a critical collapse (doc marble)', async () => {
    const records: StepRecord[] = Array.from({ length: 23 }, (_, i) => ({
      step: i + 1,
      metrics: i < 20 ? { 'groups/zero_std_frac': i % 2 ? 0.6 : 0.5, 'reward/mean': i % 2 ? 0.7 : 0.8 } : { 'groups/zero_std_frac': 1, 'reward/mean': 0 },
    }));
    const alerts = await alertsOf(records, groupCollapseFromSteps());
    expect(alerts.map((a) => `${a.state}@${a.step}:${a.severity}`)).toEqual(['onset@21:info', 'ongoing@23:critical']);
  });

  it('should use the logged all-min/all-max fractions when present', async () => {
    const record = (step: number, frac: number, allMin: number, mean: number): StepRecord => ({
      step,
      metrics: { 'groups/zero_std_frac': frac, 'groups/all_min_frac': allMin, 'groups/all_max_frac': frac - allMin, 'reward/mean': mean, 'reward/std': mean === 0 ? 0 : 0.4 },
    });
    const records = [record(1, 0.3, 0, 0.5), record(2, 0.3, 0, 0.5), record(3, 0.9, 0.6, 0.3), record(4, 0.9, 0.6, 0.3), record(5, 0.9, 0.6, 0.3)];
    // z 1: two records before are too few for the default significance; this is about the levels.
    const conditions = await lastValueFrom(from(records).pipe(groupCollapseFromStepsConditions({ stdRatio: 2, z: 1 }), toArray()));
    expect(conditions.at(-1)).toMatchObject({ active: true, severity: 'warning', signal: 'collapse' });
    expect(conditions.at(-1)!.evidence.stats.floorFrac).toBe(0.6);
    expect(conditions.at(-1)!.evidence.stats.ceilingFrac).toBeCloseTo(0.3, 12);
  });

  it('should call a step of equal rewards above the earlier range mastery at its ceiling, not all-wrong at the floor', async () => {
    // Steps 0-1 mixed (0/1), then every reward 1.1: summarizeSteps cannot tell all-right from
    // all-wrong within such a step (its best is its worst) and leaves the level fractions out;
    // the judge places the mean at the run's ceiling. Before: "all at the floor 0 ... reward 1.1".
    const events = [...mixed(0), ...mixed(1), ...[2, 3, 4, 5].flatMap((step) => stepOf(step, 8, 8, () => 1.1))];
    const records = await lastValueFrom(from(events).pipe(summarizeSteps(), toArray()));
    expect('groups/all_min_frac' in records[3]!.metrics).toBe(false);
    const conditions = await lastValueFrom(from(records).pipe(groupCollapseFromStepsConditions(), toArray()));
    const last = conditions.at(-1)!;
    expect(last.message).toMatch(/^mastery: .*all at the ceiling 1\.1 /);
    expect(last.evidence.stats).toMatchObject({ floorFrac: 0, ceilingFrac: 1, floor: 0, ceiling: 1.1 });
  });

  it('should estimate the levels when the logged fractions claim more than every group', async () => {
    const records: StepRecord[] = [
      { step: 1, metrics: { 'groups/zero_std_frac': 0.2, 'reward/mean': 0.5, 'reward/min': 0, 'reward/max': 1 } },
      { step: 2, metrics: { 'groups/zero_std_frac': 1, 'groups/all_min_frac': 1, 'groups/all_max_frac': 1, 'reward/mean': 1, 'reward/min': 1, 'reward/max': 1 } },
    ];
    const conditions = await lastValueFrom(from(records).pipe(groupCollapseFromStepsConditions(), toArray()));
    expect(conditions.at(-1)!.evidence.stats).toMatchObject({ floorFrac: 0, ceilingFrac: 1 });
    expect(conditions.at(-1)!.message).toMatch(/^mastery/);
  });

  it('should leave out evidence statistics that do not exist yet instead of reporting NaN', async () => {
    // Constant rewards: no floor/ceiling (range 0), no baseline (never a learning signal).
    const conditions = await lastValueFrom(from([...stepOf(0, 4, 4, () => 1), ...stepOf(1, 4, 4, () => 1)]).pipe(groupCollapseConditions(), toArray()));
    for (const condition of conditions) {
      expect(Object.keys(condition.evidence.stats).sort()).toEqual(['groups', 'persistence', 'rewardMean', 'rewardStd', 'zeroStdFrac']);
      expect(Object.values(condition.evidence.stats).every(Number.isFinite)).toBe(true);
    }
  });

  it('should count a record as the groups its logged fractions are multiples of, and as one when they are not', async () => {
    const record = (step: number, frac: number, mean: number): StepRecord => ({ step, metrics: { 'groups/zero_std_frac': frac, 'reward/mean': mean } });
    const fractions = [0.25, 0.375, 0.125, 0.5, 0.3125, 0.1875].map((frac, i) => record(i, frac, 0.5 + i / 100));
    const counted = await lastValueFrom(from(fractions).pipe(groupCollapseFromStepsConditions(), toArray()));
    expect(counted.map((c) => c.evidence.stats.groups)).toEqual([1, 1, 8, 8, 8, 16]);
    // Means of smoothed values share no count: one group each, as a logged share always was.
    const smoothed = [0.2713, 0.39148, 0.30071, 0.45529].map((frac, i) => record(i, frac, 0.5 + i / 100));
    const one = await lastValueFrom(from(smoothed).pipe(groupCollapseFromStepsConditions(), toArray()));
    expect(one.every((c) => c.evidence.stats.groups === 1)).toBe(true);
  });

  it('should ignore eval records and records without the metric', async () => {
    const records: StepRecord[] = [
      { step: 1, metrics: { 'reward/mean': 0.5 } },
      { step: 1, phase: 'eval', metrics: { 'groups/zero_std_frac': 1 } },
      { step: 2, metrics: { 'groups/zero_std_frac': 0.2, 'reward/mean': 0.4 } },
    ];
    const conditions = await lastValueFrom(from(records).pipe(groupCollapseFromStepsConditions(), toArray()));
    expect(conditions.map((c) => c.step)).toEqual([2]);
  });
});

describe('groupCollapse and groupCollapseFromSteps: stuck groups, not a majority at a level', () => {
  it('should call a policy that turned deterministic at a mid level a collapse, not mastery (TRL step log)', async () => {
    // From step 200 every prompt gets one answer, right for about 56% of them: zero spread
    // everywhere, reward_std 0, the reward flat. The log has no reward/max, so the ceiling is the
    // best step mean; this was "mastery: 100% of groups ..., 56% all at the ceiling" and healthy.
    for (const seed of [1, 2, 3]) {
      const alerts = await alertsOf(await trlLog(grpoRun(seed, 260, { skill: () => 0.3, oneAnswer: (step) => (step >= 200 ? 1 : 0) })), groupCollapseFromSteps());
      const flagged = warnings(alerts);
      expect(flagged[0]).toMatchObject({ signal: 'collapse', severity: 'warning' });
      expect(flagged[0]!.step).toBeGreaterThanOrEqual(200);
      expect(flagged[0]!.step).toBeLessThanOrEqual(205);
      // The fractions are multiples of 1/16: 16 groups a record.
      expect(flagged[0]!.evidence.stats.groups).toBe(16);
      expect(alerts.filter((a) => a.step >= flagged[0]!.step).some((a) => a.message.startsWith('mastery'))).toBe(false);
      expect(await verdictOf(alerts)).toBe('collapse');
    }
  });

  it('should call the same mid-level collapse from the samples (the spread is the within-group one)', async () => {
    for (const seed of [1, 2, 3]) {
      const alerts = await alertsOf(grpoRun(seed, 260, { skill: () => 0.3, oneAnswer: (step) => (step >= 200 ? 1 : 0) }), groupCollapse());
      const flagged = warnings(alerts);
      expect(flagged[0]).toMatchObject({ signal: 'collapse', severity: 'warning' });
      expect(flagged[0]!.step - 200).toBeLessThanOrEqual(5);
      expect(flagged[0]!.message).toMatch(/all at the floor 0 \(all wrong; reward [\d.]+, reward spread 0 vs /);
      expect(await verdictOf(alerts)).toBe('collapse');
    }
  });

  it('should keep mastery info when a run learns its prompts to the ceiling while a quarter stay impossible', async () => {
    // The stuck share stays at the impossible prompts' quarter: most groups solved, none newly stuck.
    for (const seed of [1, 2, 3]) {
      const events = grpoRun(seed, 300, { skill: (step) => Math.min(6, -1 + (14 * step) / 300), impossible: 0.25 });
      for (const alerts of [await alertsOf(events, groupCollapse()), await alertsOf(await trlLog(events), groupCollapseFromSteps())]) {
        expect(warnings(alerts)).toEqual([]);
        expect(alerts.some((a) => a.message.startsWith('mastery'))).toBe(true);
      }
    }
  });

  it('should not take a run that sharpens for a collapse when the log hides how its groups split (levels estimated)', async () => {
    // A quarter of the prompts never solved, the rest sharpening: the zero-spread share climbs past
    // 80% while the stuck share stays 25%. From the mean alone a record's stuck share is at least
    // zeroStdFrac − m, which rises toward the truth as mixed groups turn zero-spread; comparing
    // those low ends called this "25% stuck vs 7% before". The baseline counts at its high end.
    for (const seed of [1, 2, 3]) {
      const records = await trlLog(grpoRun(seed, 300, { skill: (step) => -1 + (7 * step) / 300, impossible: 0.25 }));
      expect(warnings(await alertsOf(records, groupCollapseFromSteps()))).toEqual([]);
    }
  });

  it('should find a shaped reward pushed to its floor over 40 logged records (group count from the fractions)', async () => {
    // Correctness falls to 0 and groups turn to one answer over steps 200-239, format and reasoning
    // rewards still differing between prompts. Counted as one group a record, the ramp's records
    // joined the baseline and 3 of 4 seeds were found late or never.
    for (const seed of [1, 2, 3, 4]) {
      const events = grpoRun(seed, 300, { skill: () => 0.3, shaped: true, oneAnswer: rampFrom(200, 40), toFloor: rampFrom(200, 40) });
      const flagged = warnings(await alertsOf(await trlLog(events), groupCollapseFromSteps()));
      expect(flagged[0]).toMatchObject({ signal: 'collapse' });
      expect(flagged[0]!.step).toBeGreaterThanOrEqual(200);
      expect(flagged[0]!.step).toBeLessThanOrEqual(245);
    }
  });

  it('should not call a collapse against a baseline of the first lucky steps (p = 0.005, groups of 4)', async () => {
    // Step 0 has the run's only success for a while (2 of 8 groups mixed: a learning signal), then
    // 9 all-wrong steps: 72 of 72 groups vs 6 of 8 has a pooled z of 4.3, but the normal
    // approximation needs more than the 0.2 not-stuck groups the baseline is expected to hold
    // (Fisher's exact p = 0.009); the continuity correction keeps it below 4.26.
    const events = binaryRun(115, 400, () => 0.005, 4);
    expect(warnings(await alertsOf(events, groupCollapse()))).toEqual([]);
  });
});

const checklistItems: RewardEvent[] = [...mixed(0), ...allWrong(1), ...allWrong(2), ...mixed(3), ...mixed(4)];
checklist<RewardEvent, GroupCollapseConfig>('groupCollapse', {
  operator: (config) => groupCollapse(config),
  config: { persistence: 1 },
  items: checklistItems,
  throwingSelect: (error) => ({
    persistence: 1,
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ zeroStdFrac: 0 }, RangeError, 'groupCollapse zeroStdFrac must lie in (0, 1]'],
    [{ persistence: 0 }, RangeError, 'groupCollapse persistence must be an integer >= 1'],
    [{ groupSize: 1 }, RangeError, 'groupCollapse groupSize must be an integer >= 2'],
    [{ floor: 1, ceiling: 0 }, RangeError, 'groupCollapse ceiling must be above floor'],
    [{ stdRatio: -1 }, RangeError, 'groupCollapse stdRatio must be a finite number > 0'],
    [{ z: -1 }, RangeError, 'groupCollapse z must be a finite number >= 0'],
    [{ severity: 'bad' as never }, TypeError, 'groupCollapse severity must be'],
    [{ group: 'group' as never }, TypeError, 'groupCollapse group must be a function'],
  ],
});

// reward/min and reward/max give the levels from the first record on, so the records before the
// collapse count in its baseline.
const stepItems: StepRecord[] = [0.3, 0.2, 0.3, 0.95, 1, 1, 0.2, 0.2, 0.2].map((frac, i) => ({
  step: i,
  metrics: { 'groups/zero_std_frac': frac, 'reward/mean': frac > 0.5 ? 0 : 0.6, 'reward/min': 0, 'reward/max': 1 },
}));
describe('groupCollapseFromSteps (marble checklist)', () => {
  // z 1: three records before the collapse are too few for the default significance.
  const op = () => groupCollapseFromSteps({ persistence: 1, z: 1 });
  it('should complete on empty, stay silent on never, forward an error, and alert in order', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<StepRecord>('|').pipe(op())).toBe('|');
      expectObservable(cold<StepRecord>('-').pipe(op())).toBe('-');
      expectObservable(cold<StepRecord>('#').pipe(op())).toBe('#');
      const values = Object.fromEntries(stepItems.map((r, i) => [String.fromCharCode(97 + i), r]));
      const source = cold<StepRecord>('-a-b-c-d-e-f-g-h-i-#', values);
      expectObservable(source.pipe(op(), map(brief))).toBe('-------o-c-------r-#', {
        o: 'onset@3/3:warning',
        c: 'ongoing@4/3:critical',
        r: 'resolved@8/3:critical',
      });
    });
  });
  it('should unsubscribe from the source (expectSubscriptions) and stop a synchronous source on take(1)', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<StepRecord>('--a--b--c--|', { a: stepItems[0]!, b: stepItems[1]!, c: stepItems[2]! });
      expectObservable(source.pipe(op()), '^-----!').toBe('------');
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    let pulled = 0;
    const sync = new (from(stepItems).constructor as typeof import('rxjs').Observable<StepRecord>)((subscriber) => {
      for (const item of stepItems) {
        if (subscriber.closed) return;
        pulled++;
        subscriber.next(item);
      }
      subscriber.complete();
    });
    const outputs: Alert[] = [];
    sync.pipe(op(), take(1)).subscribe((a) => outputs.push(a));
    expect(outputs).toHaveLength(1);
    expect(pulled).toBe(4);
  });
  it('should reject a bad config at call time', () => {
    expect(() => groupCollapseFromSteps({ levelFrac: 2 })).toThrow(new RangeError('groupCollapseFromSteps levelFrac must lie in (0, 1], got 2'));
    expect(() => groupCollapseFromSteps({ metric: '' })).toThrow(TypeError);
  });
  it('should give two subscribers independent state', () => {
    const shared = from(stepItems).pipe(op());
    const first: Alert[] = [];
    const second: Alert[] = [];
    shared.subscribe((a) => first.push(a));
    shared.subscribe((a) => second.push(a));
    expect(first.length).toBe(3);
    expect(second).toEqual(first);
  });
});
