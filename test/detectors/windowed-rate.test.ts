import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RateJudge,
  resolveRateJudgeConfig,
  TopSamples,
  TypicalReward,
  wilsonLower,
  WindowedRate,
} from '../../src/detectors/windowed-rate.js';

describe('wilsonLower', () => {
  it('should match the Wilson interval of statsmodels proportion_confint(method="wilson")', () => {
    // statsmodels: proportion_confint(50, 100, alpha=0.05, method='wilson') = (0.40383, 0.59617)
    expect(wilsonLower(50, 100, 1.959963984540054)).toBeCloseTo(0.4038315, 6);
    // proportion_confint(0, 20, alpha=0.05, method='wilson') = (0.0, 0.16113)
    expect(wilsonLower(0, 20, 1.959963984540054)).toBe(0);
    // proportion_confint(9, 10, alpha=0.05, method='wilson') = (0.59585, 0.98212)
    expect(wilsonLower(9, 10, 1.959963984540054)).toBeCloseTo(0.5958500, 5);
    expect(wilsonLower(0, 0, 3)).toBe(0);
  });
});

describe('WindowedRate', () => {
  it('should equal a recount of the last w flags (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.boolean(), { maxLength: 100 }), (window, flags) => {
        const rate = new WindowedRate(window);
        flags.forEach((flag, i) => {
          rate.push(flag);
          const last = flags.slice(Math.max(0, i + 1 - window), i + 1);
          expect(rate.count).toBe(last.filter(Boolean).length);
          expect(rate.size).toBe(last.length);
        });
      }),
    );
  });
});

describe('RateJudge', () => {
  const judgeAll = (judge: RateJudge, steps: readonly (readonly boolean[])[]) => {
    const out = [];
    for (const [step, flags] of steps.entries()) for (const flag of flags) {
      const j = judge.push(flag, step);
      if (j !== undefined) out.push(j);
    }
    const last = judge.flush();
    if (last !== undefined) out.push(last);
    return out;
  };
  const step = (flagged: number, of = 10): boolean[] => Array.from({ length: of }, (_, i) => i < flagged);

  it('should recover from a degenerate start: a high warm-up rate is capped and decays', () => {
    // The run starts with 60% flagged (a broken first batch), then is clean, then rises to 50%.
    const judge = new RateJudge(resolveRateJudgeConfig('t', { window: 10, warmup: 10, persistence: 1 }));
    const out = judgeAll(judge, [step(6), ...Array.from({ length: 80 }, () => step(0)), step(5), step(5)]);
    expect(out[0]).toMatchObject({ baseline: 0.1, threshold: 0.25, rule: true, active: true });
    expect(out.at(-1)).toMatchObject({ rate: 0.5, active: true });
    // The raw baseline decays by 0.95 per quiet judgement; a judgement reports it before its own
    // update, so the 80th clean step shows 0.6 * 0.95^79 ≈ 0.0104.
    expect(out.at(-3)!.baseline).toBeCloseTo(0.6 * 0.95 ** 79, 9);
    // A frozen baseline of 0.6 (the incumbent way) would never see 50% as a rise.
    expect(0.5 >= 0.6 + 0.15).toBe(false);
  });

  it('should require significance as well as the effect floor', () => {
    const z = resolveRateJudgeConfig('t', { window: 200, minSamples: 5, warmup: 0, persistence: 1, maxBaseline: 0.1 });
    const j = judgeAll(new RateJudge(z), [step(1, 10), step(3, 10)]).at(-1)!;
    // 4 of 20 = 20% meets the floor; its Wilson lower bound at z = 3 is 0.048 < baseline 0.1: no rule.
    expect(j.rate).toBeCloseTo(0.2, 12);
    expect(j.lowerBound).toBeLessThan(j.baseline);
    expect(j.rule).toBe(false);
  });

  it('should judge fixed mode strictly above maxRate with persistence', () => {
    const judge = new RateJudge(resolveRateJudgeConfig('t', { mode: 'fixed', maxRate: 0.3, window: 10, persistence: 2 }));
    const out = judgeAll(judge, [step(3), step(4), step(4), step(0)]);
    expect(out.map((j) => [j.rule, j.active])).toEqual([[false, false], [true, false], [true, true], [false, false]]);
  });

  it('should reject bad configs naming the field', () => {
    expect(() => resolveRateJudgeConfig('x', { mode: 'fixed' })).toThrow('x maxRate is required');
    expect(() => resolveRateJudgeConfig('x', { z: -1 })).toThrow('x z must be a finite number >= 0');
    expect(() => resolveRateJudgeConfig('x', { baselineAlpha: 0 })).toThrow('x baselineAlpha must lie in (0, 1]');
  });
});

describe('TopSamples', () => {
  it('should keep the 5 highest scores of the last horizon observations, newest first among equals', () => {
    const top = new TopSamples(10, (step: number, score: number) => ({ step, score }));
    for (let i = 0; i < 12; i++) {
      top.tick();
      top.offer(i, i % 3);
    }
    // Observations 2..11 are in the horizon; scores 2 at i = 2, 5, 8, 11; score 1 at 4, 7, 10.
    expect(top.samples().map((s) => s.step)).toEqual([11, 8, 5, 2, 10]);
    for (let i = 0; i < 10; i++) top.tick();
    expect(top.samples()).toEqual([]);
  });
});

describe('TypicalReward', () => {
  it('should call a reward paid at or above the running mean, in any units', () => {
    for (const scale of [1, 1000, 0.001]) {
      const typical = new TypicalReward(0.5);
      expect(typical.paid(1 * scale)).toBe(false);
      typical.observe(0);
      typical.observe(1 * scale);
      expect(typical.value).toBeCloseTo(0.5 * scale, 12);
      expect(typical.paid(0.5 * scale)).toBe(true);
      expect(typical.paid(0.49 * scale)).toBe(false);
      expect(typical.paid(undefined)).toBe(false);
    }
  });

  it('should never call a reward at the run floor paid, even when the typical reward sank to it', () => {
    for (const [scale, offset] of [[1, 0], [1000, 0], [0.001, 0], [1, -3], [1, 5]] as const) {
      const typical = new TypicalReward();
      for (let i = 0; i < 500; i++) typical.observe(offset);
      // Every reward so far sits at one level: 0 >= typical 0 is no payment.
      expect(typical.value).toBe(offset);
      expect(typical.floor).toBe(offset);
      expect(typical.paid(offset)).toBe(false);
      expect(typical.paid(offset + 1 * scale)).toBe(true);
      // Once something is paid above the floor, the floor is still unpaid and the typical reward decides above it.
      for (let i = 0; i < 50; i++) typical.observe(offset + (i % 10 === 0 ? scale : 0));
      expect(typical.paid(offset)).toBe(false);
      expect(typical.paid(offset + 0.001 * scale)).toBe(false); // below the typical reward (about 0.02)
      expect(typical.paid(offset + scale)).toBe(true);
    }
  });

  it('should call a reward above a penalty floor paid when it reaches the typical reward', () => {
    // -1 for a malformed response, 0 for a wrong one: escaping the penalty at the typical level is paid.
    const typical = new TypicalReward(0.5);
    typical.observe(-1);
    for (let i = 0; i < 40; i++) typical.observe(0);
    expect(typical.floor).toBe(-1);
    expect(typical.paid(0)).toBe(true);
    expect(typical.paid(-1)).toBe(false);
    expect(new TypicalReward().floor).toBeNaN();
  });
});
