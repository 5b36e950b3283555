import fc from 'fast-check';
import { map, of, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { aggregateAlerts } from '../../operators/aggregate-alerts.js';
import type { AlertDigest } from '../../src/core/alert-digest.js';
import type { Alert } from '../../src/core/types.js';
import { alert, testScheduler } from './fixtures.js';

const A = (step: number, extra: Partial<Parameters<typeof alert>[0]> = {}) => alert({ step, ...extra });

/** `steps of the folded alerts @ digest step` */
const folded = (d: AlertDigest): string => `${d.alerts.map((a) => a.step).join(',')}@${d.step}`;

describe('aggregateAlerts', () => {
  it('should emit one digest per step window at its close and flush the last on completion (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b----c--------|', { a: A(1), b: A(3), c: A(8) });
      const expected = '   --------x--------(y|)';
      expectObservable(source.pipe(aggregateAlerts({ windowSteps: 5 }), map(folded))).toBe(expected, { x: '1,3@3', y: '8@8' });
    });
  });

  it('should build the digest: worst severity, counts per severity and detector, message, alerts', () => {
    const alerts = [
      A(10, { detector: 'repetition', severity: 'warning' }),
      A(12, { detector: 'meanShift', severity: 'critical' }),
      A(13, { detector: 'repetition', severity: 'info' }),
    ];
    const out: AlertDigest[] = [];
    of(...alerts).pipe(aggregateAlerts({ windowSteps: 10 })).subscribe((d) => out.push(d));
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual({
      id: 'aggregateAlerts:10', detector: 'aggregateAlerts', metric: 'alerts', severity: 'critical', signal: 'info',
      step: 13, message: '3 alerts in steps 10-19: 1 critical, 1 warning, 1 info (repetition 2, meanShift 1)',
      value: 3, threshold: 0, since: 10,
      evidence: { stats: { count: 3, 'severity/critical': 1, 'severity/warning': 1, 'severity/info': 1, 'detector/repetition': 2, 'detector/meanShift': 1 } },
      state: 'onset', alerts, bySeverity: { critical: 1, warning: 1, info: 1 }, byDetector: { repetition: 2, meanShift: 1 },
    });
  });

  it('should keep a common tag and drop a mixed one', () => {
    const tags = (alerts: Alert[]): (string | undefined)[] => {
      const out: (string | undefined)[] = [];
      of(...alerts).pipe(aggregateAlerts({ windowSteps: 10 })).subscribe((d) => out.push(d.tag));
      return out;
    };
    expect(tags([A(1, { tag: 'x' }), A(2, { tag: 'x' })])).toEqual(['x']);
    expect(tags([A(1, { tag: 'x' }), A(2, { tag: 'y' })])).toEqual([undefined]);
  });

  it('should close time windows by timer and emit nothing for empty stretches', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-ab-------c--|', { a: A(1), b: A(2), c: A(3) });
      // window opens at 1 for 5 ms: digest at 6; nothing between; c opens a window at 10, flushed at 13.
      expectObservable(source.pipe(aggregateAlerts({ windowMs: 5 }), map(folded))).toBe('------x------(y|)', { x: '1,2@2', y: '3@3' });
      expectObservable(source.pipe(aggregateAlerts({ windowMs: 5 }), map((d) => d.message))).toBe('------x------(y|)', {
        x: '2 alerts in 5 ms: 2 warning (meanShift 2)',
        y: '1 alert in 5 ms: 1 warning (meanShift 1)',
      });
    });
  });

  it('should drop the open window and forward an error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab#', { a: A(1), b: A(2) }).pipe(aggregateAlerts({ windowSteps: 10 }))).toBe('--#');
      expectObservable(cold('ab#', { a: A(1), b: A(2) }).pipe(aggregateAlerts({ windowMs: 10 }))).toBe('--#');
    });
  });

  it('should handle empty, never and error sources', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      for (const config of [{ windowSteps: 2 }, { windowMs: 2 }] as const) {
        expectObservable(cold<Alert>('|').pipe(aggregateAlerts(config))).toBe('|');
        expectObservable(cold<Alert>('-').pipe(aggregateAlerts(config))).toBe('-');
        expectObservable(cold<Alert>('#').pipe(aggregateAlerts(config))).toBe('#');
      }
    });
  });

  it('should unsubscribe from the source and cancel the window timer when unsubscribed', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a--b--|', { a: A(1), b: A(2) });
      expectObservable(source.pipe(map((x) => x), aggregateAlerts({ windowMs: 4 }), map(folded)), '---!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    of(A(1), A(5), A(9), A(13))
      .pipe(tap((a) => seen.push(a.step)), aggregateAlerts({ windowSteps: 2 }), take(1))
      .subscribe();
    expect(seen).toEqual([1, 5]);
  });

  it('should reject bad config at call time', () => {
    expect(() => aggregateAlerts({ windowSteps: 0 })).toThrow(RangeError);
    expect(() => aggregateAlerts({ windowSteps: 2.5 })).toThrow(RangeError);
    expect(() => aggregateAlerts({ windowMs: -1 })).toThrow(RangeError);
    expect(() => aggregateAlerts({} as never)).toThrow(TypeError);
    expect(() => aggregateAlerts(undefined as never)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const digests = cold('ab|', { a: A(1), b: A(2) }).pipe(aggregateAlerts({ windowMs: 10 }), map(folded));
      expectObservable(digests).toBe('--(x|)', { x: '1,2@2' });
      expectObservable(digests).toBe('--(x|)', { x: '1,2@2' });
    });
  });

  it('should put every alert in exactly one digest, in order, each spanning fewer than windowSteps steps (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (gaps, windowSteps) => {
        let step = 0;
        const alerts = gaps.map((gap) => A((step += gap)));
        const digests: AlertDigest[] = [];
        of(...alerts).pipe(aggregateAlerts({ windowSteps })).subscribe((d) => digests.push(d));
        expect(digests.flatMap((d) => d.alerts)).toEqual(alerts);
        for (const d of digests) {
          expect(d.alerts.length).toBeGreaterThan(0);
          expect(d.step - d.since).toBeLessThan(windowSteps);
          expect(d.value).toBe(d.alerts.length);
        }
        // consecutive digests: the next one starts at or beyond the previous window's end
        for (let i = 1; i < digests.length; i++) expect(digests[i]!.since).toBeGreaterThanOrEqual(digests[i - 1]!.since + windowSteps);
      }),
      { numRuns: 300 },
    );
  });
});
