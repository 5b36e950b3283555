import { from, lastValueFrom, map, merge, Observable, take, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { detectorSpec, pickedDetector, type DetectorSpec } from '../../../operators/internal/detector-spec.js';
import { fanOut } from '../../../operators/internal/fan-out.js';
import { fusedDetectors, isFusable } from '../../../operators/internal/fused-detectors.js';
import { judgedConditions } from '../../../operators/internal/judged.js';
import { sampleDetectorLists } from '../../../operators/sample-detectors.js';
import type { Condition } from '../../../src/core/condition.js';
import type { Alert, RewardEvent } from '../../../src/core/types.js';
import { simulate, type HackPattern } from '../../../src/sim/index.js';
import { testScheduler } from '../fixtures.js';

/** A judged detector over numbers: active while the value is above `limit`; flush judges the last value + 100. */
const above = (name: string, limit: number, onPush: (x: number) => void = () => undefined): OperatorFunction<number, Condition> =>
  judgedConditions(() => {
    let last: number | undefined;
    const judge = (x: number): Condition => ({
      detector: name, metric: 'x', step: x, active: x > limit, severity: 'warning', signal: 'info',
      message: `x ${String(x)}`, value: x, threshold: limit, evidence: { stats: { x } },
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

const fast = { clearAfter: 1, cooldown: 0, ongoingEvery: 1 };
const label = map((a: Alert) => `${a.detector}:${a.state}${String(a.step)}`);
const pickNumber = (x: number): number | undefined => x;

/** What the fused stage replaces: one picked operator per detector on one shared subscription, merged. */
function separate<S, T>(specs: readonly DetectorSpec<T>[], pick: (item: S) => T | undefined): OperatorFunction<S, Alert> {
  return fanOut((shared) => merge(...specs.map((spec) => shared.pipe(pickedDetector(spec, pick)))));
}

describe('fusedDetectors', () => {
  it.each<HackPattern>(['repetition', 'format-gaming', 'exploit', 'truncation'])(
    'should give the default sample detectors the alerts, in the order, of one operator per detector (%s run)',
    async (pattern) => {
      const items = [...simulate({ seed: 9, steps: 90, hack: { pattern, atStep: 50 } })];
      const pick = (item: (typeof items)[number]): RewardEvent | undefined => (item.kind === 'event' ? item.event : undefined);
      const { sample } = sampleDetectorLists({ maxLength: 1024 });
      expect(sample.every(isFusable)).toBe(true);
      const fused = await lastValueFrom(from(items).pipe(fusedDetectors(sample, pick), toArray()));
      const apart = await lastValueFrom(from(items).pipe(separate(sample, pick), toArray()));
      expect(fused.length).toBeGreaterThan(0);
      expect(fused).toEqual(apart);
    },
  );

  it('should interleave alerts per item in detector order, then flush each detector in order', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a---b---c---|', { a: 4, b: 8, c: 1 });
      const specs = [detectorSpec('low', above('low', 3), fast), detectorSpec('high', above('high', 5), fast)];
      expectObservable(source.pipe(fusedDetectors(specs, pickNumber), label)).toBe('-a---(bc)(de)(fg|)', {
        a: 'low:onset4',
        b: 'low:ongoing8',
        c: 'high:onset8',
        d: 'low:resolved1',
        e: 'high:resolved1',
        f: 'low:onset101',
        g: 'high:onset101',
      });
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('should apply each detector\'s `only` and skip items the pick drops', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a---b---c---|', { a: 7, b: -1, c: 9 });
      const pick = (x: number): number | undefined => (x < 0 ? undefined : x);
      const specs = [detectorSpec('odd7', above('odd7', 5), fast, (x: number) => x !== 7), detectorSpec('all', above('all', 5), fast)];
      expectObservable(source.pipe(fusedDetectors(specs, pick), label)).toBe('-a-------(bc)(de|)', {
        a: 'all:onset7',
        b: 'odd7:onset9',
        c: 'all:ongoing9',
        d: 'odd7:ongoing109',
        e: 'all:ongoing109',
      });
    });
  });

  it('should forward errors without flushing, send a throwing detector to the error channel, and stay silent on empty and never', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const specs = [detectorSpec('x', above('x', 5), {})];
      expectObservable(cold<number>('-a-#', { a: 7 }).pipe(fusedDetectors(specs, pickNumber), map((a) => a.state))).toBe('-a-#', { a: 'onset' });
      expectObservable(cold<number>('|').pipe(fusedDetectors(specs, pickNumber))).toBe('|');
      expectObservable(cold<number>('-').pipe(fusedDetectors(specs, pickNumber))).toBe('-');
      const source = cold('-a-b-c-|', { a: 1, b: 2, c: 3 });
      const boom = above('boom', 5, (x) => {
        if (x === 2) throw new Error('boom');
      });
      expectObservable(source.pipe(fusedDetectors([detectorSpec('boom', boom, {})], pickNumber))).toBe('---#', undefined, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should stop a synchronous source on take(1) and share no state between subscribers', async () => {
    const specs = [detectorSpec('x', above('x', 5), {})];
    let pulled = 0;
    new Observable<number>((subscriber) => {
      for (let i = 6; i < 1000 && !subscriber.closed; i++) {
        pulled++;
        subscriber.next(i);
      }
    }).pipe(fusedDetectors(specs, pickNumber), take(1)).subscribe();
    expect(pulled).toBe(1);
    const run = (): Promise<string[]> =>
      lastValueFrom(from([7, 8, 1, 2, 3, 4]).pipe(fusedDetectors(specs, pickNumber), map((a) => `${a.state}${String(a.step)}`), toArray()));
    expect(await run()).toEqual(['onset7', 'resolved3', 'onset104']);
    expect(await run()).toEqual(['onset7', 'resolved3', 'onset104']);
  });

  it('should refuse a detector without a plain state machine', () => {
    const custom: DetectorSpec<number> = { slot: 'extra', operator: map(() => ({}) as Alert) };
    expect(isFusable(custom)).toBe(false);
    expect(() => fusedDetectors([custom], pickNumber)).toThrow(TypeError);
  });
});
