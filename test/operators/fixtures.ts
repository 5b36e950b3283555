// Builders for conditions and alerts used by the alert-plumbing specs.
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type { Condition } from '../../src/core/condition.js';
import type { Alert, AlertSignal, AlertState, Severity } from '../../src/core/types.js';

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}

export function condition(step: number, active: boolean, overrides: Partial<Condition> = {}): Condition {
  return {
    detector: 'meanShift',
    metric: 'reward',
    step,
    active,
    severity: 'warning',
    signal: 'proxy-rise',
    message: active ? `reward up at step ${step}` : `reward back to normal at step ${step}`,
    value: active ? 5 : 1,
    threshold: 4,
    evidence: { stats: { step } },
    ...overrides,
  };
}

export interface AlertSpec {
  readonly step: number;
  readonly detector?: string;
  readonly metric?: string;
  readonly severity?: Severity;
  readonly signal?: AlertSignal;
  readonly state?: AlertState;
  readonly since?: number;
  readonly tag?: string;
}

export function alert(spec: AlertSpec): Alert {
  const detector = spec.detector ?? 'meanShift';
  const metric = spec.metric ?? 'reward';
  const since = spec.since ?? spec.step;
  return {
    id: `${detector}:${metric}:${since}`,
    detector,
    metric,
    severity: spec.severity ?? 'warning',
    signal: spec.signal ?? 'exploit',
    step: spec.step,
    message: `${detector} on ${metric} at ${spec.step}`,
    value: 1,
    threshold: 0.5,
    since,
    evidence: { stats: {} },
    state: spec.state ?? 'onset',
    ...(spec.tag === undefined ? {} : { tag: spec.tag }),
  };
}

/** Compact rendering of an alert for marble comparisons: `state@step/since[:severity]`. */
export function brief(a: Alert): string {
  return `${a.state}@${a.step}/${a.since}:${a.severity}`;
}
