import { describe, expect, it } from 'vitest';
import { RunningCoMoments, WithinGroupCoMoments } from '../../src/kernels/co-moments.js';
import { partialSlopeOfMoments } from '../../src/kernels/partial-slope.js';
import { Random } from '../../src/sim/random.js';

/** Two-pass centered sums of squares and products: the textbook reference. */
function twoPass(x: readonly number[], y: readonly number[], z: readonly number[]) {
  const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my, mz] = [mean(x), mean(y), mean(z)];
  const sum = (f: (i: number) => number): number => x.reduce((acc, _, i) => acc + f(i), 0);
  return {
    sxx: sum((i) => (x[i]! - mx) ** 2),
    syy: sum((i) => (y[i]! - my) ** 2),
    sxy: sum((i) => (x[i]! - mx) * (y[i]! - my)),
    szz: sum((i) => (z[i]! - mz) ** 2),
    sxz: sum((i) => (x[i]! - mx) * (z[i]! - mz)),
    syz: sum((i) => (y[i]! - my) * (z[i]! - mz)),
  };
}

describe('RunningCoMoments', () => {
  it('equals the two-pass sums of squares and products', () => {
    const rng = new Random(3);
    const x = Array.from({ length: 200 }, () => 300 + 90 * rng.normal());
    const y = x.map((v) => 0.002 * v + rng.normal());
    const z = y.map((v) => v + rng.normal());
    const m = new RunningCoMoments();
    for (let i = 0; i < x.length; i++) m.push(x[i]!, y[i]!, z[i]!);
    const expected = twoPass(x, y, z);
    for (const key of ['sxx', 'syy', 'sxy', 'szz', 'sxz', 'syz'] as const) expect(m[key]).toBeCloseTo(expected[key], 6);
  });

  it('keeps the spread of values far from 0, where Σxy − ΣxΣy/n cancels', () => {
    const m = new RunningCoMoments();
    const raw = { n: 0, x: 0, xx: 0 };
    for (const d of [4, 7, 13, 16]) {
      m.push(1e9 + d, 1e9 + d, 0);
      raw.n++;
      raw.x += 1e9 + d;
      raw.xx += (1e9 + d) ** 2;
    }
    expect(m.sxx).toBe(90); // 3 x 30, the Welford example of `Moments`
    expect(m.sxy).toBe(90);
    expect(raw.xx - (raw.x * raw.x) / raw.n).not.toBe(90); // the raw-sum formula loses it
  });
});

describe('WithinGroupCoMoments', () => {
  it('pools each group about its own mean, counts a returning key as a new group, and reads the within-group slope', () => {
    const within = new WithinGroupCoMoments();
    // Across groups longer means worse; within each group, 1 per unit of length.
    const groups: [string, number[], number[]][] = [
      ['a', [1, 3], [10, 12]],
      ['b', [5, 7], [0, 2]],
      ['a', [2, 4, 6], [9, 11, 13]],
    ];
    for (const [key, x, y] of groups) for (let i = 0; i < x.length; i++) within.push(x[i]!, y[i]!, 0, key);
    expect(within.groups).toBe(3);
    expect(within.n).toBe(7);
    const pooled = within.pooled();
    const expected = groups.map(([, x, y]) => twoPass(x, y, x.map(() => 0)));
    expect(pooled.sxx).toBeCloseTo(expected.reduce((a, m) => a + m.sxx, 0), 12);
    expect(pooled.sxy).toBeCloseTo(expected.reduce((a, m) => a + m.sxy, 0), 12);
    expect(partialSlopeOfMoments(pooled, false, within.n - within.groups - 1).slope).toBeCloseTo(1, 12);
    // Reading the pooled moments changes nothing: a later sample of the open group stays in it.
    within.push(8, 15, 0, 'a');
    expect(within.groups).toBe(3);
    within.reset();
    expect([within.n, within.groups, within.zz, within.pooled().sxx]).toEqual([0, 0, 0, 0]);
  });
});
