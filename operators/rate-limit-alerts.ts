import type { OperatorFunction } from 'rxjs';
import { episodeKey } from '../src/core/condition.js';
import type { WindowPolicy } from '../src/core/keyed-windows.js';
import { severityRank, type Alert, type Severity } from '../src/core/types.js';
import { windowClock, windowed, type WindowOptions } from './internal/windowed.js';

/**
 * Options of `rateLimitAlerts`: `max`, an optional `key`, and exactly one window length,
 * `windowSteps` (trainer steps) or `windowMs` (scheduler time, with an optional `scheduler`,
 * default `asyncScheduler`).
 */
export type RateLimitAlertsConfig = WindowOptions & {
  /** Alerts let through per key per window; an integer >= 1. Required. */
  readonly max: number;
  /**
   * Window key of an alert. Default: `detector:metric`, prefixed by `tag|` when the alert is
   * tagged (so tagged pipelines merged into one stream keep their own budgets).
   */
  readonly key?: (alert: Alert) => string;
};

interface RateWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  passed: number;
  suppressed: number;
  worst: Severity;
  firstStep: number;
  lastStep: number;
  tag: string | undefined;
}

/**
 * Lets at most `max` alerts per key through in each window and, when a window closes with
 * alerts suppressed, emits one summary alert that counts them.
 *
 * Like `throttle` with `{ leading: true }` but per key, letting `max` through instead of one, and
 * never losing count: each suppressed burst becomes one `rateLimitAlerts` alert (metric = the key,
 * message "suppressed N alerts from <key> in <window>", `value` = N, `threshold` = `max`, the
 * worst suppressed severity, signal `info`, `since`/`step` = first/last suppressed step, evidence
 * `{ suppressed, max, windowStart, windowEnd }`). A key's window opens at its first alert and
 * covers `windowSteps` steps (closing when an alert of a later step arrives, whatever its key) or
 * `windowMs` of scheduler time (closing by timer). Summaries come out at window close, before the
 * alert that closed the window; on completion the open windows flush their summaries at once; on
 * error the pending summaries are dropped and the error is forwarded. Put `verdict()` upstream:
 * a suppressed `resolved` alert would leave its episode open there.
 *
 * ```
 * source:  -a-a-a-b-a----a------|     all from key A except b (key B); frame = step
 *          rateLimitAlerts({ max: 2, windowSteps: 10 })
 * output:  -a-a---b------(sa)---|     window A = steps 1-10: 2 let through, 2 suppressed; the
 *                                      alert at step 14 closes it: summary s, then a opens a new
 *                                      window
 * ```
 *
 * @example
 * ```ts
 * import { hysteresis, rateLimitAlerts } from 'goodhart/operators';
 * const shown$ = alerts$.pipe(rateLimitAlerts({ max: 3, windowMs: 60_000 }));
 * ```
 * @see aggregateAlerts to fold every alert of a window into one digest instead
 * @see minSeverity
 */
export function rateLimitAlerts(config: RateLimitAlertsConfig): OperatorFunction<Alert, Alert> {
  if (typeof config !== 'object') throw new TypeError('rateLimitAlerts needs a config object');
  const { max, key = episodeKey } = config;
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`rateLimitAlerts max must be an integer >= 1, got ${String(max)}`);
  }
  if (typeof key !== 'function') throw new TypeError('rateLimitAlerts key must be a function');
  const clock = windowClock('rateLimitAlerts', config);
  const describeWindow =
    clock.kind === 'steps'
      ? (w: RateWindow) => `steps ${w.start}-${w.end - 1}`
      : (w: RateWindow) => `${w.end - w.start} ms (steps ${w.firstStep}-${w.lastStep})`;

  const makePolicy = (): WindowPolicy<Alert, RateWindow, Alert> => ({
    key,
    open: (windowKey, start, end) => ({
      key: windowKey, start, end, passed: 0, suppressed: 0, worst: 'info',
      firstStep: 0, lastStep: 0, tag: undefined,
    }),
    add: (window, alert) => {
      if (window.passed < max) {
        window.passed += 1;
        return alert;
      }
      if (window.suppressed === 0) {
        window.firstStep = alert.step;
        window.tag = alert.tag;
      }
      window.suppressed += 1;
      window.lastStep = alert.step;
      if (severityRank[alert.severity] > severityRank[window.worst]) window.worst = alert.severity;
      return undefined;
    },
    close: (window) => (window.suppressed === 0 ? undefined : summary(window, max, describeWindow(window))),
  });
  return windowed(clock, makePolicy);
}

function summary(window: RateWindow, max: number, windowText: string): Alert {
  const alert: Alert = {
    id: `rateLimitAlerts:${window.key}:${window.firstStep}`,
    detector: 'rateLimitAlerts',
    metric: window.key,
    severity: window.worst,
    signal: 'info',
    step: window.lastStep,
    message: `suppressed ${window.suppressed} alert${window.suppressed === 1 ? '' : 's'} from ${window.key} in ${windowText}`,
    value: window.suppressed,
    threshold: max,
    since: window.firstStep,
    evidence: { stats: { suppressed: window.suppressed, max, windowStart: window.start, windowEnd: window.end } },
    state: 'onset',
  };
  return window.tag === undefined ? alert : { ...alert, tag: window.tag };
}
