/**
 * The generic "what does a numeric detector watch" configuration shared by every numeric detector
 * (`meanShift`, `varianceCollapse`, `saturation`, `spike`, `trend`, `windowStats`, ...), plus the
 * small validation and formatting helpers their configs and messages use. Pure: no rxjs.
 *
 * Defaults: on a `StepRecord` (an item with a `metrics` object) `select` reads `metrics[metric]`;
 * on anything else it reads `reward` (a `RewardEvent`). `step` reads `x.step`. `metric` defaults to
 * the detector's default (usually `'reward'`), so a StepRecord pipeline names its metric:
 * `meanShift<StepRecord>({ metric: 'reward/mean' })`.
 */
import type { Severity } from '../core/types.js';

export interface NumericSelectConfig<T> {
  /**
   * Picks the watched value from an item. `undefined` or a non-finite number counts as missing:
   * skipped and counted, never averaged in. Default: `metrics[metric]` for a StepRecord, `reward`
   * for anything else.
   */
  readonly select?: (item: T) => number | undefined;
  /** Trainer step of an item. Default `item.step`. */
  readonly step?: (item: T) => number;
  /** Name of the watched metric, used as `Condition.metric` and by the default `select`. */
  readonly metric?: string;
}

/** A resolved {@link NumericSelectConfig}: every field present. */
export interface ResolvedSelect<T> {
  readonly select: (item: T) => number | undefined;
  readonly step: (item: T) => number;
  readonly metric: string;
}

/** True for items shaped like a `StepRecord` (they carry a `metrics` object). */
export function isStepRecordLike(item: unknown): item is { readonly metrics: Readonly<Record<string, number>> } {
  if (typeof item !== 'object' || item === null) return false;
  const metrics = (item as { metrics?: unknown }).metrics;
  return typeof metrics === 'object' && metrics !== null;
}

function defaultSelect(metric: string): (item: unknown) => number | undefined {
  return (item) => {
    if (isStepRecordLike(item)) return item.metrics[metric];
    if (typeof item !== 'object' || item === null) return undefined;
    const reward = (item as { reward?: unknown }).reward;
    return typeof reward === 'number' ? reward : undefined;
  };
}

function defaultStep(item: unknown): number {
  if (typeof item === 'object' && item !== null) {
    const step = (item as { step?: unknown }).step;
    if (typeof step === 'number') return step;
  }
  return Number.NaN;
}

/** Validates and fills the select/step/metric fields; throws a TypeError naming the field. */
export function resolveSelect<T>(
  detector: string,
  config: NumericSelectConfig<T>,
  defaultMetric = 'reward',
): ResolvedSelect<T> {
  if (typeof config !== 'object') throw new TypeError(`${detector} config must be an object`);
  const metric: unknown = config.metric ?? defaultMetric;
  if (typeof metric !== 'string' || metric.length === 0) {
    throw new TypeError(`${detector} metric must be a non-empty string, got ${String(metric)}`);
  }
  if (config.select !== undefined && typeof config.select !== 'function') {
    throw new TypeError(`${detector} select must be a function`);
  }
  if (config.step !== undefined && typeof config.step !== 'function') {
    throw new TypeError(`${detector} step must be a function`);
  }
  return {
    select: config.select ?? defaultSelect(metric),
    step: config.step ?? defaultStep,
    metric,
  };
}

/** The value of `select` when it is a finite number, else `undefined` (missing). */
export function finiteOrMissing(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Throws a RangeError unless `value` is an integer >= `min`. */
export function checkInteger(detector: string, field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${detector} ${field} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Throws a RangeError unless `value` is a finite number > 0 (or >= 0 when `allowZero`). */
export function checkPositive(detector: string, field: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${detector} ${field} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(value)}`);
  }
  return value;
}

/** Throws a RangeError unless `lo < value < hi` (or `<=` at the ends named inclusive). */
export function checkBetween(
  detector: string,
  field: string,
  value: number,
  lo: number,
  hi: number,
  inclusive: 'none' | 'low' | 'high' | 'both' = 'none',
): number {
  const aboveLo = inclusive === 'low' || inclusive === 'both' ? value >= lo : value > lo;
  const belowHi = inclusive === 'high' || inclusive === 'both' ? value <= hi : value < hi;
  if (!(Number.isFinite(value) && aboveLo && belowHi)) {
    const left = inclusive === 'low' || inclusive === 'both' ? '[' : '(';
    const right = inclusive === 'high' || inclusive === 'both' ? ']' : ')';
    throw new RangeError(`${detector} ${field} must lie in ${left}${lo}, ${hi}${right}, got ${String(value)}`);
  }
  return value;
}

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** Throws a TypeError unless `value` is a Severity. */
export function checkSeverity(detector: string, field: string, value: Severity): Severity {
  return checkOneOf(detector, field, value, SEVERITIES);
}

/** Throws a TypeError unless `value` is one of `allowed` (configs may come from untyped JS). */
export function checkOneOf<V extends string>(detector: string, field: string, value: V, allowed: readonly V[]): V {
  const candidate: unknown = value;
  if (!allowed.some((option) => option === candidate)) {
    throw new TypeError(`${detector} ${field} must be one of ${allowed.join(', ')}, got ${String(candidate)}`);
  }
  return value;
}

/** A number for a message: 3 significant digits, no exponent for ordinary magnitudes. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e6 || magnitude < 1e-4) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** The scale a numeric series is judged on: as logged, or its logarithm (for multiplicative noise). */
export type ValueScale = 'linear' | 'log';
/** The `ValueScale`s, for config checks. */
export const VALUE_SCALES: readonly ValueScale[] = ['linear', 'log'];

/** An effect over its standard error: ±Infinity for an effect with no spread, 0 for none. */
export function tOf(effect: number, se: number): number {
  if (se > 0) return effect / se;
  return effect > 0 ? Number.POSITIVE_INFINITY : effect < 0 ? Number.NEGATIVE_INFINITY : 0;
}

/** A t (or z) for the evidence: ±Infinity (no spread) as ±1e9, which JSON can carry. */
export function finiteT(t: number): number {
  return Number.isFinite(t) ? t : Math.sign(t) * 1e9;
}

/** A fraction as a percentage for a message: `0.423` -> `'42%'`. */
export function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
