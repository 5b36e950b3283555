import fc from 'fast-check';
import { map, of, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { rateLimitAlerts } from '../../operators/rate-limit-alerts.js';
import type { Alert } from '../../src/core/types.js';
import { alert, testScheduler } from './fixtures.js';

/** `A<step>` for key A (meanShift:reward), `B<step>` for key B (trend:kl), `S<n>@<step>` for summaries. */
function label(a: Alert): string {
  if (a.detector === 'rateLimitAlerts') return `S${a.value}@${a.step}`;
  return `${a.detector === 'trend' ? 'B' : 'A'}${a.step}`;
}

const A = (step: number, extra: Partial<Parameters<typeof alert>[0]> = {}) => alert({ step, ...extra });
const B = (step: number) => alert({ step, detector: 'trend', metric: 'kl' });

describe('rateLimitAlerts', () => {
  it('should let max alerts per key through per step window and summarise the rest at close (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-c-e-b-i----n------|', { a: A(1), c: A(3), e: A(5), b: B(7), i: A(9), n: A(14) });
      const expected = '   -a-c---b------(sn)---|';
      expectObservable(source.pipe(rateLimitAlerts({ max: 2, windowSteps: 10 }), map(label))).toBe(expected, {
        a: 'A1', c: 'A3', b: 'B7', s: 'S2@9', n: 'A14',
      });
    });
  });

  it('should build the summary alert with the count, key, worst severity and window', () => {
    const out: Alert[] = [];
    of(A(1), A(2), A(3, { severity: 'critical' }), A(4, { tag: 'x' }), A(12))
      .pipe(rateLimitAlerts({ max: 1, windowSteps: 10, key: (a) => a.metric }))
      .subscribe((a) => out.push(a));
    expect(out.map(label)).toEqual(['A1', 'S3@4', 'A12']);
    expect(out[1]).toEqual({
      id: 'rateLimitAlerts:reward:2', detector: 'rateLimitAlerts', metric: 'reward', severity: 'critical', signal: 'info',
      step: 4, message: 'suppressed 3 alerts from reward in steps 1-10', value: 3, threshold: 1, since: 2,
      evidence: { stats: { suppressed: 3, max: 1, windowStart: 1, windowEnd: 11 } }, state: 'onset',
    });
  });

  it('should close a step window when a later step of any key arrives, and not before', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // A window = steps 1-3. A2 is suppressed; B3 is still inside; A4 closes it and opens a new one.
      const source = cold('abcd----|', { a: A(1), b: A(2), c: B(3), d: A(4) });
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowSteps: 3 }), map(label))).toBe('a-c(sd)-|', {
        a: 'A1', c: 'B3', s: 'S1@2', d: 'A4',
      });
    });
  });

  it('should keep windows per key: one key flooding never eats another key budget', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcde|', { a: A(1), b: A(1), c: A(1), d: B(1), e: B(1) });
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowSteps: 5 }), map(label))).toBe('a--d-(st|)', {
        a: 'A1', d: 'B1', s: 'S2@1', t: 'S1@1',
      });
    });
  });

  it('should count tagged pipelines separately by default', () => {
    const out: string[] = [];
    of(A(1, { tag: 'x' }), A(1, { tag: 'y' }), A(1, { tag: 'x' }))
      .pipe(rateLimitAlerts({ max: 1, windowSteps: 5 }))
      .subscribe((a) => out.push(`${a.tag ?? '-'}:${label(a)}`));
    expect(out).toEqual(['x:A1', 'y:A1', 'x:S1@1']);
  });

  it('should close time windows by scheduler timer and emit the summary at the close frame', () => {
    testScheduler().run(({ hot, expectObservable, time }) => {
      const windowMs = time('----|');
      const source = hot('-abc---d------|', { a: A(1), b: A(2), c: A(3), d: A(9) });
      // window opens at frame 1, closes at frame 5: summary of b and c; d opens a new window at 7,
      // which closes at 11 with nothing suppressed.
      const expected = '  -a---s-d------|';
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowMs }), map(label))).toBe(expected, {
        a: 'A1', s: 'S2@3', d: 'A9',
      });
    });
  });

  it('should describe a time window by its length and the suppressed steps', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|', { a: A(1), b: A(2), c: A(3) }).pipe(rateLimitAlerts({ max: 1, windowMs: 100 }), map((a) => a.message))).toBe(
        'a--(s|)',
        { a: 'meanShift on reward at 1', s: 'suppressed 2 alerts from meanShift:reward in 100 ms (steps 2-3)' },
      );
    });
  });

  it('should treat an alert at the exact close frame as the start of a new window', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('ab--c----|', { a: A(1), b: A(2), c: A(3) });
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowMs: 4 }), map(label))).toBe('a---(sc)-|', {
        a: 'A1', s: 'S1@2', c: 'A3',
      });
    });
  });

  it('should flush open windows on completion, before completing, in both modes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab-|', { a: A(1), b: A(2) });
      const values = { a: 'A1', s: 'S1@2' };
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowSteps: 100 }), map(label))).toBe('a--(s|)', values);
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowMs: 1000 }), map(label))).toBe('a--(s|)', values);
    });
  });

  it('should drop pending summaries and forward the error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('ab-#', { a: A(1), b: A(2) });
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowSteps: 100 }), map(label))).toBe('a--#', { a: 'A1' });
      expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowMs: 1000 }), map(label))).toBe('a--#', { a: 'A1' });
    });
  });

  it('should handle empty and never sources, and an error source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      for (const config of [{ max: 1, windowSteps: 2 }, { max: 1, windowMs: 2 }] as const) {
        expectObservable(cold<Alert>('|').pipe(rateLimitAlerts(config))).toBe('|');
        expectObservable(cold<Alert>('-').pipe(rateLimitAlerts(config))).toBe('-');
        expectObservable(cold<Alert>('#').pipe(rateLimitAlerts(config))).toBe('#');
      }
    });
  });

  it('should unsubscribe from the source and cancel window timers when unsubscribed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -ab----c-|', { a: A(1), b: A(2), c: A(3) });
      const subs = '        ^---!';
      // The window would close at frame 11 with a summary; unsubscribing at 4 cancels it.
      expectObservable(source.pipe(map((x) => x), rateLimitAlerts({ max: 1, windowMs: 10 }), map(label)), '    ----!').toBe('-a---', { a: 'A1' });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    for (const config of [{ max: 1, windowSteps: 2 }, { max: 1, windowMs: 2 }] as const) {
      const seen: number[] = [];
      of(A(1), A(2), A(3), A(4))
        .pipe(tap((a) => seen.push(a.step)), rateLimitAlerts(config), take(1))
        .subscribe();
      expect(seen).toEqual([1]);
    }
  });

  it('should route a throwing key function to the error channel', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const key = (a: Alert): string => {
        if (a.step === 2) throw new Error('bad key');
        return a.metric;
      };
      expectObservable(cold('ab', { a: A(1), b: A(2) }).pipe(rateLimitAlerts({ max: 1, windowSteps: 5, key }), map(label))).toBe(
        'a#',
        { a: 'A1' },
        new Error('bad key'),
      );
    });
  });

  it('should reject bad config at call time', () => {
    expect(() => rateLimitAlerts({ max: 0, windowSteps: 5 })).toThrow(RangeError);
    expect(() => rateLimitAlerts({ max: 1.5, windowSteps: 5 })).toThrow(/max must be an integer >= 1/);
    expect(() => rateLimitAlerts({ max: 1, windowSteps: 0 })).toThrow(RangeError);
    expect(() => rateLimitAlerts({ max: 1, windowMs: 0 })).toThrow(/windowMs must be a finite number > 0/);
    expect(() => rateLimitAlerts({ max: 1, windowMs: Infinity })).toThrow(RangeError);
    expect(() => rateLimitAlerts({ max: 1 } as never)).toThrow(/exactly one of windowSteps or windowMs/);
    expect(() => rateLimitAlerts({ max: 1, windowSteps: 2, windowMs: 2 } as never)).toThrow(TypeError);
    expect(() => rateLimitAlerts({ max: 1, windowSteps: 2, key: 'x' as never })).toThrow(TypeError);
  });

  it('should share no state between two subscribers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limited = cold('ab|', { a: A(1), b: A(2) }).pipe(rateLimitAlerts({ max: 1, windowMs: 10 }), map(label));
      expectObservable(limited).toBe('a-(s|)', { a: 'A1', s: 'S1@2' });
      expectObservable(limited).toBe('a-(s|)', { a: 'A1', s: 'S1@2' });
    });
  });

  it('should let through and summarise exactly what a plain per-key recount says (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 3 }), gap: fc.integer({ min: 0, max: 4 }) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        (specs, max, windowSteps) => {
          let step = 0;
          const alerts = specs.map((s) => alert({ step: (step += s.gap), detector: `d${s.key}` }));
          // Oracle: per key, a window opens at the first alert not inside the previous one.
          const expectedPassed: Alert[] = [];
          const expectedSummaries: string[] = [];
          const windows = new Map<string, { end: number; count: number; lastStep: number; openedAt: number }>();
          const closed: { end: number; openedAt: number; text: string }[] = [];
          const closeWindow = (key: string, w: { end: number; count: number; lastStep: number; openedAt: number }) => {
            if (w.count > max) closed.push({ end: w.end, openedAt: w.openedAt, text: `${key}:${w.count - max}@${w.lastStep}` });
          };
          for (const a of alerts) {
            const key = `${a.detector}:${a.metric}`;
            let w = windows.get(key);
            if (w !== undefined && a.step >= w.end) closeWindow(key, w);
            if (w === undefined || a.step >= w.end) {
              w = { end: a.step + windowSteps, count: 0, lastStep: a.step, openedAt: a.step };
              windows.set(key, w);
            }
            w.count += 1;
            if (w.count <= max) expectedPassed.push(a);
            else w.lastStep = a.step;
          }
          for (const [key, w] of windows) closeWindow(key, w);
          for (const c of closed) expectedSummaries.push(c.text);
          const out: Alert[] = [];
          of(...alerts).pipe(rateLimitAlerts({ max, windowSteps })).subscribe((a) => out.push(a));
          const summaries = out.filter((a) => a.detector === 'rateLimitAlerts');
          expect(out.filter((a) => a.detector !== 'rateLimitAlerts')).toEqual(expectedPassed);
          expect(summaries.map((a) => `${a.metric}:${a.value}@${a.step}`).sort()).toEqual(expectedSummaries.sort());
          expect(summaries.reduce((n, a) => n + a.value, 0) + expectedPassed.length).toBe(alerts.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('rateLimitAlerts with an explicit scheduler', () => {
  it('should run its window timers on the given scheduler', () => {
    const scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
    // Outside run(): one marble character is 10 virtual ms here, so windowMs 40 = 4 characters.
    const source = scheduler.createHotObservable('-abc------|', { a: alert({ step: 1 }), b: alert({ step: 2 }), c: alert({ step: 3 }) });
    scheduler
      .expectObservable(source.pipe(rateLimitAlerts({ max: 1, windowMs: 40, scheduler }), map((a) => (a.detector === 'rateLimitAlerts' ? `S${a.value}` : `A${a.step}`))))
      .toBe('-a---s----|', { a: 'A1', s: 'S2' });
    scheduler.flush();
  });
});
