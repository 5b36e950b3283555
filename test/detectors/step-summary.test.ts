import fc from 'fast-check';
import * as ss from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { LATE_METRIC, StepSummarizer } from '../../src/detectors/step-summary.js';

/** Feeds events in order and flushes: every record emitted. */
function summarize(items: readonly (RewardEvent | StepRecord)[], summary = new StepSummarizer()): StepRecord[] {
  const out: StepRecord[] = [];
  for (const item of items) {
    const record = 'metrics' in item ? summary.record(item) : summary.event(item);
    if (record !== undefined) out.push(record);
  }
  const last = summary.flush();
  if (last !== undefined) out.push(last);
  return out;
}

describe('StepSummarizer', () => {
  it('computes the canonical step metrics (hand-computed values)', () => {
    // Step 3: group a = {1, 1} (zero spread, all at the step max 1), group b = {0, 1}, group c = {0}
    // (one member: no std, all at the step min 0). Rewards 1 1 0 1 0: mean 0.6, sample variance
    // ((0.4²)·3 + (0.6²)·2) / 4 = (0.48 + 0.72) / 4 = 0.3.
    const events: RewardEvent[] = [
      { step: 3, reward: 1, group: 'a', length: 100, kl: 0.1, components: { correctness: 1, format: 0 } },
      { step: 3, reward: 1, group: 'a', length: 200, kl: 0.3, components: { correctness: 1, format: 0 } },
      { step: 3, reward: 0, group: 'b', length: 1024, components: { correctness: 0, format: 0 } },
      { step: 3, reward: 1, group: 'b', length: 50, components: { correctness: 0.5, format: 0.5 } },
      { step: 3, reward: 0, group: 'c', response: 'four', prompt: 'a much longer prompt that is never the length' },
    ];
    const [record] = summarize(events, new StepSummarizer({ maxLength: 1024 }));
    expect(record?.step).toBe(3);
    const m = record?.metrics ?? {};
    expect(m['reward/mean']).toBeCloseTo(0.6, 15);
    expect(m['reward/std']).toBeCloseTo(Math.sqrt(0.3), 15);
    expect(m['reward/min']).toBe(0);
    expect(m['reward/max']).toBe(1);
    // group stds: a = 0, b = sd(0, 1) = √0.5; c has one member and no std.
    expect(m['reward/group_std']).toBeCloseTo(Math.sqrt(0.5) / 2, 15);
    expect(m['groups/zero_std_frac']).toBeCloseTo(1 / 3, 15);
    expect(m['groups/all_max_frac']).toBeCloseTo(1 / 3, 15);
    expect(m['groups/all_min_frac']).toBeCloseTo(1 / 3, 15);
    // lengths 100 200 1024 50 and 4 characters of response (never the prompt).
    expect(m['length/mean']).toBeCloseTo((100 + 200 + 1024 + 50 + 4) / 5, 12);
    expect(m['length/min']).toBe(4);
    expect(m['length/max']).toBe(1024);
    expect(m['length/clip_ratio']).toBeCloseTo(1 / 5, 15);
    expect(m.kl).toBeCloseTo(0.2, 15);
    expect(m.samples).toBe(5);
    expect(m['reward/correctness/mean']).toBeCloseTo(2.5 / 4, 15);
    expect(m['reward/format/mean']).toBeCloseTo(0.125, 15);
    expect(m['reward/format/std']).toBeCloseTo(0.25, 15); // sd(0, 0, 0, 0.5) = 0.25
  });

  it('closes a step when a later step arrives and on flush, and leaves out what it cannot compute', () => {
    const summary = new StepSummarizer();
    expect(summary.event({ step: 0, reward: 2 })).toBeUndefined();
    const first = summary.event({ step: 2, response: 'abc' });
    expect(first).toEqual({ step: 0, metrics: { samples: 1, 'reward/mean': 2, 'reward/std': 0, 'reward/min': 2, 'reward/max': 2 } });
    expect(summary.currentStep).toBe(2);
    const last = summary.flush();
    // No reward, no group, no maxLength: only samples and lengths.
    expect(last).toEqual({ step: 2, metrics: { samples: 1, 'length/mean': 3, 'length/min': 3, 'length/max': 3 } });
    expect(summary.flush()).toBeUndefined();
  });

  it('skips missing and non-finite values per metric, never averaging them in', () => {
    const [record] = summarize([
      { step: 1, reward: 1, group: 'g', length: 10 },
      { step: 1, group: 'g', length: Number.NaN, kl: Number.POSITIVE_INFINITY },
      { step: 1, reward: Number.NaN, group: 'g', components: { c: Number.NaN } },
      { step: 1, reward: 3, group: 'g', components: { c: 2 } },
    ]);
    expect(record?.metrics).toMatchObject({ samples: 4, 'reward/mean': 2, 'reward/min': 1, 'reward/max': 3, 'length/mean': 10 });
    expect(record?.metrics['reward/c/mean']).toBe(2);
    expect(record?.metrics.kl).toBeUndefined();
    expect(record?.metrics['reward/group_std']).toBeCloseTo(Math.SQRT2, 15);
  });

  it('merges a trainer record of the same step: logged kl/entropy kept, sample-derived reward/length/groups win', () => {
    const logged: StepRecord = {
      step: 5,
      metrics: { 'reward/mean': 0.9, 'length/clip_ratio': 0.25, entropy: 0.4, grad_norm: 1.5, kl: 0.02 },
      raw: { reward: 0.9, entropy: 0.4 },
      missing: 1,
      t: 900,
    };
    const records = summarize([
      { step: 5, reward: 0, t: 100 },
      logged,
      { step: 5, reward: 1, t: 200 },
      { step: 6, reward: 1 },
    ]);
    expect(records[0]).toEqual({
      step: 5,
      // reward/mean from the samples (0.5, not 0.9); the clip ratio the samples cannot compute
      // (no maxLength) and the policy metrics as logged.
      metrics: {
        'reward/mean': 0.5,
        'reward/std': Math.SQRT1_2,
        'reward/min': 0,
        'reward/max': 1,
        'length/clip_ratio': 0.25,
        entropy: 0.4,
        grad_norm: 1.5,
        kl: 0.02,
        samples: 2,
      },
      raw: { reward: 0.9, entropy: 0.4 },
      missing: 1,
      t: 900,
    });
    expect(records[1]?.step).toBe(6);
  });

  it('passes a records-only stream through one step behind, merging several records of one step', () => {
    const records = summarize([
      { step: 0, metrics: { 'val/score': 0.5 }, raw: { a: 1 }, missing: 1 },
      { step: 0, metrics: { kl: 0.1, entropy: 0.5 }, raw: { b: 2 }, missing: 2 },
      { step: 0, phase: 'eval', metrics: { 'reward/mean': 0.3 } },
      { step: 1, metrics: { kl: 0.2 } },
    ]);
    expect(records).toEqual([
      { step: 0, phase: 'eval', metrics: { 'reward/mean': 0.3 } },
      { step: 0, metrics: { 'val/score': 0.5, kl: 0.1, entropy: 0.5 }, raw: { a: 1, b: 2 }, missing: 3 },
      { step: 1, metrics: { kl: 0.2 } },
    ]);
  });

  it('counts a late item instead of merging it, and reports it on the next record', () => {
    const summary = new StepSummarizer();
    const records = summarize(
      [
        { step: 1, reward: 1 },
        { step: 2, reward: 0 },
        { step: 1, reward: 100 }, // late: step 1 is already out
        { step: 1, metrics: { kl: 9 } }, // late record
        { step: 2, reward: 0 },
      ],
      summary,
    );
    expect(records.map((r) => [r.step, r.metrics['reward/mean'], r.metrics[LATE_METRIC]])).toEqual([
      [1, 1, undefined],
      [2, 0, 2],
    ]);
    expect(records[1]?.metrics.kl).toBeUndefined();
    expect(summary.lateItems).toBe(2);
  });

  it('uses a configured ceiling and floor for all_max / all_min', () => {
    const events: RewardEvent[] = [
      { step: 0, reward: 0.9, group: 'a' },
      { step: 0, reward: 0.9, group: 'a' },
      { step: 0, reward: 0.1, group: 'b' },
      { step: 0, reward: 0.1, group: 'b' },
    ];
    const [observed] = summarize(events);
    expect(observed?.metrics).toMatchObject({ 'groups/all_max_frac': 0.5, 'groups/all_min_frac': 0.5, 'groups/zero_std_frac': 1 });
    const [configured] = summarize(events, new StepSummarizer({ ceiling: 1, floor: 0 }));
    expect(configured?.metrics).toMatchObject({ 'groups/all_max_frac': 0, 'groups/all_min_frac': 0, 'groups/zero_std_frac': 1 });
  });

  it('rejects bad config and a non-finite step', () => {
    expect(() => new StepSummarizer({ maxLength: 0 })).toThrow(/maxLength/);
    expect(() => new StepSummarizer({ ceiling: Number.NaN })).toThrow(/ceiling/);
    expect(() => new StepSummarizer({ ceiling: 0, floor: 1 })).toThrow(/floor must be below ceiling/);
    expect(() => new StepSummarizer().event({ step: Number.NaN, reward: 1 })).toThrow(RangeError);
  });

  it('matches a plain recomputation with simple-statistics on arbitrary runs (property)', () => {
    const event = fc.record({
      stepDelta: fc.constantFrom(0, 0, 0, 1, 2),
      reward: fc.option(fc.integer({ min: -20, max: 20 }).map((x) => x / 4), { nil: undefined }),
      group: fc.option(fc.constantFrom('p0', 'p1', 'p2'), { nil: undefined }),
      length: fc.integer({ min: 1, max: 64 }),
      component: fc.double({ min: -5, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 120 }), (specs) => {
        let step = 0;
        const events: RewardEvent[] = specs.map((spec) => {
          step += spec.stepDelta;
          return {
            step,
            length: spec.length,
            components: { c: spec.component },
            ...(spec.reward === undefined ? {} : { reward: spec.reward }),
            ...(spec.group === undefined ? {} : { group: spec.group }),
          };
        });
        const records = summarize(events, new StepSummarizer({ maxLength: 48 }));
        const steps = [...new Set(events.map((e) => e.step))];
        expect(records.map((r) => r.step)).toEqual(steps);
        for (const record of records) {
          const ofStep = events.filter((e) => e.step === record.step);
          const rewards = ofStep.flatMap((e) => (e.reward === undefined ? [] : [e.reward]));
          const m = record.metrics;
          expect(m.samples).toBe(ofStep.length);
          if (rewards.length === 0) {
            expect(m['reward/mean']).toBeUndefined();
          } else {
            expect(m['reward/mean']).toBeCloseTo(ss.mean(rewards), 10);
            expect(m['reward/std']).toBeCloseTo(rewards.length > 1 ? ss.sampleStandardDeviation(rewards) : 0, 10);
            expect(m['reward/min']).toBe(ss.min(rewards));
            expect(m['reward/max']).toBe(ss.max(rewards));
          }
          const lengths = ofStep.map((e) => e.length ?? 0);
          expect(m['length/mean']).toBeCloseTo(ss.mean(lengths), 10);
          expect(m['length/clip_ratio']).toBeCloseTo(lengths.filter((l) => l >= 48).length / lengths.length, 12);
          const comps = ofStep.map((e) => e.components?.c ?? 0);
          expect(m['reward/c/mean']).toBeCloseTo(ss.mean(comps), 8);
          // Groups: rewards of the grouped events, per group.
          const byGroup = new Map<string, number[]>();
          for (const e of ofStep) {
            if (e.group === undefined) continue;
            const list = byGroup.get(e.group) ?? [];
            if (e.reward !== undefined) list.push(e.reward);
            byGroup.set(e.group, list);
          }
          const rated = [...byGroup.values()].filter((list) => list.length > 0);
          if (rated.length === 0) {
            expect(m['groups/zero_std_frac']).toBeUndefined();
            continue;
          }
          const zero = rated.filter((list) => list.length >= 2 && ss.sampleStandardDeviation(list) <= 1e-8).length;
          expect(m['groups/zero_std_frac']).toBeCloseTo(zero / rated.length, 12);
          const top = ss.max(rewards);
          const bottom = ss.min(rewards);
          if (top === bottom) {
            // One reward value in the whole step: the levels are undetermined and left out.
            expect([m['groups/all_max_frac'], m['groups/all_min_frac']]).toEqual([undefined, undefined]);
          } else {
            expect(m['groups/all_max_frac']).toBeCloseTo(rated.filter((l) => ss.min(l) >= top - 1e-8).length / rated.length, 12);
            expect(m['groups/all_min_frac']).toBeCloseTo(rated.filter((l) => ss.max(l) <= bottom + 1e-8).length / rated.length, 12);
          }
          const spread = rated.filter((list) => list.length >= 2);
          if (spread.length > 0) {
            expect(m['reward/group_std']).toBeCloseTo(ss.mean(spread.map((l) => ss.sampleStandardDeviation(l))), 10);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('counts non-finite values as missing, adding a logged record\'s own count, and leaves unset when none', () => {
    const [first, second] = summarize([
      { step: 1, reward: Number.NaN, components: { format: Infinity, correct: 1 }, kl: -Infinity, group: 'a' },
      { step: 1, reward: 2, length: Number.NaN, group: 'a' },
      { step: 1, metrics: { entropy: 0.5 }, missing: 3 },
      { step: 2, reward: 1 },
    ]);
    // NaN reward, Infinity component, -Infinity kl, NaN length: 4, plus the record's 3.
    expect(first!.missing).toBe(7);
    expect(first!.metrics['reward/mean']).toBe(2);
    expect(second!.missing).toBeUndefined();
  });

  it('gives rewards at any scale their mean and std, and leaves out a std that is not a double', () => {
    const [huge, alternating, beyond] = summarize([
      { step: 1, reward: 1e300, group: 'a' },
      { step: 1, reward: 3e300, group: 'a' },
      { step: 2, reward: 1e308 },
      { step: 2, reward: -1e308 },
      { step: 3, reward: 1.7e308 },
      { step: 3, reward: -1.7e308 },
    ]);
    expect(huge!.metrics['reward/mean']).toBe(2e300);
    expect(huge!.metrics['reward/std']! / 1e300).toBeCloseTo(Math.SQRT2, 14);
    expect(huge!.metrics['reward/group_std']! / 1e300).toBeCloseTo(Math.SQRT2, 14);
    expect(alternating!.metrics['reward/mean']).toBe(0);
    expect(alternating!.metrics['reward/std']! / 1e308).toBeCloseTo(Math.SQRT2, 14);
    // std = 1.7e308 · sqrt(2) is beyond the largest double (1.8e308): omitted, the mean kept.
    expect(beyond!.metrics['reward/mean']).toBe(0);
    expect('reward/std' in beyond!.metrics).toBe(false);
  });
});
