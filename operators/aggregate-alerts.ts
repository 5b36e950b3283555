import type { OperatorFunction } from 'rxjs';
import { digestAlerts, type AlertDigest } from '../src/core/alert-digest.js';
import type { WindowPolicy } from '../src/core/keyed-windows.js';
import type { Alert } from '../src/core/types.js';
import { windowClock, windowed, type WindowOptions } from './internal/windowed.js';

/**
 * Options of `aggregateAlerts`: exactly one window length, `windowSteps` (trainer steps) or
 * `windowMs` (scheduler time, with an optional `scheduler`, default `asyncScheduler`).
 */
export type AggregateAlertsConfig = WindowOptions;

interface DigestWindow {
  readonly start: number;
  readonly end: number;
  readonly alerts: Alert[];
}

/**
 * Folds the alerts of each window into one `AlertDigest`, emitted when the window closes.
 *
 * Like `bufferTime`, but a window opens at its first alert (so no empty digests are ever
 * emitted), may be measured in trainer steps, and comes out as an alert that any sink can print:
 * the worst severity, "N alerts in <window>: 1 critical, 2 warning (meanShift 2, trend 1)", counts
 * per severity and per detector, and the alerts themselves. A window covers `windowSteps` steps
 * from its first alert (closing when an alert of a later step arrives, the digest coming out
 * before that alert opens the next window) or `windowMs` of scheduler time (closing by timer). On
 * completion the open window flushes at once; on error it is dropped and the error forwarded.
 *
 * ```
 * source:  -a-b----c--------|      frame = step
 *          aggregateAlerts({ windowSteps: 5 })
 * output:  --------x--------(y|)   x = digest of a, b (steps 1-5) when c (step 8) arrives;
 *                                   y = digest of c, flushed on completion
 * ```
 *
 * @example
 * ```ts
 * import { aggregateAlerts } from 'goodhart/operators';
 * alerts$.pipe(aggregateAlerts({ windowMs: 60_000 })).subscribe((d) => console.log(d.message));
 * ```
 * @see rateLimitAlerts to cap alerts per key instead
 * @see AlertDigest
 */
export function aggregateAlerts(config: AggregateAlertsConfig): OperatorFunction<Alert, AlertDigest> {
  if (typeof config !== 'object') throw new TypeError('aggregateAlerts needs a config object');
  const clock = windowClock('aggregateAlerts', config);
  const describeWindow =
    clock.kind === 'steps'
      ? (w: DigestWindow) => `steps ${w.start}-${w.end - 1}`
      : (w: DigestWindow) => `${w.end - w.start} ms`;
  const makePolicy = (): WindowPolicy<Alert, DigestWindow, AlertDigest> => ({
    key: () => '',
    open: (_key, start, end) => ({ start, end, alerts: [] }),
    add: (window, alert) => {
      window.alerts.push(alert);
      return undefined;
    },
    close: (window) => digestAlerts(window.alerts, describeWindow(window)),
  });
  return windowed(clock, makePolicy);
}
