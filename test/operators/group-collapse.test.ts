import { from, lastValueFrom, map, mergeMap, take, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { groupCollapse, groupCollapseConditions, type GroupCollapseConfig } from '../../operators/group-collapse.js';
import { groupCollapseFromSteps, groupCollapseFromStepsConditions } from '../../operators/group-collapse-from-steps.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import { verdict } from '../../operators/verdict.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
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
    expect(last.evidence.stats).toMatchObject({ groups: 8, zeroStdFrac: 7 / 8, floorFrac: 7 / 8, ceilingFrac: 0, floor: 0, ceiling: 1 });
    expect(last.evidence.stats.rewardMean).toBeCloseTo(1 / 64, 12);
    // Sample std of one 1 among 64 values: sqrt(64 * (1/64) * (63/64) / 63) = 1/8; baseline: 32 of 64 -> sqrt(16/63).
    expect(last.evidence.stats.rewardStd).toBeCloseTo(1 / 8, 12);
    expect(last.evidence.stats.baselineStd).toBeCloseTo(Math.sqrt(16 / 63), 12);
    // 23 of the run's 24 groups all wrong, none of the 16 before.
    expect(last.evidence.stats.runFloorFrac).toBeCloseTo(23 / 24, 12);
    expect(last.evidence.stats.baselineFloorFrac).toBe(0);
    expect(last.evidence.samples).toHaveLength(5);
    expect(last.evidence.samples![0]).toMatchObject({ step: 4, group: 's4-g1', reward: 0, score: 0, response: 'answer 1.7' });
    expect(last.message).toBe(
      'learning signal gone: 88% of 8 groups have identical rewards, 88% all at the floor 0 (all wrong; reward 0.0156, ' +
        'reward spread 0.125 vs 0.504 before) for 3 steps since step 2 (96% of their groups all wrong vs 0% before); GRPO gets no gradient',
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
        expect(alerts[0]!.message).toMatch(/\(100% of their groups all wrong vs \d+% before\)/);
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
  it('should open a critical collapse at step 180 of the real TRL collapse log and no warning before', async () => {
    // All wrong from step 160 on. Each logged fraction counts as one group (the log does not say
    // how many it pools), so 5 records at ~95% all wrong against 4% over the 20 before are needed.
    const alerts = await alertsOf(await realSteps('trl-grpo_qwen35_collapse_step_logs.json'), groupCollapseFromSteps());
    const flagged = warnings(alerts);
    expect(flagged[0]).toMatchObject({ step: 180, since: 140, severity: 'critical', signal: 'collapse' });
    expect(flagged[0]!.message).toMatch(/^learning signal gone: 100% of groups have identical rewards, 100% all at the floor 0/);
    expect(flagged[0]!.message).toContain('for 5 steps since step 160 (95% of their groups all wrong vs 4% before)');
    expect(alerts.filter((a) => a.step < 180).every((a) => a.severity === 'info')).toBe(true);
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
