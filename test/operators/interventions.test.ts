import { map, of, Subject, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { onAlert } from '../../operators/on-alert.js';
import { onVerdict } from '../../operators/on-verdict.js';
import { stopSignal } from '../../operators/stop-signal.js';
import type { Alert, Verdict, VerdictStatus } from '../../src/core/types.js';
import { alert, testScheduler } from './fixtures.js';

const v = (status: VerdictStatus, step: number): Verdict => ({ status, reasons: [], step });
const verdicts = { h: v('healthy', 1), w: v('warning', 4), c: v('collapse', 6), k: v('hacking', 7), l: v('hacking', 10) };

describe('onAlert', () => {
  it('should call the hook with each alert and pass the alerts on unchanged (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const values = { a: alert({ step: 1 }), b: alert({ step: 4 }) };
      const seen: number[] = [];
      expectObservable(cold('-a--b--|', values).pipe(onAlert((a) => seen.push(a.step)))).toBe('-a--b--|', values);
      flush();
      expect(seen).toEqual([1, 4]);
    });
  });

  it('should route a throwing hook to the error channel and unsubscribe from the source', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a--b--c--|', { a: alert({ step: 1 }), b: alert({ step: 4 }), c: alert({ step: 7 }) });
      const hook = (a: Alert): void => {
        if (a.step === 4) throw new Error('pager down');
      };
      expectObservable(source.pipe(onAlert(hook), map((a) => a.step))).toBe('-a--#', { a: 1 }, new Error('pager down'));
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('should handle empty, never and error sources', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const hook = (): void => undefined;
      expectObservable(cold<Alert>('|').pipe(onAlert(hook))).toBe('|');
      expectObservable(cold<Alert>('-').pipe(onAlert(hook))).toBe('-');
      expectObservable(cold<Alert>('#').pipe(onAlert(hook))).toBe('#');
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed by take(1)', () => {
    const seen: number[] = [];
    of(alert({ step: 1 }), alert({ step: 2 })).pipe(onAlert((a) => seen.push(a.step)), take(1)).subscribe();
    expect(seen).toEqual([1]);
  });

  it('should reject a non-function at call time', () => {
    expect(() => onAlert('x' as never)).toThrow(TypeError);
    expect(() => onVerdict(undefined as never)).toThrow(TypeError);
  });
});

describe('onVerdict', () => {
  it('should call the hook with each verdict and route a throwing hook to the error channel', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const seen: string[] = [];
      expectObservable(cold('-h--w--|', verdicts).pipe(onVerdict((x) => seen.push(x.status)))).toBe('-h--w--|', verdicts);
      const boom = (x: Verdict): void => {
        if (x.status === 'warning') throw new Error('hook failed');
      };
      expectObservable(cold('-h--w--|', verdicts).pipe(onVerdict(boom))).toBe('-h--#', verdicts, new Error('hook failed'));
      flush();
      expect(seen).toEqual(['healthy', 'warning']);
    });
  });
});

describe('stopSignal', () => {
  it('should emit the first verdict reaching the level and complete (doc marble)', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const verdict$ = hot('-h--w--k--l--|', verdicts);
      expectObservable(stopSignal(verdict$, { level: 'hacking' })).toBe('-------(k|)', verdicts);
      expectSubscriptions(verdict$.subscriptions).toBe('^------!');
    });
  });

  it('should order levels healthy < warning < collapse < hacking', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const verdict$ = cold('hwck|', verdicts);
      expectObservable(stopSignal(verdict$, { level: 'warning' })).toBe('-(w|)', verdicts);
      expectObservable(stopSignal(verdict$, { level: 'collapse' })).toBe('--(c|)', verdicts);
      expectObservable(stopSignal(verdict$)).toBe('---(k|)', verdicts);
    });
  });

  it('should complete without emitting when the verdicts end below the level, and forward errors', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(stopSignal(cold('hw|', verdicts))).toBe('--|');
      expectObservable(stopSignal(cold<Verdict>('|'))).toBe('|');
      expectObservable(stopSignal(cold<Verdict>('-'))).toBe('-');
      expectObservable(stopSignal(cold('h#', verdicts))).toBe('-#');
    });
  });

  it('should stop a training loop: emit once to every subscriber, synchronously', () => {
    const verdict$ = new Subject<Verdict>();
    const stops: number[] = [];
    stopSignal(verdict$, { level: 'collapse' }).subscribe((x) => stops.push(x.step));
    verdict$.next(verdicts.w);
    verdict$.next(verdicts.c);
    verdict$.next(verdicts.k);
    expect(stops).toEqual([6]);
    expect(verdict$.observed).toBe(false);
  });

  it('should stop listening to a synchronous verdict source once it fires', () => {
    const seen: number[] = [];
    stopSignal(of(verdicts.h, verdicts.k, verdicts.l).pipe(tap((x) => seen.push(x.step)))).subscribe();
    expect(seen).toEqual([1, 7]);
  });

  it('should reject bad arguments at call time', () => {
    expect(() => stopSignal(of(verdicts.h), { level: 'healthy' })).toThrow(RangeError);
    expect(() => stopSignal(of(verdicts.h), { level: 'panic' as never })).toThrow(RangeError);
    expect(() => stopSignal([] as never)).toThrow(TypeError);
    expect(() => stopSignal(of(verdicts.h), null as never)).toThrow(TypeError);
  });
});
