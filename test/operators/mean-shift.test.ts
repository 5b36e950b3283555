import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { meanShift, meanShiftConditions, type MeanShiftConfig } from '../../operators/mean-shift.js';
import type { Condition } from '../../src/core/condition.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import { simulate } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';

const ev = (step: number, reward?: number): RewardEvent => (reward === undefined ? { step } : { step, reward });
const events = (values: readonly (number | undefined)[]): RewardEvent[] => values.map((v, i) => ev(i, v));
const run = <T>(items: readonly T[], op: (s: import('rxjs').Observable<T>) => import('rxjs').Observable<Alert>) =>
  lastValueFrom(op(from(items)).pipe(toArray()));
const conditionsOf = <T>(items: readonly T[], config: MeanShiftConfig<T>): Promise<Condition[]> =>
  lastValueFrom(from(items).pipe(meanShiftConditions(config), toArray()));

/** rewardspy-style CUSUM in raw reward units: target = mean of the first 20 values, threshold 5, drift 0.5. */
function rawUnitCusumAlarms(values: readonly number[]): number {
  const target = values.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
  let high = 0;
  let low = 0;
  let alarms = 0;
  for (const x of values.slice(20)) {
    high = Math.max(0, high + x - target - 0.5);
    low = Math.max(0, low + target - x - 0.5);
    if (high > 5 || low > 5) {
      alarms++;
      high = 0;
      low = 0;
    }
  }
  return alarms;
}

const normals = (seed: number, n: number, mean: number, sd: number): number[] => {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => mean + sd * rng.normal());
};

describe('meanShift', () => {
  it('should raise one onset when the mean steps up 3 sd (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // warm-up 0.1, 0.2, 0.3: mean 0.2, sd 0.1; each 0.5 adds z - k = 2.5: 2.5, 5 (not > 5), 7.5.
      const values = { a: ev(1, 0.1), b: ev(2, 0.2), c: ev(3, 0.3), d: ev(4, 0.5), e: ev(5, 0.5), f: ev(6, 0.5) };
      const source = cold('-a-b-c-d-e-f-|', values);
      const expected = '   -----------o-|';
      expectObservable(source.pipe(meanShift({ warmup: 3, h: 5 }), map(brief))).toBe(expected, { o: 'onset@6/6:info' });
    });
  });

  it('should carry the shift, the CUSUM, h and the change point in the alert', async () => {
    const [alert] = await run(events([0.1, 0.2, 0.3, 0.2, 0.5, 0.5, 0.5]), meanShift({ warmup: 3, h: 5 }));
    expect(alert).toMatchObject({ detector: 'meanShift', metric: 'reward', severity: 'info', signal: 'proxy-rise', state: 'onset', step: 6 });
    const stats = alert!.evidence.stats;
    expect(stats.beforeMean).toBeCloseTo(0.2, 12);
    expect(stats.baselineStd).toBeCloseTo(0.1, 12);
    expect(stats.afterMean).toBeCloseTo(0.5, 12);
    expect(stats.shiftSd).toBeCloseTo(3, 9);
    expect(stats.cusum).toBeCloseTo(7.5, 9);
    expect(stats.h).toBe(5);
    expect(stats.changeStep).toBe(4);
    expect(alert!.message).toBe('mean reward shifted up 0.2 -> 0.5 (CUSUM 7.5 > 5, 3 sd) since step 4');
  });

  it('should report a downward shift with the configured signal and severity', async () => {
    const alerts = await run(
      events([0.1, 0.2, 0.3, -0.15, -0.15, -0.15]),
      meanShift({ warmup: 3, h: 5, signalDown: 'instability', severityDown: 'warning' }),
    );
    expect(alerts.map((a) => [a.state, a.step, a.signal, a.severity])).toEqual([['onset', 4, 'instability', 'warning']]);
    expect(alerts[0]!.message).toContain('shifted down 0.2 -> -0.15');
  });

  it('should ignore the side excluded by direction', async () => {
    expect(await run(events([0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5]), meanShift({ warmup: 3, h: 5, direction: 'down' }))).toEqual([]);
  });

  it('should skip and count missing values without letting them reset or disable the chart', async () => {
    const conditions = await conditionsOf(events([0.1, undefined, 0.2, 0.3, Number.NaN, 0.5, undefined, 0.5, 0.5]), { warmup: 3, h: 5 });
    expect(conditions.map((c) => c.active)).toEqual([false, false, true]);
    expect(conditions[2]!.evidence.stats.missing).toBe(3);
  });

  it('should re-baseline after an alarm and catch a second shift, resolving in between', async () => {
    const values = [...normals(1, 20, 0, 1), ...normals(2, 40, 5, 1), ...normals(3, 40, 10, 1)];
    const alerts = await run(events(values), meanShift({ warmup: 20, h: 5, hysteresis: { clearAfter: 3, cooldown: 0 } }));
    const onsets = alerts.filter((a) => a.state === 'onset');
    expect(onsets).toHaveLength(2);
    expect(onsets[0]!.step).toBeGreaterThanOrEqual(20);
    expect(onsets[0]!.step).toBeLessThan(25);
    expect(onsets[1]!.step).toBeGreaterThanOrEqual(60);
    expect(onsets[1]!.step).toBeLessThan(65);
    expect(alerts.filter((a) => a.state === 'resolved').length).toBeGreaterThanOrEqual(1);
  });

  describe('against the incumbents', () => {
    it('catches 0.2 -> 0.5 with sd 0.1 within a few observations where a raw-unit CUSUM never fires', async () => {
      const values = [...normals(11, 20, 0.2, 0.1), ...normals(12, 200, 0.5, 0.1)];
      expect(rawUnitCusumAlarms(values)).toBe(0);
      const alerts = await run(events(values), meanShift({ warmup: 20, granularity: 'step' }));
      const onset = alerts.find((a) => a.state === 'onset');
      expect(onset).toBeDefined();
      expect(onset!.step - 20).toBeLessThan(5);
      expect(onset!.evidence.stats.shiftSd).toBeGreaterThan(2);
    });

    it('stays quiet on N(0, 10) noise that floods a raw-unit CUSUM', async () => {
      const values = normals(21, 10_000, 0, 10);
      expect(rawUnitCusumAlarms(values)).toBeGreaterThan(500);
      // Per-sample default h = 12: ARL0 ≈ 520k values, so 10^4 values expect 0.02 alarms. With the
      // baseline estimated from 200 values the ARL is shorter; still, more than 1 would mean the
      // scale is wrong by far more than warm-up error explains.
      const sample = await run(events(values), meanShift());
      expect(sample.filter((a) => a.state === 'onset').length).toBeLessThanOrEqual(1);
      // Step granularity h = 5: ARL0 ≈ 465, so ≈ 10^4/465 ≈ 22 alarms are expected by design (the
      // reason per-sample streams need a larger h); allow twice that for the estimated baseline.
      const conditions = await conditionsOf(events(values), { granularity: 'step' });
      const alarms = conditions.filter((c) => c.active).length;
      expect(alarms).toBeGreaterThan(2);
      expect(alarms).toBeLessThan(44);
    });

    it('recovers from an all-zero start where a baseline frozen from the first 20 values goes silent', async () => {
      const rng = new Random(5);
      const values = [
        ...Array.from({ length: 30 }, () => 0),
        ...Array.from({ length: 60 }, () => 0.3 + 0.1 * rng.normal()),
        ...Array.from({ length: 60 }, () => 0.8 + 0.1 * rng.normal()),
      ];
      // Incumbent: baseline mean/sd frozen from the first 20 values; sd 0 makes every z NaN or
      // infinite, and an "if std == 0: skip" guard (rewardspy) silences it for good.
      const frozen = values.slice(0, 20);
      const frozenSd = Math.sqrt(frozen.reduce((a, x) => a + x * x, 0) / 19);
      const incumbentAlarms = frozenSd > 0 ? values.slice(20).filter((x) => Math.abs(x / frozenSd) > 3).length : 0;
      expect(incumbentAlarms).toBe(0);
      const alerts = await run(events(values), meanShift({ warmup: 20, granularity: 'step', hysteresis: { cooldown: 0 } }));
      const late = alerts.filter((a) => a.state === 'onset' && a.step >= 90);
      expect(late).toHaveLength(1);
      expect(late[0]!.step).toBeLessThan(95);
      expect(late[0]!.message).toContain('shifted up');
    });
  });

  describe('on binary values', () => {
    const bernoulli = (seed: number, n: number, p: number, low = 0, high = 1): number[] => {
      const rng = new Random(seed);
      return Array.from({ length: n }, () => (rng.chance(p) ? high : low));
    };
    const alarms = (conditions: readonly Condition[]): Condition[] => conditions.filter((c) => c.active);

    it.each([0.01, 0.03, 0.5, 0.97, 0.99])('stays quiet on a stationary success rate of %s over 10^5 values', async (p) => {
      // h = 12 sds is ~1 alarm per 520k Gaussian values, but a 1 at p = 0.03 is a +5.7 sd jump: with
      // that h in sds the chart alarmed ~100 times here. Each side's interval now keeps the Gaussian
      // bound e^{-2kh}; measured, a few alarms per 10^6 values, as for Gaussian values (whose
      // baseline, like this one, is estimated from 200 values).
      expect(alarms(await conditionsOf(events(bernoulli(41, 100_000, p)), {})).length).toBeLessThanOrEqual(2);
    });

    it('treats any two values as binary: rewards of -2 or 5 give the alarms of 0 or 1', async () => {
      const steps = async (low: number, high: number): Promise<number[]> =>
        alarms(await conditionsOf(events(bernoulli(42, 100_000, 0.03, low, high)), {})).map((c) => c.step);
      const scaled = await steps(-2, 5);
      expect(scaled).toEqual(await steps(0, 1));
      expect(scaled.length).toBeLessThanOrEqual(2);
    });

    it('finds a rise of the success rate from 0.03 to 0.2 and a fall from 0.97 to 0.8 within a few hundred values', async () => {
      const rise = await conditionsOf(events([...bernoulli(43, 2000, 0.03), ...bernoulli(44, 2000, 0.2)]), {});
      expect(alarms(rise)[0]).toMatchObject({ signal: 'proxy-rise' });
      expect(alarms(rise)[0]!.step - 2000).toBeGreaterThanOrEqual(0);
      expect(alarms(rise)[0]!.step - 2000).toBeLessThan(300);
      const fall = await conditionsOf(events([...bernoulli(45, 2000, 0.97), ...bernoulli(46, 2000, 0.8)]), {});
      expect(alarms(fall)[0]!.evidence.stats.shiftSd).toBeLessThan(0);
      expect(alarms(fall)[0]!.step - 2000).toBeGreaterThanOrEqual(0);
      expect(alarms(fall)[0]!.step - 2000).toBeLessThan(300);
    });

    it('re-baselines after an alarm without a cascade of alarms at a low success rate', async () => {
      // Seed 2 gives a chance alarm at value 11040. The provisional baseline after it, five values all
      // 0, would make each following 1 a 10-sd event (six more alarms by 11269); the chart waits
      // until they hold both values.
      const fired = alarms(await conditionsOf(events(bernoulli(2, 20_000, 0.01)), {}));
      expect(fired.map((c) => c.step)).toEqual([11040]);
    });

    it('goes back to h once a third value shows the series is not binary', async () => {
      const [condition] = await conditionsOf(events([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.5]), { warmup: 10, h: 5 });
      expect(condition!.threshold).toBe(5);
      const [binary] = await conditionsOf(events([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]), { warmup: 10, h: 5 });
      expect(binary!.threshold).toBeGreaterThan(5);
    });
  });

  describe('on simulated runs', () => {
    it('uses step defaults on StepRecords and flags the exploit jump of reward/mean within a few steps', async () => {
      const steps: StepRecord[] = [];
      for (const item of simulate({ seed: 3, steps: 120, hack: { pattern: 'exploit', atStep: 80 }, policyMetrics: false })) {
        if (item.kind === 'event') steps.push({ step: item.event.step, metrics: { 'reward/mean': item.event.reward ?? 0 } });
      }
      // aggregate per step
      const byStep = new Map<number, number[]>();
      for (const s of steps) byStep.set(s.step, [...(byStep.get(s.step) ?? []), s.metrics['reward/mean']!]);
      const records: StepRecord[] = [...byStep].map(([step, rs]) => ({ step, metrics: { 'reward/mean': rs.reduce((a, b) => a + b, 0) / rs.length } }));
      const alerts = await run(records, meanShift<StepRecord>({ metric: 'reward/mean', direction: 'up' }));
      const onset = alerts.find((a) => a.state === 'onset' && a.step >= 80);
      expect(onset).toBeDefined();
      expect(onset!.step).toBeLessThanOrEqual(84);
      expect(onset!.signal).toBe('proxy-rise');
      expect(alerts.every((a) => a.severity === 'info')).toBe(true);
    });
  });
});

checklist<RewardEvent, MeanShiftConfig>('meanShift', {
  operator: (config) => meanShift(config),
  config: { warmup: 3, h: 5 },
  items: events([0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
  throwingSelect: (error) => ({
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ warmup: 1 }, RangeError, 'meanShift warmup'],
    [{ h: 0 }, RangeError, 'meanShift h'],
    [{ k: -1 }, RangeError, 'meanShift k'],
    [{ direction: 'sideways' as never }, TypeError, 'meanShift direction'],
    [{ severity: 'loud' as never }, TypeError, 'meanShift severity'],
    [{ signalUp: 'bad' as never }, TypeError, 'meanShift signalUp'],
    [{ granularity: 'epoch' as never }, TypeError, 'meanShift granularity'],
    [{ select: 3 as never }, TypeError, 'meanShift select'],
  ],
});
