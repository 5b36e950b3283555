/**
 * The `detectors` section of goodhart.config.json: the names it takes, the settings each name
 * takes, and the pipeline slots (`sampleDetectors`, `stepDetectors`) the settings go to.
 *
 * A detector is named either way:
 * - by its operator, as alerts and verdict reasons name it (`meanShift`, `trend`, `spike`,
 *   `distributionDrift`, `formatGaming`...): the entry applies to every slot that runs that
 *   operator (`trend` is `klTrend`, `entropyTrend` and `entropyDecline`);
 * - by its slot (`rewardShift`, `klTrend`, `lengthDrift`...): that slot alone, in both pipelines
 *   when both have one of that name (the twin that watches the samples and the one that watches
 *   trainer-logged records).
 * A slot's own entry wins over its operator's: its settings are laid over the operator's, and its
 * `false` (or its settings) decides whether it runs. The slots and their operators are read from
 * the pipeline itself (`sampleDetectorLists`), so this file only adds the settings each slot takes.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { GroupCollapseRuleConfig } from '../../operators/group-collapse.js';
import type { AlertName } from '../../operators/internal/detector-spec.js';
import { SAMPLE_DETECTOR_SLOTS, sampleDetectorLists, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { STEP_DETECTOR_SLOTS, StepDetectorsConfig } from '../../operators/step-detectors.js';
import type { HysteresisConfig } from '../core/hysteresis.js';
import { decodeError, type DecodeError } from '../core/decode-error.js';
import type { RateJudgeConfig } from '../detectors/windowed-rate.js';
import { didYouMean } from '../kernels/closest-name.js';
import { isRecord } from '../sources/formats/adapter-kit.js';
import type { GoodhartConfig } from './config.js';

type SampleSlot = (typeof SAMPLE_DETECTOR_SLOTS)[number];
type StepSlot = (typeof STEP_DETECTOR_SLOTS)[number];
type Settings = Readonly<Record<string, unknown>> | false;
type Decoded<T> = E.Either<DecodeError, T>;

/** The `detectors` section: settings (or `false`) by detector name. */
export type DetectorSettings = Readonly<Record<string, Settings>>;

/** The keys of a detector config a JSON file can set (functions and RegExps only come from code). */
type JsonKeys<C> = { [K in keyof C]-?: NonNullable<C[K]> extends ((...args: never[]) => unknown) | RegExp ? never : K }[keyof C];
/** Every JSON-settable key of a config, each `true`: the compiler checks the list is complete and right. */
type KeyList<C> = Readonly<Record<JsonKeys<Exclude<C, false | undefined>>, true>>;

const HYSTERESIS: KeyList<HysteresisConfig> = { clearAfter: true, cooldown: true, ongoingEvery: true };
const RATE: KeyList<RateJudgeConfig> = {
  window: true,
  minSamples: true,
  warmup: true,
  judgeEvery: true,
  persistence: true,
  mode: true,
  minRate: true,
  minIncrease: true,
  maxBaseline: true,
  z: true,
  baselineAlpha: true,
  maxRate: true,
};
const GROUP_RULE: KeyList<GroupCollapseRuleConfig> = {
  zeroStdFrac: true,
  levelFrac: true,
  stdRatio: true,
  persistence: true,
  z: true,
  baselineSteps: true,
  severity: true,
  floor: true,
  ceiling: true,
  hysteresis: true,
};
const DRIFT: KeyList<SampleDetectorsConfig['lengthDrift']> = {
  metric: true,
  rewardMetric: true,
  true: true,
  reference: true,
  recent: true,
  alpha: true,
  minChange: true,
  gainReference: true,
  gainRecent: true,
  tCritical: true,
  gainFloor: true,
  highFrac: true,
  couplingSteps: true,
  couplingT: true,
  kernel: true,
  unit: true,
  hysteresis: true,
};
const DOMINANCE: KeyList<SampleDetectorsConfig['componentDominance']> = {
  cheap: true,
  true: true,
  reference: true,
  recent: true,
  minRise: true,
  tCritical: true,
  trueGainT: true,
  climbSteps: true,
  divergenceSteps: true,
  learningT: true,
  dominantShare: true,
  persistence: true,
  metric: true,
  hysteresis: true,
};
const MEAN_SHIFT: KeyList<StepDetectorsConfig['rewardShift']> = {
  metric: true,
  granularity: true,
  warmup: true,
  rewarmup: true,
  k: true,
  h: true,
  minScale: true,
  direction: true,
  signalUp: true,
  signalDown: true,
  severity: true,
  severityUp: true,
  severityDown: true,
  hysteresis: true,
};
const TREND: KeyList<StepDetectorsConfig['klTrend']> = {
  metric: true,
  lag: true,
  window: true,
  minChanges: true,
  z: true,
  minRelative: true,
  persistence: true,
  scale: true,
  direction: true,
  severity: true,
  hysteresis: true,
};
const SPIKE: KeyList<StepDetectorsConfig['klSpike']> = {
  metric: true,
  granularity: true,
  window: true,
  warmup: true,
  z: true,
  hits: true,
  span: true,
  maxTailShare: true,
  minRelative: true,
  scale: true,
  baseline: true,
  direction: true,
  severity: true,
  hysteresis: true,
};

/** The settings of each sample-pipeline slot. */
const SAMPLE_SETTINGS: { readonly [S in SampleSlot]: KeyList<SampleDetectorsConfig[S]> } = {
  repetition: { ...RATE, threshold: true, maxChars: true, severity: true, hysteresis: true },
  diversityCollapse: { ...RATE, minWords: true, n: true, minDrop: true, distinctEvery: true, maxChars: true, severity: true, hysteresis: true },
  formatGaming: { ...RATE, preset: true, tags: true, answerTag: true, placeholders: true, enumeration: true, paid: true, severity: true, hysteresis: true },
  degenerateOutputs: { ...RATE, tags: true, lengthCap: true, severity: true, hysteresis: true },
  groupCollapse: { ...GROUP_RULE, metric: true, groupSize: true },
  lengthDrift: DRIFT,
  componentDominance: DOMINANCE,
};

/** The settings of each step-pipeline slot. */
const STEP_SETTINGS: { readonly [S in StepSlot]: KeyList<StepDetectorsConfig[S]> } = {
  rewardShift: MEAN_SHIFT,
  lengthShift: MEAN_SHIFT,
  varianceCollapse: {
    metric: true,
    granularity: true,
    window: true,
    ratio: true,
    halfLife: true,
    levelTolerance: true,
    suddenLag: true,
    suddenJump: true,
    pinnedFor: true,
    hysteresis: true,
  },
  saturation: { metric: true, window: true, fraction: true, tolerance: true, side: true, ceiling: true, floor: true, hysteresis: true },
  lengthDrift: DRIFT,
  klTrend: TREND,
  entropyTrend: TREND,
  entropyDecline: TREND,
  klSpike: SPIKE,
  gradNormSpike: SPIKE,
  truncation: {
    granularity: true,
    metric: true,
    rewardMetric: true,
    threshold: true,
    critical: true,
    persistence: true,
    tolerance: true,
    rewardFloor: true,
    floorPersistence: true,
    margin: true,
    minRewards: true,
    window: true,
    maxLength: true,
    inferShare: true,
    hysteresis: true,
  },
  componentDominance: DOMINANCE,
  groupCollapse: { ...GROUP_RULE, metric: true },
  heldOutDivergence: { metric: true, trainMetric: true, recent: true, reference: true, z: true, minDrop: true, trainT: true, gapZ: true, severity: true, hysteresis: true },
};

/** One detector slot of the default pipeline. */
interface Slot {
  /** `sample` (a `sampleDetectors` slot) or `step` (a slot of its `stepDetectors`). */
  readonly pipeline: 'sample' | 'step';
  readonly slot: string;
  /** Its operator: the `detector` of its alerts. */
  readonly detector: string;
  /** The settings it takes. */
  readonly settings: readonly string[];
}

let slotList: readonly Slot[] | undefined;

/** Every detector slot of the default pipeline, in pipeline order (built once, on first use). */
function slots(): readonly Slot[] {
  if (slotList === undefined) {
    const { sample, step } = sampleDetectorLists({});
    const slot =
      (pipeline: Slot['pipeline'], table: Readonly<Record<string, object>>) =>
      (spec: { readonly slot: string; readonly alerts?: AlertName }): Slot => ({
        pipeline,
        slot: spec.slot,
        detector: spec.alerts?.detector ?? spec.slot,
        settings: Object.keys(table[spec.slot] ?? {}),
      });
    slotList = [...sample.map(slot('sample', SAMPLE_SETTINGS)), ...(step ?? []).map(slot('step', STEP_SETTINGS))];
  }
  return slotList;
}

/** The names `detectors` takes: operator names (as alerts give them), then the slot names that are not also one. */
function detectorNames(): { readonly operators: readonly string[]; readonly slots: readonly string[] } {
  const operators = [...new Set(slots().map((s) => s.detector))];
  const slotNames = [...new Set(slots().map((s) => s.slot))].filter((name) => !operators.includes(name));
  return { operators, slots: slotNames };
}

/**
 * An unknown name or setting `key` under `parent` (`''` at the top level):
 * `field "<parent>.<key>": no such <what> (did you mean <closest>?); known: ...`, the suggestion
 * only when a known name is close.
 */
export function unknownKey(parent: string, key: string, what: string, known: readonly string[], listed = known.join(', ')): DecodeError {
  const field = parent === '' ? key : `${parent}.${key}`;
  const reason = `no such ${what}${didYouMean(key, known)}; known: ${listed}`;
  return { field, expected: `a known ${what}`, got: JSON.stringify(key), message: `field "${field}": ${reason}` };
}

const settingsOf = (matched: readonly Slot[]): string[] => [...new Set(matched.flatMap((s) => s.settings))];

/**
 * Validates the `detectors` section: every name a detector, every entry `false` or settings the
 * named detectors take (a misspelt key is an error with the closest known one). Values are
 * checked by the detectors themselves (`detectorSettingError`).
 */
export function decodeDetectors(value: unknown): Decoded<DetectorSettings> {
  if (!isRecord(value)) return E.left(decodeError('detectors', 'an object keyed by detector name', value));
  for (const [name, settings] of Object.entries(value)) {
    const field = `detectors.${name}`;
    const matched = slotsNamed(name);
    if (matched.length === 0) {
      const names = detectorNames();
      const listed = `by operator, as alerts name them: ${names.operators.join(', ')}; by pipeline slot: ${names.slots.join(', ')}`;
      return E.left(unknownKey('detectors', name, 'detector', [...names.operators, ...names.slots], listed));
    }
    if (settings === false) continue;
    if (!isRecord(settings)) return E.left(decodeError(field, 'an object of settings or false', settings));
    const known = settingsOf(matched);
    for (const [key, setting] of Object.entries(settings)) {
      if (!known.includes(key)) return E.left(unknownKey(field, key, `setting of ${name}`, known));
      if (key !== 'hysteresis' || !isRecord(setting)) continue;
      const hysteresis = Object.keys(HYSTERESIS);
      const bad = Object.keys(setting).find((inner) => !hysteresis.includes(inner));
      if (bad !== undefined) return E.left(unknownKey(`${field}.hysteresis`, bad, 'hysteresis setting', hysteresis));
    }
  }
  return E.right(value as DetectorSettings);
}

/** The slots a `detectors` name addresses: by slot name, else by operator name. */
function slotsNamed(name: string): Slot[] {
  return slots().filter((s) => s.slot === name || s.detector === name);
}

/** A slot's effective entry: its own (by slot name) laid over its operator's. */
function entryOf(slot: Slot, detectors: DetectorSettings): Settings | undefined {
  const own = Object.hasOwn(detectors, slot.slot) ? detectors[slot.slot] : undefined;
  const byOperator = slot.detector !== slot.slot && Object.hasOwn(detectors, slot.detector) ? detectors[slot.detector] : undefined;
  if (own === undefined) return byOperator;
  if (own === false || byOperator === undefined || byOperator === false) return own;
  return { ...byOperator, ...own };
}

/**
 * The `sampleDetectors` config for a goodhart.config.json: each slot gets its `detectors` entry
 * (see the file comment), `formatTags`/`formatPreset` go to `formatGaming`, `trueComponent` to
 * both `componentDominance` slots (samples and trainer logs).
 */
export function pipelineConfig(config: GoodhartConfig): SampleDetectorsConfig {
  const sample: Record<string, Settings> = {};
  const step: Record<string, Settings> = {};
  const detectors = config.detectors ?? {};
  for (const slot of slots()) {
    let entry = entryOf(slot, detectors);
    if (slot.detector === 'formatGaming' && config.formatTags !== undefined && entry !== false) entry = { tags: config.formatTags, ...entry };
    if (slot.detector === 'componentDominance' && config.trueComponent !== undefined && entry !== false) entry = { true: config.trueComponent, ...entry };
    if (entry !== undefined) (slot.pipeline === 'sample' ? sample : step)[slot.slot] = entry;
  }
  return {
    ...(sample as SampleDetectorsConfig),
    ...(config.sensitivity === undefined ? {} : { sensitivity: config.sensitivity }),
    ...(config.maxLength === undefined ? {} : { maxLength: config.maxLength }),
    ...(config.formatPreset === undefined ? {} : { format: config.formatPreset }),
    ...(Object.keys(step).length === 0 ? {} : { steps: step }),
  };
}

/** The message the detectors reject `config` with, or undefined when they take it. */
function rejection(config: GoodhartConfig): string | undefined {
  try {
    sampleDetectorLists(pipelineConfig(config));
    return undefined;
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) return error.message;
    throw error;
  }
}

/**
 * Builds the detectors of a well-formed config once, so a value they reject is an error when the
 * file is read: it names the narrowest setting that alone gives the same rejection
 * (`detectors.repetition.threshold`), else the detector, else the top-level field.
 */
export function detectorSettingError(config: GoodhartConfig): DecodeError | undefined {
  const message = rejection(config);
  if (message === undefined) return undefined;
  const alone = (part: GoodhartConfig): boolean => rejection(part) === message;
  for (const [name, settings] of Object.entries(config.detectors ?? {})) {
    if (settings === false) continue;
    const key = Object.keys(settings).find((k) => alone({ detectors: { [name]: { [k]: settings[k] } } }));
    if (key !== undefined) return settingError(`detectors.${name}.${key}`, message, settings[key]);
    if (alone({ detectors: { [name]: settings } })) return settingError(`detectors.${name}`, message, settings);
  }
  const top = (Object.keys(config) as (keyof GoodhartConfig)[]).find((key) => key !== 'detectors' && alone({ [key]: config[key] }));
  return top === undefined ? settingError('detectors', message, config.detectors) : settingError(top, message, config[top]);
}

function settingError(field: string, reason: string, value: unknown): DecodeError {
  const error = decodeError(field, reason, value);
  return { ...error, message: `field "${field}": ${reason}` };
}
