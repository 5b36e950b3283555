// Several detectors of a default pipeline driven by one rxjs stage. Each built-in detector is a
// state machine (its conditions) followed by a `Hysteresis`; run one operator per detector and
// every item crosses a fan-out, one filter per detector and a merge, about 100 ns per detector hop
// — an eighth of the default sample pipeline's CPU once the detectors themselves got fast. Here one
// filter asks every machine in turn and lets through only the items that raised an alert (rare),
// so the alerts come out in the same order as from a merge of the separate operators: per item in
// detector order, and on completion each detector's flush in detector order.
import { concat, defer, filter, from, mergeMap, type OperatorFunction } from 'rxjs';
import { Hysteresis, resolveHysteresisConfig } from '../../src/core/hysteresis.js';
import type { Alert } from '../../src/core/types.js';
import type { DetectorSpec } from './detector-spec.js';
import { machineFactory, type ConditionMachine } from './machine.js';

interface Part<T> {
  readonly create: () => ConditionMachine<T>;
  readonly hysteresis: ReturnType<typeof resolveHysteresisConfig>;
  readonly only: ((item: T) => boolean) | undefined;
}

interface Running<T> {
  readonly machine: ConditionMachine<T>;
  readonly episodes: Hysteresis;
  readonly only: ((item: T) => boolean) | undefined;
}

/** Whether `spec` has a plain state machine that `fusedDetectors` can drive. */
export function isFusable<T>(spec: DetectorSpec<T>): boolean {
  return spec.conditions !== undefined && machineFactory(spec.conditions) !== undefined;
}

/**
 * One operator that does what `merge(...specs.map((spec) => source.pipe(pickedDetector(spec, pick))))`
 * does, with the same alerts in the same order, for specs that all pass `isFusable` (else a
 * TypeError). `pick` maps a source item to the detectors' input, `undefined` to skip it.
 */
export function fusedDetectors<S, T>(specs: readonly DetectorSpec<T>[], pick: (item: S) => T | undefined): OperatorFunction<S, Alert> {
  const parts: Part<T>[] = specs.map((spec) => {
    const create = spec.conditions === undefined ? undefined : machineFactory(spec.conditions);
    if (create === undefined) throw new TypeError(`fusedDetectors: detector ${spec.slot} has no plain state machine`);
    return { create, hysteresis: resolveHysteresisConfig(spec.hysteresis), only: spec.only };
  });
  return (source) =>
    defer(() => {
      const running: Running<T>[] = parts.map((part) => ({
        machine: part.create(),
        episodes: new Hysteresis(part.hysteresis),
        only: part.only,
      }));
      /** Alerts raised by the current item, handed on by the mergeMap right after the filter. */
      let raised: Alert[] = [];
      const raisesAlerts = (item: S): boolean => {
        const picked = pick(item);
        if (picked === undefined) return false;
        for (let index = 0; index < running.length; index++) {
          const { machine, episodes, only } = running[index]!;
          if (only !== undefined && !only(picked)) continue;
          const condition = machine.push(picked);
          const alert = condition === undefined ? undefined : episodes.next(condition);
          if (alert !== undefined) raised.push(alert);
        }
        return raised.length > 0;
      };
      const takeRaised = (): Alert[] => {
        const alerts = raised;
        raised = [];
        return alerts;
      };
      return concat(
        source.pipe(filter(raisesAlerts), mergeMap(takeRaised)),
        defer(() => {
          const last: Alert[] = [];
          for (const { machine, episodes } of running) {
            const condition = machine.flush();
            const alert = condition === undefined ? undefined : episodes.next(condition);
            if (alert !== undefined) last.push(alert);
          }
          return from(last);
        }),
      );
    });
}
