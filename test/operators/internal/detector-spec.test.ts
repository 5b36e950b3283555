import { filter, from, lastValueFrom, map, Observable, take, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectorSpec, pickedDetector, type DetectorSpec } from '../../../operators/internal/detector-spec.js';
import { judgedConditions } from '../../../operators/internal/judged.js';
import { hysteresis } from '../../../operators/hysteresis.js';
import { sampleDetectorLists } from '../../../operators/sample-detectors.js';
import { summarizeSteps } from '../../../operators/summarize-steps.js';
import type { Condition } from '../../../src/core/condition.js';
import type { Alert, StepRecord } from '../../../src/core/types.js';
import { simulate, type HackPattern } from '../../../src/sim/index.js';
import { alert as makeAlert, testScheduler } from '../fixtures.js';

const alertOf = (step: number): Alert => makeAlert({ detector: 'custom', metric: 'x', step, state: 'onset' });

/** The chain a detector's public operator is: `filter(only)`, conditions, then hysteresis. */
function chain<T>(spec: DetectorSpec<T>): OperatorFunction<T, Alert> {
  if (spec.conditions === undefined) throw new TypeError(`${spec.slot} has no conditions operator`);
  const conditions = spec.conditions;
  const episodes = hysteresis(spec.hysteresis);
  return spec.only === undefined ? (source) => source.pipe(conditions, episodes) : (source) => source.pipe(filter(spec.only!), conditions, episodes);
}

/** A judged detector over numbers: active while the value is above 5, judged per item; flush judges the last one again. */
const aboveFive = (onPush: (x: number) => void = () => undefined): OperatorFunction<number, Condition> =>
  judgedConditions(() => {
    let last: number | undefined;
    const judge = (x: number): Condition => ({
      detector: 'aboveFive', metric: 'x', step: x, active: x > 5, severity: 'warning', signal: 'info',
      message: `x ${String(x)}`, value: x, threshold: 5, evidence: { stats: { x } },
    });
    return {
      push: (x: number) => {
        onPush(x);
        last = x;
        return judge(x);
      },
      flush: () => (last === undefined ? undefined : judge(last + 100)),
    };
  });

describe('detectorSpec', () => {
  it.each<HackPattern>(['verbosity', 'repetition', 'truncation', 'kl-blowup', 'format-gaming'])(
    'should give every built-in detector the alerts of its conditions -> hysteresis chain (%s run)',
    async (pattern) => {
      const items = [...simulate({ seed: 5, steps: 80, hack: { pattern, atStep: 45 } })];
      const events = items.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
      const records = await lastValueFrom(from(items).pipe(summarizeSteps({ maxLength: 1024 }), toArray()));
      // loggedOnly detectors too: half the records lose their `samples` metric so `only` matters.
      const mixed: StepRecord[] = records.map((record, i) => {
        if (i % 2 === 0) return record;
        const { samples: _samples, ...metrics } = record.metrics;
        return { ...record, metrics };
      });
      const { sample, step } = sampleDetectorLists({ maxLength: 1024 });
      let total = 0;
      for (const spec of sample) {
        const fused = await lastValueFrom(from(events).pipe(spec.operator, toArray()));
        expect(fused, spec.slot).toEqual(await lastValueFrom(from(events).pipe(chain(spec), toArray())));
        total += fused.length;
      }
      for (const spec of step ?? []) {
        const fused = await lastValueFrom(from(mixed).pipe(spec.operator, toArray()));
        expect(fused, spec.slot).toEqual(await lastValueFrom(from(mixed).pipe(chain(spec), toArray())));
        total += fused.length;
      }
      expect(total).toBeGreaterThan(0);
    },
  );

  it('should emit onsets and resolutions as the chain does, flushing the machine at completion', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-e-f-|', { a: 1, b: 7, c: 8, d: 2, e: 3, f: 4 });
      const alerts = source.pipe(detectorSpec('x', aboveFive(), { clearAfter: 2, cooldown: 0 }).operator, map((a) => `${a.state}${String(a.step)}`));
      expectObservable(alerts).toBe('---o-----r---(n|)', { o: 'onset7', r: 'resolved3', n: 'onset104' });
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('should apply `only` before the machine', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-|', { a: 7, b: 8, c: 9 });
      const spec = detectorSpec('x', aboveFive(), {}, (x: number) => x !== 7);
      expectObservable(source.pipe(spec.operator, map((a) => `${a.state}${String(a.step)}`))).toBe('---b---(f|)', { b: 'onset8', f: 'ongoing109' });
    });
  });

  it('should forward errors without flushing, and stay silent on empty and never sources', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { operator } = detectorSpec('x', aboveFive(), {});
      expectObservable(cold<number>('-a-#', { a: 7 }).pipe(operator, map((a) => a.state))).toBe('-a-#', { a: 'onset' });
      expectObservable(cold<number>('|').pipe(operator)).toBe('|');
      expectObservable(cold<number>('-').pipe(operator)).toBe('-');
    });
  });

  it('should send a throwing detector to the error channel', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 1, b: 2, c: 3 });
      const boom = aboveFive((x) => {
        if (x === 2) throw new Error('boom');
      });
      expectObservable(source.pipe(detectorSpec('x', boom, {}).operator)).toBe('---#', undefined, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should unsubscribe on explicit unsubscription and stop a synchronous source on take(1)', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-|', { a: 7, b: 8, c: 9 });
      expectObservable(source.pipe(detectorSpec('x', aboveFive(), {}).operator, map((a) => a.state)), '^--!').toBe('-a--', { a: 'onset' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    let pulled = 0;
    new Observable<number>((subscriber) => {
      for (let i = 6; i < 1000 && !subscriber.closed; i++) {
        pulled++;
        subscriber.next(i);
      }
    }).pipe(detectorSpec('x', aboveFive(), {}).operator, take(1)).subscribe();
    expect(pulled).toBe(1);
  });

  it('should share no state between two subscribers', async () => {
    const { operator } = detectorSpec('x', aboveFive(), {});
    const run = (): Promise<string[]> => lastValueFrom(from([7, 8, 1, 2, 3, 4]).pipe(operator, map((a) => `${a.state}${String(a.step)}`), toArray()));
    expect(await run()).toEqual(['onset7', 'resolved3', 'onset104']);
    expect(await run()).toEqual(['onset7', 'resolved3', 'onset104']);
  });

  it('should reject a bad hysteresis config at call time', () => {
    expect(() => detectorSpec('x', aboveFive(), { clearAfter: 0 })).toThrow(RangeError);
  });

  it('should pick a detector\'s items from a wider stream, built-in or not, then apply `only`', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      type Item = { readonly x: number } | { readonly other: string };
      const source = cold<Item>('-a-b-c-d-|', { a: { x: 7 }, b: { other: 'skip' }, c: { x: 3 }, d: { x: 9 } });
      const pickX = (item: Item): number | undefined => ('x' in item ? item.x : undefined);
      const builtIn = detectorSpec('x', aboveFive(), { ongoingEvery: 1, clearAfter: 1, cooldown: 0 }, (x: number) => x !== 3);
      const states = map((a: Alert) => `${a.state}${String(a.step)}`);
      expectObservable(source.pipe(pickedDetector(builtIn, pickX), states)).toBe('-a-----d-(f|)', { a: 'onset7', d: 'ongoing9', f: 'ongoing109' });
      // Any other operator (no machine) gets the picked items through map/filter.
      const custom: DetectorSpec<number> = { slot: 'extra', operator: map(alertOf) };
      expectObservable(source.pipe(pickedDetector(custom, pickX), map((a) => a.step))).toBe('-a---c-d-|', { a: 7, c: 3, d: 9 });
    });
  });
});
