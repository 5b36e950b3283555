import { catchError, concatMap, connect, endWith, filter, from, ignoreElements, lastValueFrom, map, merge, Observable, take, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fanOut } from '../../../operators/internal/fan-out.js';
import { testScheduler } from '../fixtures.js';

const evensAndTens = (shared: Observable<number>): Observable<string> =>
  merge(shared.pipe(filter((x) => x % 2 === 0), map((x) => `e${String(x)}`)), shared.pipe(filter((x) => x % 10 === 0), map((x) => `t${String(x)}`)));

const failing = <T>(error: Error): Observable<T> => throwError(() => error);

function countingSource(limit: number, pulled: { count: number }): Observable<number> {
  return new Observable<number>((subscriber) => {
    for (let i = 1; i <= limit; i++) {
      if (subscriber.closed) return;
      pulled.count++;
      subscriber.next(i);
    }
    subscriber.complete();
  });
}

describe('fanOut', () => {
  it('should feed every consumer from one subscription, in order', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c------|', { a: 2, b: 5, c: 10 });
      expectObservable(source.pipe(fanOut(evensAndTens))).toBe('-a---(ct)---|', { a: 'e2', c: 'e10', t: 't10' });
      expectSubscriptions(source.subscriptions).toBe('^-----------!');
    });
  });

  it('should forward a source error once, and nothing on empty or never', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number>('-a-#', { a: 2 }).pipe(fanOut(evensAndTens))).toBe('-a-#', { a: 'e2' });
      expectObservable(cold<number>('|').pipe(fanOut(evensAndTens))).toBe('|');
      expectObservable(cold<number>('-').pipe(fanOut(evensAndTens))).toBe('-');
    });
  });

  it('should unsubscribe from the source on explicit unsubscription', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-|', { a: 2, b: 4, c: 6 });
      expectObservable(source.pipe(fanOut(evensAndTens)), '^--!').toBe('-a--', { a: 'e2' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should stop a synchronous source on take(1), where connect runs it to its end', () => {
    const fanned = { count: 0 };
    countingSource(1000, fanned).pipe(fanOut(evensAndTens), take(1)).subscribe();
    expect(fanned.count).toBe(2);
    // The incumbent: rxjs connect adds the source subscription only once subscribe returns.
    const connected = { count: 0 };
    countingSource(1000, connected).pipe(connect(evensAndTens), take(1)).subscribe();
    expect(connected.count).toBe(1000);
  });

  it('should complete once the source and every consumer complete', async () => {
    const pulled = { count: 0 };
    const out = await new Promise<string[]>((resolve) => {
      countingSource(10, pulled).pipe(fanOut(evensAndTens), toArray()).subscribe(resolve);
    });
    expect(out).toEqual(['e2', 'e4', 'e6', 'e8', 'e10', 't10']);
  });

  it('should keep feeding the other consumers after one unsubscribes, in subscription order', async () => {
    const out = await lastValueFrom(
      from([1, 2, 3, 4]).pipe(
        fanOut((shared: Observable<number>) => merge(shared.pipe(take(2), map((x) => `a${String(x)}`)), shared.pipe(map((x) => `b${String(x)}`)))),
        toArray(),
      ),
    );
    expect(out).toEqual(['a1', 'b1', 'a2', 'b2', 'b3', 'b4']);
  });

  it('should give a consumer that subscribes after the end that end at once, as a Subject does', async () => {
    const ended = (shared: Observable<number>): Observable<string> =>
      merge(
        shared.pipe(map((x) => `v${String(x)}`)),
        // Subscribes to the shared items only once the source has ended.
        shared.pipe(ignoreElements(), endWith('late'), concatMap(() => shared.pipe(map(String), endWith('late-complete')))),
      );
    expect(await lastValueFrom(from([1, 2]).pipe(fanOut(ended), toArray()))).toEqual(['v1', 'v2', 'late-complete']);
    const failed = failing<number>(new Error('boom'));
    await expect(lastValueFrom(failed.pipe(fanOut((shared: Observable<number>) => shared.pipe(catchError(() => shared)))))).rejects.toThrow('boom');
  });
});
