import { firstValueFrom, from, lastValueFrom, map, Observable, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { stepDetectors, stepDetectorSpecs, STEP_DETECTOR_SLOTS, type StepDetectorsConfig } from '../../operators/step-detectors.js';
import type { Alert, StepRecord } from '../../src/core/types.js';
import { judge } from '../../src/core/verdict.js';
import { Random } from '../../src/sim/random.js';
import { testScheduler } from './fixtures.js';
import { realSteps } from './real-steps.js';

/** Healthy-looking records for 30 steps, then the reward jumps to its ceiling and stays pinned. */
function pinnedRun(): StepRecord[] {
  const records: StepRecord[] = [];
  for (let step = 0; step < 50; step++) {
    const noise = Math.sin(step * 12.9898) * 0.05;
    const reward = step < 30 ? 0.4 + noise : 1;
    records.push({ step, metrics: { 'reward/mean': reward, 'length/mean': 200 + 40 * noise, kl: 0.01 } });
  }
  return records;
}

const run = (records: readonly StepRecord[], pipeline = stepDetectors()): Promise<Alert[]> =>
  firstValueFrom(from(records).pipe(pipeline, toArray()));

const onsets = (alerts: readonly Alert[]): string[] =>
  alerts.filter((a) => a.state === 'onset').map((a) => `${a.detector}:${a.metric}:${a.signal}:${a.severity}`);

describe('stepDetectors', () => {
  it('should report a jump to a pinned reward as proxy-rise plus the exploit signature (doc marble, by steps)', async () => {
    const alerts = await run(pinnedRun());
    expect(onsets(alerts)).toEqual(expect.arrayContaining(['meanShift:reward/mean:proxy-rise:info']));
    // The collapse episode opens once the window is flat and escalates once the pin has lasted two windows.
    const exploit = alerts.find((a) => a.detector === 'varianceCollapse' && a.signal === 'exploit');
    expect(exploit).toMatchObject({ severity: 'warning', step: 39 });
    const rise = alerts.find((a) => a.detector === 'meanShift' && a.state === 'onset');
    expect(rise?.step).toBeGreaterThanOrEqual(30);
    expect(rise?.step).toBeLessThanOrEqual(32);
  });

  it('should give eval records to heldOutDivergence alone', async () => {
    const evalOnly = pinnedRun().map((r): StepRecord => ({ ...r, phase: 'eval' }));
    const alerts = await run(evalOnly);
    // Its reward, read as a held-out one, falls from its pinned level at the end.
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.map((a) => a.detector)).toEqual(alerts.map(() => 'heldOutDivergence'));
    expect(await lastValueFrom(from(evalOnly).pipe(stepDetectors({ heldOutDivergence: false }), toArray()))).toEqual([]);
    // The same records as training records do raise the pinned run's alerts.
    expect((await run(pinnedRun())).some((a) => a.detector === 'varianceCollapse')).toBe(true);
  });

  it('should subscribe to the source once however many detectors run', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: { step: 1, metrics: { 'reward/mean': 1 } }, b: { step: 2, metrics: { 'reward/mean': 1 } } };
      const source = cold<StepRecord>('-a-b-|', values);
      expectObservable(source.pipe(stepDetectors())).toBe('-----|');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('should complete on empty, stay silent on never, forward errors, and unsubscribe', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<StepRecord>('|').pipe(stepDetectors())).toBe('|');
      expectObservable(cold<StepRecord>('-').pipe(stepDetectors())).toBe('-');
      expectObservable(cold<StepRecord>('#').pipe(stepDetectors())).toBe('#');
      expectObservable(cold<StepRecord>('-a-#', { a: { step: 1, metrics: {} } }).pipe(stepDetectors())).toBe('---#');
      const source = hot<StepRecord>('-a-a-a-|', { a: { step: 1, metrics: {} } });
      expectObservable(source.pipe(stepDetectors()), '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should stop a synchronous source when take(1) unsubscribes', () => {
    let pulled = 0;
    const records = pinnedRun();
    const source = new Observable<StepRecord>((subscriber) => {
      for (const record of records) {
        if (subscriber.closed) return;
        pulled++;
        subscriber.next(record);
      }
      subscriber.complete();
    });
    source.pipe(stepDetectors(), take(1)).subscribe();
    expect(pulled).toBeLessThan(records.length);
  });

  it('should route a throwing extra detector to the error channel', async () => {
    const boom: Parameters<typeof stepDetectors>[0] = {
      extra: [map(() => { throw new Error('custom detector failed'); })],
    };
    await expect(run(pinnedRun(), stepDetectors(boom))).rejects.toThrow('custom detector failed');
  });

  it('should switch a detector off with false and apply partial overrides', async () => {
    const all = await run(pinnedRun());
    const noCollapse = await run(pinnedRun(), stepDetectors({ varianceCollapse: false }));
    expect(all.some((a) => a.detector === 'varianceCollapse')).toBe(true);
    expect(noCollapse.some((a) => a.detector === 'varianceCollapse')).toBe(false);
    // An impossible CUSUM interval silences the reward shift, nothing else changes.
    const deaf = await run(pinnedRun(), stepDetectors({ rewardShift: { h: 1e9 } }));
    expect(deaf.some((a) => a.detector === 'meanShift' && a.metric === 'reward/mean')).toBe(false);
    expect(deaf.some((a) => a.detector === 'varianceCollapse')).toBe(true);
    const none = await run(pinnedRun(), stepDetectors(Object.fromEntries(STEP_DETECTOR_SLOTS.map((slot) => [slot, false]))));
    expect(none).toEqual([]);
  });

  it('should alert earlier or as early at high sensitivity than at low', async () => {
    // A slow ramp: the high-sensitivity CUSUM (h 3.3) crosses before the low one (h 7.5).
    const ramp: StepRecord[] = [];
    for (let step = 0; step < 80; step++) {
      const noise = Math.sin(step * 78.233) * 0.05;
      ramp.push({ step, metrics: { 'reward/mean': 0.4 + noise + (step >= 30 ? 0.002 * (step - 30) : 0) } });
    }
    const first = async (sensitivity: 'low' | 'medium' | 'high'): Promise<number> => {
      const alerts = await run(ramp, stepDetectors({ sensitivity }));
      return alerts.find((a) => a.detector === 'meanShift' && a.state === 'onset')?.step ?? Number.POSITIVE_INFINITY;
    };
    const [low, medium, high] = [await first('low'), await first('medium'), await first('high')];
    expect(high).toBeLessThan(low);
    expect(high).toBeLessThanOrEqual(medium);
    expect(medium).toBeLessThanOrEqual(low);
  });

  it('should keep a healthy verdict when KL is exactly 0 for the first steps and then rises slowly', async () => {
    for (const zeros of [10, 15, 20]) {
      const rng = new Random(zeros);
      let kl = 0;
      const records: StepRecord[] = Array.from({ length: 200 }, (_, step) => {
        if (step >= zeros) kl += 0.0006 * (1 + 0.3 * rng.normal());
        return { step, metrics: { kl, grad_norm: Math.abs(0.3 + 0.05 * rng.normal()), 'reward/mean': 0.3 + step * 0.002 + 0.03 * rng.normal() } };
      });
      const alerts = await run(records);
      expect(alerts.filter((a) => a.severity !== 'info')).toEqual([]);
      expect(judge(alerts).status).toBe('healthy');
    }
  });

  it('should keep a healthy verdict on a KL rising as t² from 0, smooth or with multiplicative AR(1) noise', async () => {
    // KL = 0.1 (t/300)² · e^e_t, e AR(1) (lag-1 correlation 0.8, sd 0 or 0.1): the KL spike and trend
    // judged it against a stale median / absolute changes learnt at a lower level and warned.
    for (const sd of [0, 0.1]) {
      for (const seed of [1, 2, 3]) {
        const rng = new Random(seed);
        let e = 0;
        const records: StepRecord[] = Array.from({ length: 300 }, (_, i) => {
          e = 0.8 * e + rng.normal() * sd * 0.6;
          const u = (i + 1) / 300;
          return { step: i + 1, metrics: { kl: 0.1 * u * u * Math.exp(e), 'reward/mean': 0.3 + 0.3 * u + 0.03 * rng.normal() } };
        });
        const alerts = await run(records);
        expect(alerts.filter((a) => a.severity !== 'info')).toEqual([]);
        expect(judge(alerts).status).toBe('healthy');
      }
    }
  });

  it('should still flag the real TRL GRPO collapse log: grad_norm spike at step 150, entropy trend at 160', async () => {
    const steps = await realSteps('trl-grpo_qwen35_collapse_step_logs.json');
    const warned = (await run(steps)).filter((a) => a.state === 'onset' && a.severity === 'warning').map((a) => `${a.detector}:${a.metric}@${a.step}`);
    expect(warned).toEqual(expect.arrayContaining(['spike:grad_norm@150', 'trend:entropy@160']));
  });

  it('should reject bad config at call time, naming the slot', () => {
    expect(() => stepDetectors({ sensitivity: 'extreme' as 'low' })).toThrow(/sensitivity must be low, medium or high/);
    expect(() => stepDetectors({ rewardShift: 3 as unknown as false })).toThrow(/rewardShift must be a config object or false/);
    expect(() => stepDetectors({ klTrnd: false } as unknown as StepDetectorsConfig)).toThrow(/stepDetectors has no setting "klTrnd" \(did you mean klTrend\?\)/);
    expect(() => stepDetectors(null as unknown as StepDetectorsConfig)).toThrow(/config must be an object, got null/);
    expect(() => stepDetectors({ varianceCollapse: { ratio: 2 } })).toThrow(RangeError);
    expect(() => stepDetectors({ extra: [42 as unknown as never] })).toThrow(/extra must hold operator functions/);
    expect(() => stepDetectorSpecs(null as unknown as object)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', async () => {
    const pipeline = stepDetectors();
    const first = await run(pinnedRun(), pipeline);
    const second = await run(pinnedRun(), pipeline);
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(0);
  });
});
