// One detector of a default pipeline: its conditions operator, the hysteresis settings that turn
// them into alerts, and an optional item filter. `operator` does exactly what the detector's
// public operator does (conditions piped through hysteresis); the parts stay visible so the
// pipeline benchmark can drive the same state machines in a plain loop (see ./machine.ts).
import { concat, defer, EMPTY, filter, map, of, type OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';
import { Hysteresis, resolveHysteresisConfig, type HysteresisConfig } from '../../src/core/hysteresis.js';
import type { Alert } from '../../src/core/types.js';
import { hysteresis } from '../hysteresis.js';
import { machineFactory, type ConditionMachine } from './machine.js';

export interface DetectorSpec<T> {
  /** The pipeline slot (`repetition`, `klTrend`...), or `extra` / `constraint`. */
  readonly slot: string;
  /** The alerts of this detector from the pipeline's items. */
  readonly operator: OperatorFunction<T, Alert>;
  /** Its conditions operator, when it is a built-in detector. */
  readonly conditions?: OperatorFunction<T, Condition>;
  readonly hysteresis?: HysteresisConfig;
  /** Items the detector sees (default all). */
  readonly only?: (item: T) => boolean;
}

const isAlert = (alert: Alert | undefined): alert is Alert => alert !== undefined;

/**
 * `filter(only)`, the conditions machine and hysteresis as ONE `map` stage: per item, one rxjs
 * hop (plus a filter that passes only the rare alerts) instead of a five-operator chain, and no
 * intermediate notification per condition. Same items, same calls in the same order as the
 * chain: a throwing callback errors the stream (rxjs `map` semantics); on completion the machine
 * is flushed once (nothing is flushed on error).
 */
function fused<T>(
  create: () => ConditionMachine<T>,
  hysteresisConfig: Required<HysteresisConfig>,
  only: ((item: T) => boolean) | undefined,
): OperatorFunction<T, Alert> {
  return (source) =>
    defer(() => {
      const machine = create();
      const episodes = new Hysteresis(hysteresisConfig);
      const judge = (item: T): Alert | undefined => {
        if (only !== undefined && !only(item)) return undefined;
        const condition = machine.push(item);
        return condition === undefined ? undefined : episodes.next(condition);
      };
      return concat(
        source.pipe(map(judge), filter(isAlert)),
        defer(() => {
          const condition = machine.flush();
          const alert = condition === undefined ? undefined : episodes.next(condition);
          return alert === undefined ? EMPTY : of(alert);
        }),
      );
    });
}

/** A built-in detector: `conditions` then `hysteresis(hysteresisConfig)`, on the items `only` keeps. */
export function detectorSpec<T>(
  slot: string,
  conditions: OperatorFunction<T, Condition>,
  hysteresisConfig: HysteresisConfig | undefined,
  only?: (item: T) => boolean,
): DetectorSpec<T> {
  const create = machineFactory(conditions);
  let operator: OperatorFunction<T, Alert>;
  if (create !== undefined) {
    operator = fused(create, resolveHysteresisConfig(hysteresisConfig), only);
  } else {
    const episodes = hysteresis(hysteresisConfig);
    operator = only === undefined ? (source) => source.pipe(conditions, episodes) : (source) => source.pipe(filter(only), conditions, episodes);
  }
  return {
    slot,
    operator,
    conditions,
    ...(hysteresisConfig === undefined ? {} : { hysteresis: hysteresisConfig }),
    ...(only === undefined ? {} : { only }),
  };
}
