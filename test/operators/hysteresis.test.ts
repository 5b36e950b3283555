import { map, of, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { hysteresis } from '../../operators/hysteresis.js';
import type { Condition } from '../../src/core/condition.js';
import { brief, condition, testScheduler } from './fixtures.js';

/**
 * One condition per step, encoded by letter: a..m are active at steps 1..13, n..z inactive at
 * steps 1..13 (so `-a-b-p-` reads active 1, active 2, inactive 3).
 */
const steps: Record<string, Condition> = {};
for (let step = 1; step <= 13; step++) {
  steps[String.fromCharCode(96 + step)] = condition(step, true);
  steps[String.fromCharCode(109 + step)] = condition(step, false);
}

describe('hysteresis', () => {
  it('should emit onset, resolved after clearAfter inactive steps, and honour the cooldown (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // steps:           1 2 3 4 5 6 7 8 9
      const source = cold('-a-b-p-q-r-f-g-h-i-|', steps);
      const expected = '   -o-------r-------n-|';
      expectObservable(source.pipe(hysteresis({ clearAfter: 3, cooldown: 4, ongoingEvery: Infinity }), map(brief))).toBe(
        expected,
        { o: 'onset@1/1:warning', r: 'resolved@5/1:warning', n: 'onset@9/9:warning' },
      );
    });
  });

  it('should pin the cooldown frame by frame: no onset until cooldown steps after resolved', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // active 1, inactive 2 (resolves with clearAfter 1), active 3..7
      const source = cold('a-o-c-d-e-f-g-|', steps);
      const values = {
        o: 'onset@1/1:warning',
        r: 'resolved@2/1:warning',
        x: 'onset@3/3:warning',
        y: 'onset@5/5:warning',
        z: 'onset@7/7:warning',
      };
      const config = { clearAfter: 1, ongoingEvery: Infinity };
      expectObservable(source.pipe(hysteresis({ ...config, cooldown: 0 }), map(brief))).toBe('o-r-x---------|', values);
      expectObservable(source.pipe(hysteresis({ ...config, cooldown: 3 }), map(brief))).toBe('o-r-----y-----|', values);
      expectObservable(source.pipe(hysteresis({ ...config, cooldown: 5 }), map(brief))).toBe('o-r---------z-|', values);
    });
  });

  it('should restart the clear count when the condition flaps back on before clearAfter', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // active 1, off 2-3, on 4, off 5-7: resolves at 7 only (clearAfter 3)
      const source = cold('a-o-p-d-r-s-t-|', steps);
      expectObservable(source.pipe(hysteresis({ clearAfter: 3, ongoingEvery: Infinity }), map(brief))).toBe(
        'o-----------r-|',
        { o: 'onset@1/1:warning', r: 'resolved@7/1:warning' },
      );
    });
  });

  it('should remind with ongoing every ongoingEvery steps while active', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcdefg|', steps);
      expectObservable(source.pipe(hysteresis({ ongoingEvery: 3 }), map(brief))).toBe('o--x--y|', {
        o: 'onset@1/1:warning',
        x: 'ongoing@4/1:warning',
        y: 'ongoing@7/1:warning',
      });
    });
  });

  it('should report a severity or signal change at once as ongoing, and resolve at the last severity', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: condition(1, true, { severity: 'info' }),
        b: condition(2, true, { severity: 'info' }),
        c: condition(3, true, { severity: 'critical' }),
        d: condition(4, true, { severity: 'critical', signal: 'exploit' }),
        e: condition(5, false, { severity: 'info' }),
      };
      expectObservable(
        cold('abcde|', values).pipe(
          hysteresis({ clearAfter: 1, ongoingEvery: Infinity }),
          map((a) => `${brief(a)}/${a.signal}`),
        ),
      ).toBe('o-xyz|', {
        o: 'onset@1/1:info/proxy-rise',
        x: 'ongoing@3/1:critical/proxy-rise',
        y: 'ongoing@4/1:critical/exploit',
        z: 'resolved@5/1:critical/exploit',
      });
    });
  });

  it('should count clearAfter in distinct steps when a detector emits many conditions per step', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: condition(1, true),
        p: condition(1, false),
        q: condition(2, false),
        r: condition(2, false),
        s: condition(3, false),
      };
      // Four inactive observations over steps 1, 2, 2, 3: three distinct steps -> resolved at step 3.
      expectObservable(cold('apqrs|', values).pipe(hysteresis({ clearAfter: 3 }), map(brief))).toBe('o---r|', {
        o: 'onset@1/1:warning',
        r: 'resolved@3/1:warning',
      });
    });
  });

  it('should keep episodes per detector, metric and tag independently', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: condition(1, true),
        b: condition(1, true, { metric: 'length/mean' }),
        c: condition(1, true, { tag: 'run-b' }),
        d: condition(2, true, { detector: 'trend' }),
        e: condition(2, false, { metric: 'length/mean' }),
      };
      expectObservable(
        cold('abcde|', values).pipe(
          hysteresis({ clearAfter: 1 }),
          map((a) => `${a.tag ?? '-'}|${a.id}|${a.state}`),
        ),
      ).toBe('abcde|', {
        a: '-|meanShift:reward:1|onset',
        b: '-|meanShift:length/mean:1|onset',
        c: 'run-b|meanShift:reward:1|onset',
        d: '-|trend:reward:2|onset',
        e: '-|meanShift:length/mean:1|resolved',
      });
    });
  });

  it('should build alerts from the condition: id, since, message, value and evidence of the current observation', () => {
    const on = condition(7, true, { t: 1000, tag: 'math', severity: 'critical', signal: 'exploit' });
    const off = condition(8, false, { severity: 'info', signal: 'info' });
    const out: unknown[] = [];
    of(on, { ...off, tag: 'math' }).pipe(hysteresis({ clearAfter: 1 })).subscribe((a) => out.push(a));
    expect(out).toEqual([
      {
        id: 'meanShift:reward:7', detector: 'meanShift', metric: 'reward', severity: 'critical', signal: 'exploit',
        step: 7, message: 'reward up at step 7', value: 5, threshold: 4, since: 7, evidence: { stats: { step: 7 } },
        state: 'onset', tag: 'math', t: 1000,
      },
      {
        id: 'meanShift:reward:7', detector: 'meanShift', metric: 'reward', severity: 'critical', signal: 'exploit',
        step: 8, message: 'reward back to normal at step 8', value: 1, threshold: 4, since: 7,
        evidence: { stats: { step: 8 } }, state: 'resolved', tag: 'math',
      },
    ]);
  });

  it('should ignore inactive conditions when idle and keep episodes open on completion', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('nopab|', steps).pipe(hysteresis(), map(brief))).toBe('---o-|', { o: 'onset@1/1:warning' });
    });
  });

  it('should complete on an empty source, never emit on never, and forward errors', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Condition>('|').pipe(hysteresis())).toBe('|');
      expectObservable(cold<Condition>('-').pipe(hysteresis())).toBe('-');
      expectObservable(cold<Condition>('#').pipe(hysteresis())).toBe('#');
    });
  });

  it('should forward an error mid-stream after the alerts before it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-#', steps).pipe(hysteresis(), map(brief)), ).toBe('o---#', { o: 'onset@1/1:warning' });
    });
  });

  it('should unsubscribe from the source when the subscriber unsubscribes, without breaking the chain', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  --a--b--c--d--|', steps);
      const subs = '        ^-------!';
      const unsub = '       --------!';
      const result = source.pipe(
        map((x) => x),
        hysteresis(),
        map(brief),
      );
      expectObservable(result, unsub).toBe('--o-----', { o: 'onset@1/1:warning' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    const source = of(...Array.from({ length: 100 }, (_, i) => condition(i + 1, true))).pipe(tap((c) => seen.push(c.step)));
    const out: string[] = [];
    source.pipe(hysteresis(), take(1)).subscribe((a) => out.push(brief(a)));
    expect(out).toEqual(['onset@1/1:warning']);
    expect(seen).toEqual([1]);
  });

  it('should reject bad config at call time', () => {
    expect(() => hysteresis({ clearAfter: 0 })).toThrow(RangeError);
    expect(() => hysteresis({ clearAfter: 1.5 })).toThrow(/clearAfter must be an integer >= 1/);
    expect(() => hysteresis({ cooldown: -1 })).toThrow(RangeError);
    expect(() => hysteresis({ cooldown: Number.NaN })).toThrow(RangeError);
    expect(() => hysteresis({ ongoingEvery: 0 })).toThrow(RangeError);
    expect(() => hysteresis(null as never)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const shared = cold('abo|', steps).pipe(hysteresis({ ongoingEvery: Infinity }), map(brief));
      expectObservable(shared).toBe('o--|', { o: 'onset@1/1:warning' });
      expectObservable(shared).toBe('o--|', { o: 'onset@1/1:warning' });
    });
  });
});
