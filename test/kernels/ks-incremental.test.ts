import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegerKsTree } from '../../src/kernels/ks-integer-tree.js';
import { type IncrementalKs, SlidingKsWindows } from '../../src/kernels/ks-sliding-windows.js';
import { ksStatistics } from '../../src/kernels/ks-statistic.js';
import { ValueKsBlocks } from '../../src/kernels/ks-value-blocks.js';
import { scipyStatistics, suiteCases, suiteInputs } from '../support/ks-reference.js';

// Both incremental structures share the contract; every test runs against each.
const kinds: readonly [string, () => IncrementalKs, boolean][] = [
  ['IntegerKsTree', () => new IntegerKsTree({ domain: 16 }), true],
  ['ValueKsBlocks', () => new ValueKsBlocks(4), false],
];

type Op = { kind: 'insert' | 'remove'; sample: 'ref' | 'rec'; value: number } ;

function apply(ks: IncrementalKs, model: { ref: number[]; rec: number[] }, op: Op): void {
  const list = model[op.sample];
  if (op.kind === 'insert') {
    const ok = op.sample === 'ref' ? ks.insertReference(op.value) : ks.insertRecent(op.value);
    expect(ok).toBe(true);
    list.push(op.value);
  } else {
    const index = list.indexOf(op.value);
    const ok = op.sample === 'ref' ? ks.removeReference(op.value) : ks.removeRecent(op.value);
    expect(ok).toBe(index >= 0);
    if (index >= 0) list.splice(index, 1);
  }
}

/** W1 from the two ECDFs by brute force (area between step functions). */
function wassersteinBrute(x: readonly number[], y: readonly number[]): number {
  const all = [...x, ...y].sort((a, b) => a - b);
  let area = 0;
  for (let i = 0; i + 1 < all.length; i++) {
    const v = all[i]!;
    const fx = x.filter((s) => s <= v).length / x.length;
    const fy = y.filter((s) => s <= v).length / y.length;
    area += Math.abs(fx - fy) * (all[i + 1]! - v);
  }
  return area;
}

describe.each(kinds)('%s', (_name, make, integerOnly) => {
  it('gives 0 for A = {1}, B = {1} (River\'s (value, sample)-keyed IKS gives 1 here)', () => {
    const ks = make();
    ks.insertReference(1);
    ks.insertRecent(1);
    expect(ks.statistic()).toBe(0);
    expect(ks.greater()).toBe(0);
    expect(ks.less()).toBe(0);
  });

  it('is NaN while a sample is empty, and refuses non-finite values and absent removals', () => {
    const ks = make();
    expect(ks.statistic()).toBeNaN();
    ks.insertReference(3);
    expect(ks.statistic()).toBeNaN();
    expect(ks.insertRecent(Number.NaN)).toBe(false);
    expect(ks.insertRecent(Number.POSITIVE_INFINITY)).toBe(false);
    expect(ks.removeRecent(3)).toBe(false);
    expect(ks.removeReference(4)).toBe(false);
    expect(ks.recentSize).toBe(0);
    expect(ks.referenceSize).toBe(1);
  });

  it('matches scipy suite statistics on the integer-valued vectors (testRepeatedValues)', () => {
    for (const c of suiteCases.filter((s) => s.name === 'testRepeatedValues')) {
      const ks = make();
      const { x, y } = suiteInputs(c.inputs);
      x.forEach((v) => ks.insertReference(v));
      y.forEach((v) => ks.insertRecent(v));
      const value = c.alternative === 'two-sided' ? ks.statistic() : c.alternative === 'greater' ? ks.greater() : ks.less();
      expect(Math.abs(value - c.scipy_now_statistic)).toBeLessThan(1e-12);
    }
  });

  const values = integerOnly ? fc.integer({ min: 0, max: 40 }) : fc.oneof(fc.integer({ min: -4, max: 4 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
  const op = fc.record({
    kind: fc.constantFrom<'insert' | 'remove'>('insert', 'insert', 'remove'),
    sample: fc.constantFrom<'ref' | 'rec'>('ref', 'rec'),
    value: values,
  });

  it('property: after random inserts/removes equals the exact recomputation (ties, unequal sizes)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 10 }), (ops, every) => {
        const ks = make();
        const model = { ref: [] as number[], rec: [] as number[] };
        ops.forEach((o, i) => {
          apply(ks, model, o);
          if (i % every !== 0) return;
          expect(ks.referenceSize).toBe(model.ref.length);
          expect(ks.recentSize).toBe(model.rec.length);
          if (model.ref.length === 0 || model.rec.length === 0) {
            expect(ks.statistic()).toBeNaN();
            return;
          }
          const expected = scipyStatistics(model.ref, model.rec);
          expect(Math.abs(ks.statistic() - expected.statistic)).toBeLessThan(1e-12);
          expect(Math.abs(ks.greater() - expected.greater)).toBeLessThan(1e-12);
          expect(Math.abs(ks.less() - expected.less)).toBeLessThan(1e-12);
          expect(ks.wasserstein()).toBeCloseTo(wassersteinBrute(model.ref, model.rec), 6);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('property: D in [0, 1]; swapping the samples keeps D and swaps D+ and D-', () => {
    const sample = fc.array(values, { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const forward = make();
        const backward = make();
        x.forEach((v) => (forward.insertReference(v), backward.insertRecent(v)));
        y.forEach((v) => (forward.insertRecent(v), backward.insertReference(v)));
        const d = forward.statistic();
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(backward.statistic()).toBe(d);
        expect(backward.greater()).toBe(forward.less());
        expect(backward.less()).toBe(forward.greater());
      }),
    );
  });

  it('property: invariant under a strictly increasing transform of the values', () => {
    // integers, so the transform stays strictly increasing after rounding to doubles
    const sample = fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 50 });
    const transform = integerOnly ? (v: number) => 3 * v + 7 : (v: number) => Math.exp(v / 3) - 10;
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const plain = make();
        const moved = make();
        x.forEach((v) => (plain.insertReference(v), moved.insertReference(transform(v))));
        y.forEach((v) => (plain.insertRecent(v), moved.insertRecent(transform(v))));
        expect(moved.statistic()).toBe(plain.statistic());
        expect(moved.greater()).toBe(plain.greater());
      }),
    );
  });

  it('does not rebuild while both sliding windows stay full', () => {
    const windows = new SlidingKsWindows(make(), { referenceSize: 50, recentSize: 30 });
    const draw = (i: number): number => (i * 7919) % 23;
    for (let i = 0; i < 80; i++) windows.pushReference(draw(i));
    for (let i = 0; i < 30; i++) windows.pushRecent(draw(i + 3));
    windows.kernel.statistic();
    const kernel = windows.kernel as IntegerKsTree | ValueKsBlocks;
    const rebuilds = kernel.rebuilds;
    for (let i = 0; i < 200; i++) {
      windows.pushRecent(draw(5 * i + 1));
      windows.kernel.statistic();
    }
    expect(kernel.rebuilds).toBe(rebuilds);
  });
});

describe('SlidingKsWindows', () => {
  it('property: statistic over sliding windows equals recomputation over the last w values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (pushes, refSize, recSize) => {
          for (const [, make] of kinds) {
            const windows = new SlidingKsWindows(make(), { referenceSize: refSize, recentSize: recSize });
            const ref: number[] = [];
            const rec: number[] = [];
            for (const [toReference, value] of pushes) {
              if (toReference) {
                windows.pushReference(value);
                ref.push(value);
              } else {
                // adjacent windows: what leaves the recent window enters the reference
                const evicted = windows.pushRecent(value);
                rec.push(value);
                if (rec.length > recSize) {
                  expect(evicted).toBe(rec.shift());
                  windows.pushReference(evicted);
                  ref.push(evicted);
                } else expect(evicted).toBeNaN();
              }
              if (ref.length > refSize) ref.shift();
              expect(windows.referenceLength).toBe(ref.length);
              expect(windows.recentLength).toBe(rec.length);
              if (ref.length > 0 && rec.length > 0) {
                expect(Math.abs(windows.kernel.statistic() - ksStatistics(ref, rec).statistic)).toBeLessThan(1e-12);
              }
            }
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses non-finite values and bad sizes', () => {
    const windows = new SlidingKsWindows(new ValueKsBlocks(), { referenceSize: 2, recentSize: 2 });
    expect(windows.pushRecent(Number.NaN)).toBeNaN();
    expect(windows.recentLength).toBe(0);
    expect(() => new SlidingKsWindows(new ValueKsBlocks(), { recentSize: 0 })).toThrow(RangeError);
  });
});

describe('IntegerKsTree domain', () => {
  it('grows to hold larger values, clamps at maxDomain, floors fractions', () => {
    const ks = new IntegerKsTree({ domain: 4, maxDomain: 64 });
    ks.insertReference(10);
    expect(ks.domain).toBe(16);
    ks.insertRecent(1000);
    expect(ks.domain).toBe(64);
    expect(ks.clamped).toBe(1);
    expect(ks.statistic()).toBe(1);
    expect(ks.removeRecent(5000)).toBe(true); // maps to the same clamped bin
    ks.insertRecent(10.7);
    expect(ks.statistic()).toBe(0);
    expect(() => new IntegerKsTree({ domain: 0 })).toThrow(RangeError);
    expect(() => new IntegerKsTree({ domain: 128, maxDomain: 64 })).toThrow(RangeError);
  });
});

describe('IntegerKsTree lazy refresh', () => {
  it('property: queried after long runs of updates (growing the domain between queries), equals the recomputation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { minLength: 150, maxLength: 400, size: 'max' }),
        fc.integer({ min: 20, max: 70 }),
        (pushes, every) => {
          const windows = new SlidingKsWindows(new IntegerKsTree({ domain: 8 }), { referenceSize: 40, recentSize: 15 });
          const ref: number[] = [];
          const rec: number[] = [];
          pushes.forEach(([toReference, value], i) => {
            if (toReference) {
              windows.pushReference(value);
              ref.push(value);
            } else {
              const evicted = windows.pushRecent(value);
              rec.push(value);
              if (!Number.isNaN(evicted)) {
                windows.pushReference(rec.shift()!);
                ref.push(evicted);
              }
            }
            if (ref.length > 40) ref.shift();
            if (i % every !== every - 1 || ref.length === 0 || rec.length === 0) return;
            const expected = scipyStatistics(ref, rec);
            expect(Math.abs(windows.kernel.statistic() - expected.statistic)).toBeLessThan(1e-12);
            expect(Math.abs(windows.kernel.greater() - expected.greater)).toBeLessThan(1e-12);
            expect(Math.abs(windows.kernel.less() - expected.less)).toBeLessThan(1e-12);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
