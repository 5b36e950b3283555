/**
 * Configuration plumbing of the default pipelines (`stepDetectors`, `sampleDetectors`): every
 * detector of a pipeline is switched off with `false`, or given a partial config that is laid over
 * the pipeline's defaults for it, which are laid over the sensitivity preset. Pure: no rxjs.
 */
import { describeValue } from '../core/decode-error.js';
import { didYouMean } from '../kernels/closest-name.js';

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

/** Every top-level key of a pipeline config `C`, listed once so the compiler checks the list is whole. */
export type PipelineKeys<C> = Readonly<Record<keyof C, true>>;

/**
 * Checks that a pipeline config is an object whose keys are all known: a misspelt slot
 * (`repetiton: false`) would otherwise leave the detector on in silence. TypeScript rejects such a
 * literal at compile time; this catches it from JavaScript, JSON and spread objects. Throws a
 * TypeError naming the pipeline, the key, and the known key it most likely meant.
 */
export function checkPipelineConfig(pipeline: string, config: unknown, keys: Readonly<Record<string, true>>): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError(`${pipeline} config must be an object, got ${describeValue(config)}`);
  }
  const known = Object.keys(keys);
  for (const key of Object.keys(config)) {
    if (Object.hasOwn(keys, key)) continue;
    throw new TypeError(`${pipeline} has no setting ${JSON.stringify(key)}${didYouMean(key, known)}; known: ${known.join(', ')}`);
  }
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
