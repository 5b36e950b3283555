/**
 * Configuration plumbing of the default pipelines (`stepDetectors`, `sampleDetectors`): every
 * detector of a pipeline is switched off with `false`, or given a partial config that is laid over
 * the pipeline's defaults for it, which are laid over the sensitivity preset. Pure: no rxjs.
 */
import { describeValue } from '../core/decode-error.js';

/** How readily the default pipelines alert: `medium` is every detector's own defaults. */
export type Sensitivity = 'low' | 'medium' | 'high';

export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'medium', 'high'];

/** A detector slot of a pipeline config: a partial config, or `false` to switch it off. */
export type DetectorOption<C> = C | false;

/**
 * Scales a "how extreme must it be" threshold for a sensitivity: `low` needs `factor` times more,
 * `high` `1 / factor` of it (e.g. a CUSUM interval h = 5 with factor 1.5: low 7.5, high 3.33).
 */
export function scaleUp(value: number, sensitivity: Sensitivity, factor: number): number {
  if (sensitivity === 'low') return value * factor;
  if (sensitivity === 'high') return value / factor;
  return value;
}

/**
 * Scales a "how small must it get" threshold (a ratio that alerts when the statistic falls below
 * it): `low` divides by `factor`, `high` multiplies.
 */
export function scaleDown(value: number, sensitivity: Sensitivity, factor: number): number {
  return scaleUp(value, sensitivity, 1 / factor);
}

/** Adds (low) or removes (high) `delta` from an integer persistence, never below 1. */
export function shiftCount(value: number, sensitivity: Sensitivity, delta: number): number {
  if (sensitivity === 'low') return value + delta;
  if (sensitivity === 'high') return Math.max(1, value - delta);
  return value;
}

/** Validates a sensitivity; throws a TypeError naming the pipeline. */
export function checkSensitivity(pipeline: string, value: unknown): Sensitivity {
  if (value === undefined) return 'medium';
  if (!SENSITIVITIES.includes(value as Sensitivity)) {
    throw new TypeError(`${pipeline} sensitivity must be low, medium or high, got ${describeValue(value)}`);
  }
  return value as Sensitivity;
}

/**
 * The effective config of one detector slot, or `undefined` when it is switched off:
 * `{ ...preset, ...user }` (nested `hysteresis` merged field by field). Throws a TypeError naming
 * the slot when the option is neither `false`, `undefined` nor an object.
 */
export function detectorConfig<C extends object>(
  pipeline: string,
  slot: string,
  option: DetectorOption<C> | undefined,
  preset: C,
): C | undefined {
  if (option === false) return undefined;
  if (option === undefined) return preset;
  if (typeof option !== 'object' || (option as unknown) === null || Array.isArray(option)) {
    throw new TypeError(`${pipeline} ${slot} must be a config object or false, got ${describeValue(option)}`);
  }
  const presetHysteresis = (preset as { hysteresis?: object }).hysteresis;
  const userHysteresis = (option as { hysteresis?: object }).hysteresis;
  const merged = { ...preset, ...option };
  if (presetHysteresis !== undefined && userHysteresis !== undefined) {
    return { ...merged, hysteresis: { ...presetHysteresis, ...userHysteresis } };
  }
  return merged;
}
