import { filter, isObservable, take, type Observable } from 'rxjs';
import type { Verdict, VerdictStatus } from '../src/core/types.js';
import { VERDICT_ORDER, verdictAtLeast } from '../src/core/verdict.js';

/** The levels a stop can be set at (stopping at `healthy` would stop at once). */
const STOP_LEVELS: readonly VerdictStatus[] = VERDICT_ORDER.filter((status) => status !== 'healthy');

export interface StopSignalConfig {
  /**
   * The verdict status at or above which to stop, in the order healthy < warning < collapse <
   * hacking (`verdictRank`): `'collapse'` stops on collapse or hacking. One of `'warning'`,
   * `'collapse'`, `'hacking'`. Default `'hacking'`.
   */
  readonly level?: VerdictStatus;
}

/**
 * An early-stopping signal for a training loop: emits the first verdict whose `status` reaches
 * `level`, then completes.
 *
 * Like `first(predicate)`, but it completes quietly (no `EmptyError`) when the verdicts end
 * without reaching the level, so "never stopped" is simply completion. Because `status` is the
 * worst state reached, the signal fires at the first verdict of that level even if the run
 * recovers later. It subscribes to `verdict$` once per subscriber and unsubscribes after firing.
 *
 * ```
 * verdict$:  -h--w--k--k--|     h = healthy, w = warning, k = hacking
 *            stopSignal(verdict$, { level: 'hacking' })
 * stop$:     -------(k|)
 * ```
 *
 * @example
 * ```ts
 * import { stopSignal, verdict } from 'goodhart/operators';
 * const stop$ = stopSignal(alerts$.pipe(verdict()), { level: 'hacking' });
 * stop$.subscribe((v) => { trainer.requestStop(`goodhart: ${v.reasons[0]?.message ?? v.status}`); });
 * ```
 * @see verdict
 * @see onVerdict
 */
export function stopSignal(verdict$: Observable<Verdict>, config: StopSignalConfig = {}): Observable<Verdict> {
  if (!isObservable(verdict$)) throw new TypeError('stopSignal needs an Observable of verdicts');
  const raw: unknown = config;
  if (typeof raw !== 'object' || raw === null) throw new TypeError('stopSignal config must be an object');
  const level = config.level ?? 'hacking';
  if (!STOP_LEVELS.includes(level)) {
    throw new RangeError(`stopSignal level must be one of ${STOP_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  return verdict$.pipe(
    filter((v) => verdictAtLeast(v.status, level)),
    take(1),
  );
}
