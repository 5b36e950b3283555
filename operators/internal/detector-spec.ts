// One detector of a default pipeline: its conditions operator, the hysteresis settings that turn
// them into alerts, and an optional item filter. `operator` is exactly what the detector's public
// operator does (conditions piped through hysteresis); the parts stay visible so the pipeline
// benchmark can drive the same state machines in a plain loop (see ./machine.ts).
import { filter, type OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';
import type { HysteresisConfig } from '../../src/core/hysteresis.js';
import type { Alert } from '../../src/core/types.js';
import { hysteresis } from '../hysteresis.js';

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

/** A built-in detector: `conditions` then `hysteresis(hysteresisConfig)`, on the items `only` keeps. */
export function detectorSpec<T>(
  slot: string,
  conditions: OperatorFunction<T, Condition>,
  hysteresisConfig: HysteresisConfig | undefined,
  only?: (item: T) => boolean,
): DetectorSpec<T> {
  const episodes = hysteresis(hysteresisConfig);
  const operator: OperatorFunction<T, Alert> =
    only === undefined ? (source) => source.pipe(conditions, episodes) : (source) => source.pipe(filter(only), conditions, episodes);
  return {
    slot,
    operator,
    conditions,
    ...(hysteresisConfig === undefined ? {} : { hysteresis: hysteresisConfig }),
    ...(only === undefined ? {} : { only }),
  };
}
