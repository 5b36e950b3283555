// The plumbing composed as a user would: detector conditions -> hysteresis -> verdict -> stop$,
// with alerts for display rate-limited on a branch.
import { map, share } from 'rxjs';
import { describe, it } from 'vitest';
import { hysteresis } from '../../operators/hysteresis.js';
import { minSeverity } from '../../operators/min-severity.js';
import { rateLimitAlerts } from '../../operators/rate-limit-alerts.js';
import { stopSignal } from '../../operators/stop-signal.js';
import { verdict } from '../../operators/verdict.js';
import type { Condition } from '../../src/core/condition.js';
import { condition, testScheduler } from './fixtures.js';

const proxy = (step: number, active: boolean): Condition =>
  condition(step, active, { detector: 'saturation', metric: 'reward', severity: 'info', signal: 'proxy-rise' });
const exploit = (step: number, active: boolean): Condition =>
  condition(step, active, { detector: 'repetition', metric: 'response', severity: 'warning', signal: 'exploit' });

describe('alert pipeline', () => {
  it('should flag hacking once proxy and exploit co-occur, stop training there, and remember it after recovery', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const values = {
        p: proxy(1, true), // reward pinned high: info only
        e: exploit(2, true), // repetition while the proxy is high: hacking
        f: exploit(3, false),
        g: exploit(4, false), // exploit resolved (clearAfter 2): current falls back to healthy
        q: proxy(5, false),
        r: proxy(6, false), // proxy resolved too
      };
      const conditions$ = hot('-p-e-f-g-q-r-|', values);
      const alerts$ = conditions$.pipe(hysteresis({ clearAfter: 2, ongoingEvery: Infinity }), share());
      const verdict$ = alerts$.pipe(verdict(), share());
      expectObservable(verdict$.pipe(map((v) => `${v.status}/${v.current ?? ''}/${v.worstSince ?? '-'}`))).toBe('-a-b---c-----|', {
        a: 'healthy/healthy/-',
        b: 'hacking/hacking/2',
        c: 'hacking/healthy/2',
      });
      expectObservable(stopSignal(verdict$).pipe(map((v) => v.step))).toBe('---(s|)', { s: 2 });
      // The display branch: the rate limit swallows the resolved alert (one alert per key per 10
      // steps) and reports it at completion; the verdict above is upstream of it, so it saw the
      // episode resolve.
      expectObservable(
        alerts$.pipe(minSeverity('warning'), rateLimitAlerts({ max: 1, windowSteps: 10 }), map((a) => `${a.detector}:${a.message}`)),
      ).toBe('---a---------(s|)', {
        a: 'repetition:reward up at step 2',
        s: 'rateLimitAlerts:suppressed 1 alert from repetition:response in steps 2-11',
      });
    });
  });
});
