import { map, of, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { minSeverity } from '../../operators/min-severity.js';
import type { Alert } from '../../src/core/types.js';
import { alert, testScheduler } from './fixtures.js';

const values: Record<string, Alert> = {
  i: alert({ step: 1, detector: 'saturation', severity: 'info' }),
  w: alert({ step: 3, severity: 'warning' }),
  j: alert({ step: 5, severity: 'info', since: 3, state: 'ongoing' }),
  r: alert({ step: 7, severity: 'info', since: 3, state: 'resolved' }),
  k: alert({ step: 9, severity: 'info', since: 3, state: 'ongoing' }),
  c: alert({ step: 2, severity: 'critical', detector: 'trend' }),
};
const ids = (a: Alert): string => `${a.detector}@${a.step}`;
const idValues = Object.fromEntries(Object.entries(values).map(([k, a]) => [k, ids(a)]));

describe('minSeverity', () => {
  it('should pass alerts at the level or worse and the rest of their episode (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-i-w-j-r-|', values).pipe(minSeverity('warning'), map(ids))).toBe('---w-j-r-|', idValues);
    });
  });

  it('should forget an episode after its resolved alert', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // k reuses the id of the resolved episode at info: not passed any more.
      expectObservable(cold('wrk|', values).pipe(minSeverity('warning'), map(ids))).toBe('wr-|', idValues);
    });
  });

  it('should order the levels info < warning < critical', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('icw|', values);
      expectObservable(source.pipe(minSeverity('info'), map(ids))).toBe('icw|', idValues);
      expectObservable(source.pipe(minSeverity('warning'), map(ids))).toBe('-cw|', idValues);
      expectObservable(source.pipe(minSeverity('critical'), map(ids))).toBe('-c-|', idValues);
    });
  });

  it('should keep tagged episodes with the same id apart', () => {
    const out: string[] = [];
    of({ ...values.w!, tag: 'a' }, { ...values.j!, tag: 'b' }, { ...values.j!, tag: 'a' })
      .pipe(minSeverity('warning'))
      .subscribe((a) => out.push(`${a.tag ?? ''}:${a.step}`));
    expect(out).toEqual(['a:3', 'a:5']);
  });

  it('should handle empty, never and error sources, and an error mid-stream', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Alert>('|').pipe(minSeverity('warning'))).toBe('|');
      expectObservable(cold<Alert>('-').pipe(minSeverity('warning'))).toBe('-');
      expectObservable(cold<Alert>('#').pipe(minSeverity('warning'))).toBe('#');
      expectObservable(cold('wi#', values).pipe(minSeverity('warning'), map(ids))).toBe('w-#', idValues);
    });
  });

  it('should unsubscribe from the source when unsubscribed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-w-c-r-|', values);
      expectObservable(source.pipe(map((x) => x), minSeverity('warning'), map(ids)), '----!').toBe('-w-c-', idValues);
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    of(values.i!, values.w!, values.c!).pipe(tap((a) => seen.push(a.step)), minSeverity('warning'), take(1)).subscribe();
    expect(seen).toEqual([1, 3]);
  });

  it('should reject a bad level at call time', () => {
    expect(() => minSeverity('error' as never)).toThrow(TypeError);
    expect(() => minSeverity('toString' as never)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const filtered = cold('wj|', values).pipe(minSeverity('warning'), map(ids));
      expectObservable(filtered).toBe('wj|', idValues);
      expectObservable(filtered).toBe('wj|', idValues);
    });
  });
});
