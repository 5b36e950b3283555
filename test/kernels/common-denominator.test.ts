import { describe, expect, it } from 'vitest';
import { CommonDenominator } from '../../src/kernels/common-denominator.js';

const countOf = (values: readonly number[], maxCount?: number): number => {
  const d = new CommonDenominator(maxCount);
  for (const v of values) d.push(v);
  return d.count;
};

describe('CommonDenominator', () => {
  it('finds the count that fractions of groups are multiples of, once a later value confirms it', () => {
    expect(countOf([0.5, 0.25, 0.75])).toBe(4);
    // k/16 over 16 groups: 3/16 sets it, 5/16 confirms it.
    expect(countOf([3 / 16, 5 / 16, 1 / 2])).toBe(16);
    // TRL's multiples of 1/20 as printed (0.55, 0.65, ...), and float32 means printed in full.
    expect(countOf([0.55, 0.65, 0.7, 0.9])).toBe(20);
    expect(countOf([0.6000000238418579, 0.20000000298023224])).toBe(5);
  });

  it('counts a mean over a logging window of K steps as the K·G groups it pools', () => {
    // Means of 5 steps of 16 groups: multiples of 1/80.
    expect(countOf([37 / 80, 41 / 80, 13 / 80])).toBe(80);
  });

  it('keeps the last confirmed count until a new one is confirmed, so it never exceeds the groups pooled', () => {
    const d = new CommonDenominator();
    d.push(0.5);
    expect(d.count).toBe(1); // 2 fitted, not yet confirmed
    d.push(0.5);
    expect(d.count).toBe(2);
    d.push(1 / 16); // extends to 16, unconfirmed
    expect(d.count).toBe(2);
    d.push(7 / 16);
    expect(d.count).toBe(16);
  });

  it('ignores 0 and 1, which fit any count', () => {
    expect(countOf([0, 1, 1, 0])).toBe(1);
    expect(countOf([0, 0.25, 1, 0.75, 0])).toBe(4);
  });

  it('gives up (1) when the values share no count up to maxCount: smoothed or reweighted values', () => {
    expect(countOf([0.8137, 0.52914, 0.3333, 0.777771])).toBe(1);
    expect(countOf([1 / 3, 1 / 7, 1 / 11], 64)).toBe(1);
    // Once given up, it stays given up.
    expect(countOf([0.8137, 0.52914, 0.5, 0.5, 0.25])).toBe(1);
  });
});
