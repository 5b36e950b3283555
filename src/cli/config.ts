/**
 * goodhart.config.json: thresholds, presets, format tags and the true reward component, read
 * once at the edge and validated with fp-ts `Either`, so every error names the file and the field:
 * `goodhart.config.json: field "detectors.meanShift": expected an object of settings or false, got number 3`.
 * Unknown keys are errors at every level (with the closest known key when one is close), and the
 * detectors are built once when the file is read, so a value they reject names the setting too.
 *
 * ```json
 * {
 *   "inputFormat": "trl-stdout",
 *   "loggingSteps": 5,
 *   "sensitivity": "medium",
 *   "maxLength": 1024,
 *   "trueComponent": "correctness",
 *   "formatPreset": "reasoningAnswer",
 *   "formatTags": ["reasoning", "answer"],
 *   "failOn": "hacking",
 *   "verdict": { "proxyHorizon": 20 },
 *   "detectors": { "meanShift": { "h": 6 }, "spike": false, "klSpike": {} }
 * }
 * ```
 */
import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { decodeError, type DecodeError } from '../core/decode-error.js';
import { formatNames } from '../sources/detect-format.js';
import type { FormatName } from '../sources/format.js';
import { FORMAT_PRESETS, type FormatPreset } from '../detectors/format-rules.js';
import { isRecord } from '../sources/formats/adapter-kit.js';
import { decodeDetectors, detectorSettingError, unknownKey, type DetectorSettings } from './config-detectors.js';

export type Sensitivity = 'low' | 'medium' | 'high';

/**
 * When `audit` fails: `hacking` (the default) fails on the two flagged verdicts, `hacking` and
 * `collapse` (a run whose learning signal is gone is as much a failed run as a hacked one);
 * `warning` fails on anything but `healthy`.
 */
export type FailOn = 'warning' | 'hacking';
export const FAIL_ON: readonly FailOn[] = ['warning', 'hacking'];

export interface GoodhartConfig {
  /** Input format, skipping detection (`--format` wins). */
  readonly inputFormat?: FormatName;
  /**
   * The run's `logging_steps`, for TRL console output printed without a progress bar to read
   * steps from (`--logging-steps` wins; see `TrlStdoutConfig`).
   */
  readonly loggingSteps?: number;
  /** Shifts every detector threshold (`low` alarms less). */
  readonly sensitivity?: Sensitivity;
  /** Completion length cap in tokens, for clip ratios and truncation. */
  readonly maxLength?: number;
  /** The reward component that measures real success (component dominance escalates only when it stalls). */
  readonly trueComponent?: string;
  /** The answer format responses should follow (`reasoningAnswer`: GSM8K `<reasoning>/<answer>`, `thinkAnswer`). */
  readonly formatPreset?: FormatPreset;
  /** Tag names (no brackets) a well-formed response carries: format gaming is the tags with empty or junk content. */
  readonly formatTags?: readonly string[];
  /** When `audit` fails (`--fail-on` wins); see `FailOn`. */
  readonly failOn?: FailOn;
  readonly verdict?: { readonly proxyHorizon?: number };
  /**
   * Per-detector settings, or `false` to switch a detector off, by operator name (as alerts give
   * it: every slot of that operator) or by pipeline slot (that slot alone); see config-detectors.ts.
   */
  readonly detectors?: DetectorSettings;
}

export const CONFIG_FILE = 'goodhart.config.json';

const KNOWN_FIELDS = ['inputFormat', 'loggingSteps', 'sensitivity', 'maxLength', 'trueComponent', 'formatPreset', 'formatTags', 'failOn', 'verdict', 'detectors'];

type Decoded<T> = E.Either<DecodeError, T>;

function optional<T>(value: unknown, decode: (v: unknown) => Decoded<T>): Decoded<T | undefined> {
  return value === undefined ? E.right(undefined) : decode(value);
}

function oneOf<T extends string>(field: string, options: readonly T[]) {
  return (value: unknown): Decoded<T> =>
    typeof value === 'string' && (options as readonly string[]).includes(value)
      ? E.right(value as T)
      : E.left(decodeError(field, options.map((o) => `"${o}"`).join(' | '), value));
}

function positiveNumber(field: string) {
  return (value: unknown): Decoded<number> =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? E.right(value) : E.left(decodeError(field, 'a positive number', value));
}

function positiveInteger(field: string) {
  return (value: unknown): Decoded<number> =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 ? E.right(value) : E.left(decodeError(field, 'a positive integer', value));
}

function nonNegativeNumber(field: string) {
  return (value: unknown): Decoded<number> =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? E.right(value) : E.left(decodeError(field, 'a number >= 0', value));
}

function nonEmptyString(field: string) {
  return (value: unknown): Decoded<string> =>
    typeof value === 'string' && value !== '' ? E.right(value) : E.left(decodeError(field, 'a non-empty string', value));
}

function stringList(field: string) {
  return (value: unknown): Decoded<readonly string[]> => {
    if (!Array.isArray(value) || value.length === 0) return E.left(decodeError(field, 'a non-empty array of strings', value));
    const bad = value.findIndex((entry) => typeof entry !== 'string' || entry === '');
    return bad === -1 ? E.right(value as string[]) : E.left(decodeError(`${field}[${bad}]`, 'a non-empty string', value[bad]));
  };
}

function verdictSettings(value: unknown): Decoded<{ readonly proxyHorizon?: number }> {
  if (!isRecord(value)) return E.left(decodeError('verdict', 'an object', value));
  for (const key of Object.keys(value)) {
    if (key !== 'proxyHorizon') return E.left(unknownKey('verdict', key, 'verdict setting', ['proxyHorizon']));
  }
  return E.map((proxyHorizon: number | undefined) => (proxyHorizon === undefined ? {} : { proxyHorizon }))(
    optional(value['proxyHorizon'], nonNegativeNumber('verdict.proxyHorizon')),
  );
}

/**
 * Validates a parsed config object; the error names the first bad field. A well-formed config is
 * then built into its detectors once, so a value they reject is an error here too.
 */
export function decodeConfig(value: unknown): Decoded<GoodhartConfig> {
  if (!isRecord(value)) return E.left(decodeError('(top level)', 'an object', value));
  for (const key of Object.keys(value)) {
    if (!KNOWN_FIELDS.includes(key)) return E.left(unknownKey('', key, 'setting', KNOWN_FIELDS));
  }
  const fields = {
    inputFormat: optional(value['inputFormat'], oneOf('inputFormat', formatNames())),
    loggingSteps: optional(value['loggingSteps'], positiveInteger('loggingSteps')),
    sensitivity: optional(value['sensitivity'], oneOf<Sensitivity>('sensitivity', ['low', 'medium', 'high'])),
    maxLength: optional(value['maxLength'], positiveNumber('maxLength')),
    trueComponent: optional(value['trueComponent'], nonEmptyString('trueComponent')),
    formatPreset: optional(value['formatPreset'], oneOf<FormatPreset>('formatPreset', Object.keys(FORMAT_PRESETS) as FormatPreset[])),
    formatTags: optional(value['formatTags'], stringList('formatTags')),
    failOn: optional(value['failOn'], oneOf<FailOn>('failOn', FAIL_ON)),
    verdict: optional(value['verdict'], verdictSettings),
    detectors: optional(value['detectors'], decodeDetectors),
  };
  const config: Record<string, unknown> = {};
  for (const [key, decoded] of Object.entries(fields)) {
    if (E.isLeft(decoded)) return decoded;
    if (decoded.right !== undefined) config[key] = decoded.right;
  }
  const rejected = detectorSettingError(config);
  return rejected === undefined ? E.right(config) : E.left(rejected);
}

/**
 * Reads and validates a config file. Errors (unreadable, not JSON, a bad field) come back as
 * `Left(message)` naming the file and the field.
 */
export async function loadConfig(path: string): Promise<E.Either<string, GoodhartConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return E.left(`${path}: cannot read config (${typeof code === 'string' ? code : String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return E.left(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return E.mapLeft((error: DecodeError) => `${path}: ${error.message}`)(decodeConfig(parsed));
}
