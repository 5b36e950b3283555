import { map, of, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { tag } from '../../operators/tag.js';
import type { Condition } from '../../src/core/condition.js';
import type { Alert } from '../../src/core/types.js';
import { alert, condition, testScheduler } from './fixtures.js';

describe('tag', () => {
  it('should set the tag and change nothing else (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = alert({ step: 1 });
      const b = alert({ step: 4, tag: 'old' });
      expectObservable(cold('-a--b--|', { a, b }).pipe(tag('math'))).toBe('-A--B--|', {
        A: { ...a, tag: 'math' },
        B: { ...b, tag: 'math' },
      });
    });
  });

  it('should copy, never mutate, and work on conditions too', () => {
    const c = condition(1, true);
    const out: Condition[] = [];
    of(c).pipe(tag<Condition>('run-a')).subscribe((x) => out.push(x));
    expect(out).toEqual([{ ...c, tag: 'run-a' }]);
    expect(out[0]).not.toBe(c);
    expect(c.tag).toBeUndefined();
  });

  it('should handle empty, never and error sources', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Alert>('|').pipe(tag('x'))).toBe('|');
      expectObservable(cold<Alert>('-').pipe(tag('x'))).toBe('-');
      expectObservable(cold<Alert>('#').pipe(tag('x'))).toBe('#');
      expectObservable(cold('a#', { a: alert({ step: 1 }) }).pipe(tag('x'), map((a) => a.tag))).toBe('a#', { a: 'x' });
    });
  });

  it('should unsubscribe from the source when unsubscribed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-a-|', { a: alert({ step: 1 }) });
      expectObservable(source.pipe(map((x) => x), tag('x'), map((a) => a.tag)), '--!').toBe('-x-', { x: 'x' });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    of(alert({ step: 1 }), alert({ step: 2 })).pipe(tap((a) => seen.push(a.step)), tag('x'), take(1)).subscribe();
    expect(seen).toEqual([1]);
  });

  it('should reject a bad name at call time', () => {
    expect(() => tag('')).toThrow(RangeError);
    expect(() => tag('  ')).toThrow(RangeError);
    expect(() => tag(3 as never)).toThrow(TypeError);
  });
});
