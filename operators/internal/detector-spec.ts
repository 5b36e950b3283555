// One detector of a default pipeline: its conditions operator, the hysteresis settings that turn
// them into alerts, and an optional item filter. `operator` does exactly what the detector's
// public operator does (conditions piped through hysteresis); the parts stay visible so the
// pipeline benchmark can drive the same state machines in a plain loop (see ./machine.ts).
import { concat, defer, EMPTY, filter, map, of, type OperatorFunction } from 'rxjs';
import type { Condition } from '../../src/core/condition.js';
import { Hysteresis, resolveHysteresisConfig, type HysteresisConfig } from '../../src/core/hysteresis.js';
import type { Alert } from '../../src/core/types.js';
import { hysteresis } from '../hysteresis.js';
import { detectorConfig, type DetectorOption } from '../../src/detectors/pipeline-options.js';
import { machineFactory, type ConditionMachine } from './machine.js';

/** What a built-in detector's alerts are called: their `Alert.detector` and `Alert.metric`. */
export interface AlertName {
  /** The operator (`trend` for the `klTrend` slot). */
  readonly detector: string;
  /** The watched series (`kl`). */
  readonly metric: string;
}

export interface DetectorSpec<T> {
  /** The pipeline slot (`repetition`, `klTrend`...), or `extra` / `constraint`. */
  readonly slot: string;
  /**
   * The name its alerts carry, when the pipeline knows it (its built-in detectors and
   * constraints; not `extra` operators): what a caller lists as the detectors that ran.
   */
  readonly alerts?: AlertName;
  /** The alerts of this detector from the pipeline's items. */
  readonly operator: OperatorFunction<T, Alert>;
  /** Its conditions operator, when it is a built-in detector. */
  readonly conditions?: OperatorFunction<T, Condition>;
  readonly hysteresis?: HysteresisConfig;
  /** Items the detector sees (default all). */
  readonly only?: (item: T) => boolean;
}

/**
 * `filter(only)`, the conditions machine and hysteresis as ONE stage over the items of a wider
 * stream (`pick` selects the detector's items: undefined for any other): per item one rxjs hop
 * instead of a five-operator chain, and no notification per condition. Same items, same calls in
 * the same order as the chain: a throwing callback errors the stream; on completion the machine
 * is flushed once (nothing is flushed on error).
 */
function fused<S, T>(
  create: () => ConditionMachine<T>,
  hysteresisConfig: Required<HysteresisConfig>,
  pick: (item: S) => T | undefined,
): OperatorFunction<S, Alert> {
  return (source) =>
    defer(() => {
      const machine = create();
      const episodes = new Hysteresis(hysteresisConfig);
      let alert: Alert | undefined;
      // The filter judges each item and passes only those that raised an alert (rare); the map,
      // which runs synchronously right after it, hands that alert on.
      const raisesAlert = (item: S): boolean => {
        const picked = pick(item);
        if (picked === undefined) return false;
        const condition = machine.push(picked);
        alert = condition === undefined ? undefined : episodes.next(condition);
        return alert !== undefined;
      };
      return concat(
        source.pipe(
          filter(raisesAlert),
          map(() => alert!),
        ),
        defer(() => {
          const condition = machine.flush();
          const last = condition === undefined ? undefined : episodes.next(condition);
          return last === undefined ? EMPTY : of(last);
        }),
      );
    });
}

/** `pick`, then only the items `only` keeps (undefined for the others). */
function picking<S, T>(pick: (item: S) => T | undefined, only: ((item: T) => boolean) | undefined): (item: S) => T | undefined {
  if (only === undefined) return pick;
  return (item) => {
    const picked = pick(item);
    return picked !== undefined && only(picked) ? picked : undefined;
  };
}

/**
 * The alerts of `spec` over a wider stream whose items `pick` maps to the detector's items
 * (undefined: not one of them). A built-in detector picks inside its one stage; any other
 * operator gets `map(pick)` and `filter` in front.
 */
export function pickedDetector<S, T>(spec: DetectorSpec<T>, pick: (item: S) => T | undefined): OperatorFunction<S, Alert> {
  const create = spec.conditions === undefined ? undefined : machineFactory(spec.conditions);
  if (create === undefined) {
    return (source) =>
      source.pipe(
        map(pick),
        filter((item): item is T => item !== undefined),
        spec.operator,
      );
  }
  return fused(create, resolveHysteresisConfig(spec.hysteresis), picking(pick, spec.only));
}

/**
 * A built-in detector: `conditions` then `hysteresis(hysteresisConfig)`, on the items `only`
 * keeps. `slot` is the slot name alone, or with the name its alerts carry.
 */
export function detectorSpec<T>(
  slot: string | (AlertName & { readonly slot: string }),
  conditions: OperatorFunction<T, Condition>,
  hysteresisConfig: HysteresisConfig | undefined,
  only?: (item: T) => boolean,
): DetectorSpec<T> {
  const create = machineFactory(conditions);
  let operator: OperatorFunction<T, Alert>;
  if (create !== undefined) {
    operator = fused(create, resolveHysteresisConfig(hysteresisConfig), picking((item: T) => item, only));
  } else {
    const episodes = hysteresis(hysteresisConfig);
    operator = only === undefined ? (source) => source.pipe(conditions, episodes) : (source) => source.pipe(filter(only), conditions, episodes);
  }
  return {
    ...(typeof slot === 'string' ? { slot } : { slot: slot.slot, alerts: { detector: slot.detector, metric: slot.metric } }),
    operator,
    conditions,
    ...(hysteresisConfig === undefined ? {} : { hysteresis: hysteresisConfig }),
    ...(only === undefined ? {} : { only }),
  };
}

/**
 * The detectors of a default pipeline, added slot by slot: each slot's option (a partial config,
 * or `false` to switch it off) laid over the pipeline's preset for it and, when on, its spec,
 * whose alerts carry the operator's name and the config's `metric` (else `fixed.metric`).
 */
export class PipelineSlots<T> {
  readonly specs: DetectorSpec<T>[] = [];
  private readonly pipeline: string;
  /** The items each slot judges, by slot (default: all). */
  private readonly only: ((slot: string) => ((item: T) => boolean) | undefined) | undefined;

  constructor(pipeline: string, only?: (slot: string) => ((item: T) => boolean) | undefined) {
    this.pipeline = pipeline;
    this.only = only;
  }

  /**
   * Adds `slot`'s detector, `conditions` under `detector`'s name, unless its option is `false`;
   * returns its config (undefined when off). `fixed.metric`: the alerts' metric when the config
   * names none; `fixed.everyItem`: the slot judges every item, whatever the pipeline's `only` says.
   */
  add<C extends { readonly hysteresis?: HysteresisConfig }>(
    slot: string,
    option: DetectorOption<C> | undefined,
    detector: string,
    conditions: (config: C) => OperatorFunction<T, Condition>,
    preset: C,
    fixed: { readonly metric?: string; readonly everyItem?: boolean } = {},
  ): C | undefined {
    const config = detectorConfig(this.pipeline, slot, option, preset);
    if (config === undefined) return undefined;
    const named = (config as { readonly metric?: unknown }).metric;
    const metric = typeof named === 'string' ? named : fixed.metric;
    if (metric === undefined) throw new Error(`${this.pipeline} ${slot}: no metric to name its alerts by`);
    const only = fixed.everyItem === true ? undefined : this.only?.(slot);
    this.specs.push(detectorSpec({ slot, detector, metric }, conditions(config), config.hysteresis, only));
    return config;
  }
}

