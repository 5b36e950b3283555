import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { from, lastValueFrom, Observable, of, take, toArray } from 'rxjs';
import { mergeByStep } from '../../src/sources/merge-by-step.js';
import type { Ingested } from '../../src/sources/ingested.js';

const event = (step: number, rank = 0): Ingested => ({ kind: 'event', event: { step, run: `rank${rank}` } });
const problem: Ingested = { kind: 'problem', problem: { source: 'rank1.jsonl', line: 3, reason: 'not valid JSON', excerpt: '{' } };

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

describe('mergeByStep', () => {
  it('emits a step once every source has reached it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: event(1, 0), b: event(2, 0), c: event(3, 0), x: event(1, 1), y: event(2, 1), z: event(4, 1) };
      // rank 0 reaches steps 1..3 first; each step leaves when rank 1 reaches it, the rest at the end.
      const rank0 = cold('a----b----c-------------------|', values);
      const rank1 = cold('---x------------y----z--------|', values);
      const expected = '  ---(ax)---------(by)-c--------(z|)';
      expectObservable(mergeByStep([rank0, rank1], { graceMs: 100 })).toBe(expected, values);
    });
  });

  it('passes problems through at once', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: event(1, 0), p: problem, x: event(1, 1) };
      expectObservable(mergeByStep([cold('a---------|', values), cold('-p-x------|', values)], { graceMs: 100 })).toBe('-p-(ax)---|', values);
    });
  });

  it('stops waiting for a silent source after graceMs, and lets it rejoin', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: event(1, 0), b: event(2, 0), c: event(3, 0), x: event(1, 1), y: event(5, 1) };
      const rank0 = cold('a-b-c---------------|', values);
      const rank1 = cold('x------------y------|', values);
      // rank 1 is silent after 0 ms: at 10 ms it no longer holds 2 and 3 back. When it speaks
      // again (5 at 13 ms) rank 0 has been silent since 4 ms, so it stops holding 5 back at 14 ms.
      const expected = '(ax)------(bc)y-----|';
      expectObservable(mergeByStep([rank0, rank1], { graceMs: 10 })).toBe(expected, values);
    });
  });

  it('releases the smallest steps early beyond maxBuffered', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { a: event(1, 0), b: event(2, 0), c: event(3, 0), x: event(0, 1) };
      const rank0 = cold('abc---|', values);
      const rank1 = cold('x-----|', values);
      expectObservable(mergeByStep([rank0, rank1], { graceMs: 100, maxBuffered: 1 })).toBe('xab---(c|)', values);
    });
  });

  it('errors when a source errors, and unsubscribes from every source', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: event(1, 0) };
      const rank0 = cold('a--#', values);
      const rank1 = cold('------|', values);
      expectObservable(mergeByStep([rank0, rank1], { graceMs: 100 })).toBe('---#', values);
      expectSubscriptions(rank1.subscriptions).toBe('^--!');
    });
  });

  it('completes at once with no sources, and never emits from never', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(mergeByStep([])).toBe('|');
      expectObservable(mergeByStep([cold('-')], { graceMs: 5 })).toBe('-');
    });
  });

  it('stops a synchronous source when unsubscribed', async () => {
    let emitted = 0;
    const endless = new Observable<Ingested>((subscriber) => {
      for (let step = 0; !subscriber.closed && step < 1e6; step++) {
        emitted++;
        subscriber.next(event(step));
      }
    });
    expect(await lastValueFrom(mergeByStep([endless]).pipe(take(3), toArray()))).toHaveLength(3);
    expect(emitted).toBeLessThan(10);
  });

  it('rejects bad config when called', () => {
    expect(() => mergeByStep([], { graceMs: 0 })).toThrow(RangeError);
    expect(() => mergeByStep([], { maxBuffered: 0 })).toThrow(RangeError);
  });

  it('orders any sorted sources by step and loses nothing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(50), { maxLength: 20 }), { minLength: 1, maxLength: 4 }), async (ranks) => {
        const sources = ranks.map((steps, rank) => from([...steps].sort((a, b) => a - b).map((step) => event(step, rank))));
        const merged = await lastValueFrom(mergeByStep(sources).pipe(toArray()));
        const steps = merged.map((item) => (item.kind === 'event' ? item.event.step : NaN));
        expect(steps).toEqual(ranks.flat().sort((a, b) => a - b));
      }),
    );
  });

  it('shares no state between two subscribers', async () => {
    const merged = mergeByStep([of(event(1)), of(event(2, 1))]);
    const first = await lastValueFrom(merged.pipe(toArray()));
    const second = await lastValueFrom(merged.pipe(toArray()));
    expect(second).toEqual(first);
    expect(first).toHaveLength(2);
  });
});
