import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { Verdict } from '../src/core/types.js';

/**
 * Calls `hook` with every verdict `verdict()` emits (each one a change of judgement) and passes
 * the verdicts on unchanged.
 *
 * Exactly `tap(hook)`, named for intent: a hook that throws errors the stream with its exception,
 * as `tap` does, so a broken intervention is loud, never silently skipped (catch inside the hook
 * to keep going). For "stop training at hacking", prefer `stopSignal`.
 *
 * ```
 * source:  -v--w--|
 *          onVerdict(fn)   fn(v) at frame 1, fn(w) at frame 4
 * output:  -v--w--|
 * ```
 *
 * @example
 * ```ts
 * import { onVerdict, verdict } from 'goodhart/operators';
 * alerts$.pipe(verdict(), onVerdict((v) => console.log(v.status, v.reasons[0]?.message))).subscribe();
 * ```
 * @see onAlert
 * @see stopSignal
 */
export function onVerdict(hook: (verdict: Verdict) => void): MonoTypeOperatorFunction<Verdict> {
  if (typeof hook !== 'function') throw new TypeError('onVerdict needs a function');
  return tap(hook);
}
