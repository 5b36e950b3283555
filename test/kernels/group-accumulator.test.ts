import fc from 'fast-check';
import * as ss from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { GroupAccumulator, allAtLeast, allAtMost, type GroupSummary } from '../../src/kernels/group-accumulator.js';

describe('GroupAccumulator', () => {
  it('summarises a group and closes it at the expected size (hand-computed)', () => {
    const groups = new GroupAccumulator({ expectedSize: 4 });
    expect(groups.add('p', 1)).toBeUndefined();
    expect(groups.add('p', 2)).toBeUndefined();
    expect(groups.add('p', 3)).toBeUndefined();
    const summary = groups.add('p', 6);
    // values 1 2 3 6: mean 3; squared deviations 4 1 0 9 = 14; sample variance 14/3.
    expect(summary).toMatchObject({ key: 'p', members: 4, count: 4, min: 1, max: 6, closedBy: 'size', zeroStd: false, allEqual: false });
    expect(summary?.mean).toBe(3);
    expect(summary?.std).toBeCloseTo(Math.sqrt(14 / 3), 14);
    expect(summary?.allAtCeiling).toBeUndefined();
    expect(groups.openGroups).toBe(0);
    expect(groups.has('p')).toBe(false);
  });

  it('follows TRL zero-std semantics: torch.isclose(std, 0) with atol 1e-8, sample std, NaN for one member', () => {
    // torch.isclose(a, b) is |a − b| ≤ atol + rtol·|b| with rtol = 1e-5, atol = 1e-8 (PyTorch
    // docs); with b = 0 the test is std ≤ 1e-8. torch.std is unbiased, NaN for one element.
    const groups = new GroupAccumulator();
    for (const value of [0.7, 0.7, 0.7]) groups.add('equal', value);
    // Rewards 0 and 1e-8: sample std = 1e-8/√2 ≈ 7.07e-9 ≤ 1e-8 → zero std.
    groups.add('tiny', 0);
    groups.add('tiny', 1e-8);
    // Rewards 0 and 2e-8: sample std ≈ 1.41e-8 > 1e-8 → not zero std.
    groups.add('small', 0);
    groups.add('small', 2e-8);
    groups.add('single', 1);
    const byKey = new Map(groups.closeAll().map((summary) => [summary.key, summary]));
    expect(byKey.get('equal')).toMatchObject({ zeroStd: true, allEqual: true, std: 0 });
    expect(byKey.get('tiny')).toMatchObject({ zeroStd: true, allEqual: true });
    expect(byKey.get('small')).toMatchObject({ zeroStd: false, allEqual: false });
    expect(byKey.get('single')?.std).toBeNaN();
    expect(byKey.get('single')).toMatchObject({ zeroStd: false, allEqual: true, count: 1 });
    expect(groups.openGroups).toBe(0);
  });

  it('relative tolerance scales with the magnitude of the rewards', () => {
    const groups = new GroupAccumulator({ absoluteTolerance: 0, relativeTolerance: 1e-6 });
    groups.add('big', 1000);
    groups.add('big', 1000.0005); // range 5e-4 ≤ 1e-6 × 1000.0005; std ≈ 3.5e-4 ≤ 1e-6 × 1000
    const summary = groups.close('big');
    expect(summary).toMatchObject({ zeroStd: true, allEqual: true, closedBy: 'explicit' });
  });

  it('flags all-at-ceiling and all-at-floor against configured levels', () => {
    const groups = new GroupAccumulator({ expectedSize: 3, ceiling: 1, floor: 0 });
    groups.add('solved', 1);
    groups.add('solved', 1);
    expect(groups.add('solved', 1)).toMatchObject({ allAtCeiling: true, allAtFloor: false, zeroStd: true });
    groups.add('failed', 0);
    groups.add('failed', 0);
    expect(groups.add('failed', 0)).toMatchObject({ allAtCeiling: false, allAtFloor: true });
    groups.add('mixed', 0);
    groups.add('mixed', 1);
    expect(groups.add('mixed', 1)).toMatchObject({ allAtCeiling: false, allAtFloor: false });
  });

  it('lets the caller compare with a level known only later (the step maximum)', () => {
    const groups = new GroupAccumulator();
    for (const value of [0.8, 0.8]) groups.add('a', value);
    for (const value of [0.2, 0.8]) groups.add('b', value);
    const summaries = groups.closeAll();
    const stepMax = Math.max(...summaries.map((summary) => summary.max));
    expect(summaries.map((summary) => allAtLeast(summary, stepMax))).toEqual([true, false]);
    expect(summaries.map((summary) => allAtMost(summary, 0.2))).toEqual([false, false]);
    expect(allAtLeast({ count: 0, min: Number.NaN }, 0)).toBe(false);
  });

  it('counts non-finite values as members but not in the statistics', () => {
    const groups = new GroupAccumulator({ expectedSize: 3 });
    groups.add('g', 1);
    groups.add('g', Number.NaN);
    const summary = groups.add('g', 3);
    expect(summary).toMatchObject({ members: 3, count: 2, mean: 2, min: 1, max: 3 });
    groups.add('none', Number.POSITIVE_INFINITY);
    const empty = groups.close('none');
    expect(empty).toMatchObject({ members: 1, count: 0, zeroStd: false, allEqual: false });
    expect(empty?.mean).toBeNaN();
  });

  it('close on an unknown key returns undefined; a closed key can reopen fresh', () => {
    const groups = new GroupAccumulator();
    expect(groups.close('nope')).toBeUndefined();
    groups.add('k', 5);
    groups.close('k');
    groups.add('k', 7);
    expect(groups.close('k')).toMatchObject({ count: 1, mean: 7, min: 7, max: 7 });
  });

  it('rejects bad config at construction', () => {
    expect(() => new GroupAccumulator({ expectedSize: 0 })).toThrow(RangeError);
    expect(() => new GroupAccumulator({ expectedSize: 2.5 })).toThrow(RangeError);
    expect(() => new GroupAccumulator({ absoluteTolerance: -1 })).toThrow(RangeError);
    expect(() => new GroupAccumulator({ relativeTolerance: Number.NaN })).toThrow(RangeError);
    expect(() => new GroupAccumulator({ ceiling: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('matches simple-statistics per group under interleaved events and slot reuse (> 64 open groups)', () => {
    const event = fc.record({ group: fc.integer({ min: 0, max: 150 }), value: fc.double({ min: -1e3, max: 1e3, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 600 }), fc.integer({ min: 1, max: 6 }), (events, size) => {
        const groups = new GroupAccumulator({ expectedSize: size });
        const open = new Map<string, number[]>();
        const closed: GroupSummary[] = [];
        const expected: number[][] = [];
        for (const { group, value } of events) {
          const key = `g${group}`;
          const values = open.get(key) ?? [];
          values.push(value);
          open.set(key, values);
          const summary = groups.add(key, value);
          if (values.length === size) {
            expect(summary).toBeDefined();
            closed.push(summary!);
            expected.push(values);
            open.delete(key);
          } else {
            expect(summary).toBeUndefined();
          }
        }
        expect(groups.openGroups).toBe(open.size);
        const rest = groups.closeAll();
        closed.push(...rest);
        expected.push(...rest.map((summary) => open.get(summary.key)!));
        closed.forEach((summary, index) => {
          const values = expected[index]!;
          expect(summary.count).toBe(values.length);
          expect(summary.mean).toBeCloseTo(ss.mean(values), 9);
          expect(summary.min).toBe(ss.min(values));
          expect(summary.max).toBe(ss.max(values));
          if (values.length >= 2) expect(summary.std).toBeCloseTo(ss.sampleStandardDeviation(values), 8);
          expect(summary.allEqual).toBe(ss.max(values) - ss.min(values) <= 1e-8);
        });
      }),
      { numRuns: 150 },
    );
  });
});
