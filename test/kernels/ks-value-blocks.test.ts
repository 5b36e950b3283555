import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingKsWindows } from '../../src/kernels/ks-sliding-windows.js';
import { ksStatistics } from '../../src/kernels/ks-statistic.js';
import { ValueKsBlocks } from '../../src/kernels/ks-value-blocks.js';
import { wassersteinDistance } from '../../src/kernels/wasserstein.js';
import { suiteCases, suiteInputs } from '../support/ks-reference.js';

// The shared contract (ties, NaN, symmetry, monotone invariance, no rebuilds while sliding) is in
// ks-incremental.test.ts; here: scipy's whole suite, and sequences long enough to split, compact
// and merge blocks (64 values each), checked bit for bit against the plain recomputation.

function expectExact(ks: ValueKsBlocks, ref: readonly number[], rec: readonly number[]): void {
  const expected = ksStatistics(ref, rec);
  expect(ks.statistic()).toBe(expected.statistic);
  expect(ks.greater()).toBe(expected.greater);
  expect(ks.less()).toBe(expected.less);
}

/** Values with heavy ties (a pool of 40) mixed with distinct reals, so blocks hold both. */
const tiedOrDistinct = fc.oneof(
  fc.integer({ min: 0, max: 39 }).map((k) => k / 8),
  fc.double({ min: -10, max: 10, noNaN: true }),
);

describe('ValueKsBlocks', () => {
  it('matches scipy 1.17.1 on every two-sample suite case (../shared/references/ks_two_sample.json)', () => {
    for (const c of suiteCases) {
      const ks = new ValueKsBlocks();
      const { x, y } = suiteInputs(c.inputs);
      x.forEach((v) => ks.insertReference(v));
      y.forEach((v) => ks.insertRecent(v));
      const value = c.alternative === 'two-sided' ? ks.statistic() : c.alternative === 'greater' ? ks.greater() : ks.less();
      expect(Math.abs(value - c.scipy_now_statistic), `${c.name} ${c.inputs} ${c.alternative}`).toBeLessThan(1e-12);
    }
  });

  it('property: long insert/remove sequences equal the plain recomputation (KS bit for bit, Wasserstein to 1e-9)', () => {
    const op = fc.record({ remove: fc.boolean(), reference: fc.boolean(), value: tiedOrDistinct });
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 1500 }), fc.integer({ min: 1, max: 50 }), (ops, every) => {
        const blocks = new ValueKsBlocks(4);
        const model = { ref: [] as number[], rec: [] as number[] };
        ops.forEach((o, i) => {
          const list = o.reference ? model.ref : model.rec;
          if (o.remove) {
            // Remove an existing value most of the time, so the samples shrink and blocks merge.
            const value = list.length > 0 && i % 4 !== 0 ? list[(i * 7919) % list.length]! : o.value;
            const at = list.indexOf(value);
            const removed = o.reference ? blocks.removeReference(value) : blocks.removeRecent(value);
            expect(removed).toBe(at >= 0);
            if (at >= 0) list.splice(at, 1);
          } else {
            if (o.reference) blocks.insertReference(o.value);
            else blocks.insertRecent(o.value);
            list.push(o.value);
          }
          if (i % every !== 0) return;
          expect(blocks.distinctValues).toBe(new Set([...model.ref, ...model.rec].map((v) => (v === 0 ? 0 : v))).size);
          if (model.ref.length === 0 || model.rec.length === 0) {
            expect(blocks.statistic()).toBeNaN();
            return;
          }
          expectExact(blocks, model.ref, model.rec);
          const area = wassersteinDistance(model.ref, model.rec);
          expect(Math.abs(blocks.wasserstein() - area)).toBeLessThanOrEqual(1e-9 * Math.max(1, area));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('property: both windows sliding (adjacent) equal the recomputation over the last values', () => {
    fc.assert(
      fc.property(
        fc.array(tiedOrDistinct, { minLength: 300, maxLength: 2500 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 97 }),
        (stream, referenceSize, recentSize, every) => {
          const windows = new SlidingKsWindows(new ValueKsBlocks(), { referenceSize, recentSize });
          stream.forEach((value, i) => {
            const evicted = windows.pushRecent(value);
            if (!Number.isNaN(evicted)) windows.pushReference(evicted);
            if (i % every !== 0 || windows.referenceLength === 0) return;
            const recent = stream.slice(Math.max(0, i + 1 - recentSize), i + 1);
            const reference = stream.slice(Math.max(0, i + 1 - recentSize - referenceSize), Math.max(0, i + 1 - recentSize));
            expectExact(windows.kernel, reference, recent);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a drifting stream leaves no pile of dead blocks: distinct values and memory stay bounded', () => {
    // Values climb steadily, so every block of old values empties out; they must be merged away.
    const windows = new SlidingKsWindows(new ValueKsBlocks(), { referenceSize: 500, recentSize: 500 });
    for (let i = 0; i < 50_000; i++) {
      const evicted = windows.pushRecent(i * 0.001 + (i % 7));
      if (!Number.isNaN(evicted)) windows.pushReference(evicted);
      if (i % 5000 === 4999) windows.kernel.statistic();
    }
    expect(windows.kernel.distinctValues).toBeLessThanOrEqual(1000);
    // 1000 live values need at most 1000 / (BLOCK / 4) + 1 = 63 blocks; allow the merge slack.
    expect((windows.kernel as unknown as { blocks: number }).blocks).toBeLessThanOrEqual(63);
    const ref = Array.from({ length: 500 }, (_, k) => (49_000 + k) * 0.001 + ((49_000 + k) % 7));
    const rec = Array.from({ length: 500 }, (_, k) => (49_500 + k) * 0.001 + ((49_500 + k) % 7));
    expectExact(windows.kernel, ref, rec);
  });

  it('sums in doubles once nRef·nRec reaches 2^30, with the same results', () => {
    const ks = new ValueKsBlocks();
    const ref: number[] = [];
    const rec: number[] = [];
    for (let i = 0; i < 36_000; i++) ref.push(((i * 7919) % 5003) / 100);
    for (let i = 0; i < 30_000; i++) rec.push(((i * 104_729) % 4999) / 100 + 0.5);
    ref.forEach((v) => ks.insertReference(v));
    rec.forEach((v) => ks.insertRecent(v));
    expect(36_000 * 30_000).toBeGreaterThan(2 ** 30);
    expectExact(ks, ref, rec);
  });

  it('clear() empties both samples and the structure is reusable; bad capacity is refused', () => {
    const ks = new ValueKsBlocks(1);
    for (let i = 0; i < 500; i++) {
      ks.insertReference(i);
      ks.insertRecent(i + 250);
    }
    expect(ks.removeRecent(700)).toBe(true); // remembered as the last removal, in a high block
    ks.clear();
    expect(ks.referenceSize).toBe(0);
    expect(ks.distinctValues).toBe(0);
    expect(ks.statistic()).toBeNaN();
    // Re-inserting the last removed value must not find it in the cleared blocks.
    ks.insertReference(700);
    ks.insertRecent(800);
    expect(ks.distinctValues).toBe(2);
    expect(ks.greater()).toBe(1);
    expect(ks.less()).toBe(0);
    ks.clear();
    ks.insertReference(-0);
    ks.insertRecent(0);
    expect(ks.statistic()).toBe(0);
    expect(ks.removeRecent(-0)).toBe(true);
    expect(ks.removeRecent(0)).toBe(false);
    expect(() => new ValueKsBlocks(0)).toThrow(RangeError);
    expect(() => new ValueKsBlocks(1.5)).toThrow(RangeError);
  });
});
