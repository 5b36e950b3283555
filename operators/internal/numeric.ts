// The rxjs side shared by the numeric detectors: per subscriber, build the pure detector state
// (from the first item, so a default can depend on whether items are step records or samples),
// pick the value and step of each item and feed them to it; keep the conditions it returns.
import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';
import { finiteOrMissing, type ResolvedSelect } from '../../src/detectors/select.js';
import { withMachine, type ConditionMachine } from './machine.js';

/** A pure numeric detector: one value (or `undefined` when missing) in, at most one condition out. */
export interface NumericJudge {
  next(value: number | undefined, step: number): Condition | undefined;
}

/**
 * Maps items to the conditions of a fresh `create(firstItem)` judge per subscriber. A throwing
 * `select`/`step` or judge error goes to the error channel (rxjs `map` semantics).
 */
export function numericConditions<T>(
  selection: ResolvedSelect<T>,
  create: (first: T) => NumericJudge,
): OperatorFunction<T, Condition> {
  const machine = (): ConditionMachine<T> => {
    let judge: NumericJudge | undefined;
    return {
      push: (item) => {
        judge ??= create(item);
        return judge.next(finiteOrMissing(selection.select(item)), selection.step(item));
      },
      flush: () => undefined,
    };
  };
  return withMachine(
    (source) =>
      defer(() => {
        const state = machine();
        return source.pipe(
          map((item) => state.push(item)),
          filter((condition): condition is Condition => condition !== undefined),
        );
      }),
    machine,
  );
}
