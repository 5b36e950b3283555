// The pure state machine behind a detector's `*Conditions` operator, kept beside the operator so
// the same machine can be driven by a plain loop (the pipeline benchmark compares the RxJS layer
// with it, and a test checks both give the same alerts). Registered by the internal helpers that
// build conditions operators (`judgedConditions`, `numericConditions`); nothing else reads it.
import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';

/** A pure per-subscriber detector: at most one condition per item, and one at the end. */
export interface ConditionMachine<T> {
  push(item: T): Condition | undefined;
  flush(): Condition | undefined;
}

const factories = new WeakMap<object, () => ConditionMachine<never>>();

/** Records `create` as the machine factory of `operator` and returns `operator`. */
export function withMachine<T>(
  operator: OperatorFunction<T, Condition>,
  create: () => ConditionMachine<T>,
): OperatorFunction<T, Condition> {
  factories.set(operator, create);
  return operator;
}

/** The machine factory of a conditions operator built by the internal helpers, if any. */
export function machineFactory<T>(operator: OperatorFunction<T, Condition>): (() => ConditionMachine<T>) | undefined {
  return factories.get(operator);
}
