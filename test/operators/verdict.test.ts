import { map, of, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { verdict } from '../../operators/verdict.js';
import type { Alert, Verdict } from '../../src/core/types.js';
import { judge } from '../../src/core/verdict.js';
import { alert, testScheduler } from './fixtures.js';

const values: Record<string, Alert> = {
  p: alert({ step: 1, detector: 'saturation', signal: 'proxy-rise', severity: 'info' }),
  e: alert({ step: 4, detector: 'repetition', metric: 'response', signal: 'exploit' }),
  o: alert({ step: 6, detector: 'repetition', metric: 'response', signal: 'exploit', since: 4, state: 'ongoing' }),
  r: alert({ step: 9, detector: 'repetition', metric: 'response', signal: 'exploit', since: 4, state: 'resolved' }),
  c: alert({ step: 12, detector: 'groupCollapse', metric: 'groups/zero_std_frac', signal: 'collapse' }),
};

/** `status/current` */
const short = (v: Verdict): string => `${v.status}/${v.current ?? '?'}`;

describe('verdict', () => {
  it('should emit when the judgement changes, keeping the worst status (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-p----e-------r----|', values);
      const expected = '   -g----h-------c----|';
      expectObservable(source.pipe(verdict(), map(short))).toBe(expected, {
        g: 'healthy/healthy',
        h: 'hacking/hacking',
        c: 'hacking/healthy',
      });
    });
  });

  it('should not emit for an alert that changes nothing, and emit for a new reason', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // o is an ongoing reminder of the open exploit: same reasons, no emission; c adds a collapse
      // reason under the hacking status.
      expectObservable(cold('peoc|', values).pipe(verdict(), map((v) => `${short(v)}:${v.reasons.length}`))).toBe('ge-x|', {
        g: 'healthy/healthy:0',
        e: 'hacking/hacking:2',
        x: 'hacking/hacking:3',
      });
    });
  });

  it('should carry the step, firstFlaggedStep and worstSince of the alert that changed it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('per|', values).pipe(verdict(), map((v) => `${v.step}:${v.firstFlaggedStep ?? '-'}:${v.worstSince ?? '-'}`)),
      ).toBe('abc|', { a: '1:-:-', b: '4:4:4', c: '9:4:4' });
    });
  });

  it('should agree with judge() over the whole run at every emission', () => {
    const alerts = Object.values(values);
    const out: Verdict[] = [];
    of(...alerts).pipe(verdict()).subscribe((v) => out.push(v));
    expect(out.at(-1)).toEqual(judge(alerts));
  });

  it('should emit nothing for empty and never sources, and forward errors', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Alert>('|').pipe(verdict())).toBe('|');
      expectObservable(cold<Alert>('-').pipe(verdict())).toBe('-');
      expectObservable(cold<Alert>('#').pipe(verdict())).toBe('#');
      expectObservable(cold('pe#', values).pipe(verdict(), map(short))).toBe('gh#', { g: 'healthy/healthy', h: 'hacking/hacking' });
    });
  });

  it('should unsubscribe from the source when unsubscribed, without breaking the chain', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -p--e--r--|', values);
      const subs = '        ^----!';
      expectObservable(source.pipe(map((x) => x), verdict(), map(short)), '-----!').toBe('-g--h', {
        g: 'healthy/healthy',
        h: 'hacking/hacking',
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    of(...Object.values(values))
      .pipe(
        tap((a) => seen.push(a.step)),
        verdict(),
        take(1),
      )
      .subscribe();
    expect(seen).toEqual([1]);
  });

  it('should reject bad config at call time', () => {
    expect(() => verdict({ proxyHorizon: -1 })).toThrow(RangeError);
    expect(() => verdict('x' as never)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const shared = cold('pe|', values).pipe(verdict(), map(short));
      expectObservable(shared).toBe('gh|', { g: 'healthy/healthy', h: 'hacking/hacking' });
      expectObservable(shared).toBe('gh|', { g: 'healthy/healthy', h: 'hacking/hacking' });
    });
  });
});
