// The rxjs side shared by the step-judged detectors (the text and rate detectors): per subscriber,
// a fresh pure state machine judges items as they arrive (a step is judged when a later step
// arrives) and once more when the source completes, for the last open step. A throwing user
// callback inside the machine goes to the error channel (rxjs `map` semantics); on error nothing
// is flushed.
import { concat, defer, filter, map, of, type OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';
import { withMachine, type ConditionMachine } from './machine.js';

/** A pure per-subscriber detector: at most one condition per item, and one at the end. */
export type JudgedMachine<T> = ConditionMachine<T>;

/** Maps items to the conditions of a fresh `create()` machine per subscriber. */
export function judgedConditions<T>(create: () => JudgedMachine<T>): OperatorFunction<T, Condition> {
  return withMachine(
    (source) =>
      defer(() => {
        const machine = create();
        return concat(
          source.pipe(map((item) => machine.push(item))),
          defer(() => of(machine.flush())),
        ).pipe(filter((condition): condition is Condition => condition !== undefined));
      }),
    create,
  );
}
