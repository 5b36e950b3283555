import { describe, expect, it } from 'vitest';
import { DistributionDriftJudge, type DistributionDriftOptions } from '../../src/detectors/distribution-drift.js';
import { IntegerKsTree } from '../../src/kernels/ks-integer-tree.js';
import { ksTwoSamplePValue } from '../../src/kernels/ks-p-value.js';

const options = (reference: number, recent: number): DistributionDriftOptions => ({
  detector: 'distributionDrift',
  metric: 'length',
  reference,
  recent,
  alpha: 0.001,
  minChange: 0.25,
  couplingSteps: 20,
  couplingT: 4.5,
  gainReference: 10,
  gainRecent: 3,
  tCritical: 3,
  gainFloor: 0.1,
  highFrac: 0.75,
  unit: 'tokens',
});

/** A calm start, then a lasting drift: a random share of each step's lengths jumps to 300, so D visits many lattice values. */
function* lengths(steps: number, perStep: number): Generator<{ step: number; values: number[] }> {
  let seed = 7;
  const random = (): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let step = 0; step < steps; step++) {
    const share = step < 20 ? 0 : 0.5 + 0.45 * random();
    const values: number[] = [];
    for (let i = 0; i < perStep; i++) values.push(random() < share ? 300 : Math.floor(100 + 40 * random()));
    yield { step, values };
  }
}

describe('DistributionDriftJudge', () => {
  it('reports the exact KS p-value on every drifting step, its p-value memo bounded over a long episode', () => {
    // 101 vs 37 values: lcm 3737, so D has more lattice values than the memo holds (128).
    const judge = new DistributionDriftJudge(new IntegerKsTree(), options(101, 37));
    let drifting = 0;
    let maxMemo = 0;
    for (const { step, values } of lengths(5000, 13)) {
      for (const value of values) judge.push(value);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const condition = judge.judge({ step, mean, proxy: 0.9, truth: undefined, trueName: undefined });
      maxMemo = Math.max(maxMemo, judge.memoSize);
      if (condition?.active !== true) continue;
      drifting++;
      const stats = condition.evidence.stats;
      expect(stats['pValue']).toBe(ksTwoSamplePValue(stats['d']!, 101, 37).pValue);
    }
    expect(drifting).toBeGreaterThan(2500);
    expect(maxMemo).toBeGreaterThan(0);
    expect(maxMemo).toBeLessThanOrEqual(128);
  });
});
