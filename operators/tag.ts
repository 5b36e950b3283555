import { map, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Names a pipeline: sets `tag` on every item (an `Alert` or a `Condition`) so the dashboard and
 * the verdict can keep several runs or pipelines apart; changes nothing else.
 *
 * Like `map((x) => ({ ...x, tag: name }))`: the item is copied, never mutated; an existing tag is
 * replaced (the outermost name wins). Tagged items form separate episodes in `hysteresis()`,
 * separate budgets in `rateLimitAlerts()` and separate episodes in `verdict()`.
 *
 * ```
 * source:  -a--b--|
 *          tag('math')
 * output:  -A--B--|     A = { ...a, tag: 'math' }
 * ```
 *
 * @example
 * ```ts
 * import { merge } from 'rxjs';
 * import { tag } from 'goodhart/operators';
 * const all$ = merge(alertsA$.pipe(tag('run-a')), alertsB$.pipe(tag('run-b')));
 * ```
 * @see map
 */
export function tag<T extends { readonly tag?: string }>(name: string): MonoTypeOperatorFunction<T> {
  if (typeof name !== 'string') throw new TypeError(`tag name must be a string, got ${typeof name}`);
  if (name.trim() === '') throw new RangeError('tag name must not be empty');
  return map((item) => ({ ...item, tag: name }));
}
