import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import { severityRank, type Alert, type Severity } from '../src/core/types.js';

/**
 * Lets through alerts at `level` or worse, and every later alert of an episode already let
 * through, so a de-escalation or the `resolved` alert is never stranded.
 *
 * Like `filter((a) => severityRank[a.severity] >= severityRank[level])`, but episode-aware: an
 * episode (alert `id`, with its `tag`) whose alert passed once keeps passing until its `resolved`
 * alert. Without this, a warning episode that de-escalates to `info` before resolving would look
 * open forever downstream. An episode that starts at `info` and escalates shows up at its
 * escalation (an `ongoing` alert without the `onset`).
 *
 * ```
 * source:  -i-w-j-r-|      i = info onset (episode 1); w = warning onset (episode 2);
 *          minSeverity('warning')   j = episode 2 de-escalated to info; r = episode 2 resolved
 * output:  ---w-j-r-|
 * ```
 *
 * @example
 * ```ts
 * import { hysteresis, minSeverity } from 'goodhart/operators';
 * const serious$ = conditions$.pipe(hysteresis(), minSeverity('warning'));
 * ```
 * @see hysteresis
 * @see rateLimitAlerts
 */
export function minSeverity(level: Severity): MonoTypeOperatorFunction<Alert> {
  if (typeof level !== 'string' || !Object.hasOwn(severityRank, level)) {
    throw new TypeError(`minSeverity level must be 'info', 'warning' or 'critical', got ${JSON.stringify(level)}`);
  }
  const minimum = severityRank[level];
  return (source) =>
    defer(() => {
      const passing = new Set<string>();
      return source.pipe(
        filter((alert) => {
          const episode = `${alert.tag ?? ''}|${alert.id}`;
          const pass = severityRank[alert.severity] >= minimum || passing.has(episode);
          if (alert.state === 'resolved') passing.delete(episode);
          else if (pass) passing.add(episode);
          return pass;
        }),
      );
    });
}
