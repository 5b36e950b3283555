import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('fast-check seed (test/support/fast-check-seed.ts)', () => {
  const chosen = process.env.GOODHART_FC_SEED;

  it.skipIf(chosen === 'random')('draws the same cases in every run unless GOODHART_FC_SEED=random', () => {
    const seed = fc.readConfigureGlobal().seed;
    expect(seed).toBe(chosen === undefined || chosen === '' ? 20261208 : Number(chosen));
    expect(fc.sample(fc.double(), 5)).toEqual(fc.sample(fc.double(), 5));
  });
});
