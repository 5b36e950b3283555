import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { Alert } from '../src/core/types.js';

/**
 * Calls `hook` with every alert (to page someone, log, or act on the trainer) and passes the
 * alerts on unchanged.
 *
 * Exactly `tap(hook)`, named for intent: a hook that throws errors the stream with its exception,
 * as `tap` does, so a broken intervention is loud, never silently skipped (catch inside the hook
 * to keep going). A hook returning a promise is not awaited; handle its rejection in the hook.
 *
 * ```
 * source:  -a--b--|
 *          onAlert(fn)     fn(a) at frame 1, fn(b) at frame 4
 * output:  -a--b--|
 * ```
 *
 * @example
 * ```ts
 * import { hysteresis, minSeverity, onAlert } from 'goodhart/operators';
 * conditions$.pipe(hysteresis(), minSeverity('critical'), onAlert((a) => notify(a.message))).subscribe();
 * ```
 * @see onVerdict
 * @see tap
 */
export function onAlert(hook: (alert: Alert) => void): MonoTypeOperatorFunction<Alert> {
  if (typeof hook !== 'function') throw new TypeError('onAlert needs a function');
  return tap(hook);
}
