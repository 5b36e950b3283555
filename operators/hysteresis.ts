import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import { Hysteresis, resolveHysteresisConfig, type HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert } from '../src/core/types.js';

export type { HysteresisConfig } from '../src/core/hysteresis.js';

/**
 * Turns a detector's raw per-observation `Condition`s into alert episodes: one `onset`, optional
 * `ongoing` reminders, and one `resolved` once the condition has stayed false long enough.
 *
 * Like `distinctUntilChanged` on "is the condition active", but with a debounce on the way down
 * (`clearAfter`), a refractory period after each episode (`cooldown`) and periodic reminders, all
 * counted in trainer steps (`Condition.step`), so it needs no scheduler.
 *
 * Contract (see `Condition`): episodes are keyed by `detector:metric` plus `tag`, each key
 * independent. Per key:
 * - an active condition while idle opens an episode with an `onset` alert (`since` = its step,
 *   `id` = `detector:metric:since`), unless the key is cooling down: a condition at step `s` is
 *   ignored while `s - resolvedStep < cooldown`;
 * - while the episode is open, an active condition emits `ongoing` when its severity or signal
 *   differs from the last alert's (escalation is reported at once), or when `ongoingEvery` steps
 *   have passed since the last alert of the episode;
 * - inactive conditions on `clearAfter` distinct steps in a row (no active one in between) close
 *   it with one `resolved` alert, carrying the episode's last severity and signal (so severity
 *   filters never strand an episode) and the resolving condition's message, value and evidence.
 * Each condition produces at most one alert. Open episodes stay open when the source completes.
 *
 * ```
 * step:    1 2 3 4 5 6 7 8 9
 * source:  -a-a-f-f-f-a-a-a-a-|        a = active, f = inactive (one condition per step)
 *          hysteresis({ clearAfter: 3, cooldown: 4, ongoingEvery: Infinity })
 * output:  -o-------r-------o-|        o = onset (steps 1 and 9), r = resolved (step 5);
 *                                      actives at steps 6-8 fall in the cooldown (< 5 + 4)
 * ```
 *
 * @example
 * ```ts
 * import { hysteresis, minSeverity } from 'goodhart/operators';
 * const alerts$ = conditions$.pipe(hysteresis({ clearAfter: 3, cooldown: 10 }), minSeverity('warning'));
 * ```
 * @see Condition the input type every detector emits
 * @see minSeverity
 * @see verdict which keeps episodes open until their `resolved` alert
 */
export function hysteresis(config: HysteresisConfig = {}): OperatorFunction<Condition, Alert> {
  const resolved = resolveHysteresisConfig(config);
  return (source) =>
    defer(() => {
      const machine = new Hysteresis(resolved);
      return source.pipe(
        map((condition) => machine.next(condition)),
        filter((alert): alert is Alert => alert !== undefined),
      );
    });
}
