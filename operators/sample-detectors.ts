import { merge, share, type Observable, type OperatorFunction } from 'rxjs';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, StepRecord } from '../src/core/types.js';
import {
  checkPipelineConfig,
  checkSensitivity,
  type PipelineKeys,
  detectorConfig,
  scaleUp,
  shiftCount,
  type DetectorOption,
  type Sensitivity,
} from '../src/detectors/pipeline-options.js';
import type { FormatPreset } from '../src/detectors/format-rules.js';
import { RATE_JUDGE_DEFAULTS, type RateJudgeConfig } from '../src/detectors/windowed-rate.js';
import { COMPONENT_DOMINANCE_DEFAULTS, componentDominanceConditions, type ComponentDominanceConfig } from './component-dominance.js';
import { constraintConditions, type ConstraintConfig } from './constraint.js';
import { DEGENERATE_OUTPUTS_METRIC, degenerateOutputsConditions, type DegenerateOutputsConfig } from './degenerate-outputs.js';
import { DISTRIBUTION_DRIFT_DEFAULTS, distributionDriftConditions, type DistributionDriftConfig } from './distribution-drift.js';
import { DIVERSITY_COLLAPSE_METRIC, diversityCollapseConditions, type DiversityCollapseConfig } from './diversity-collapse.js';
import { detectorSpec, pickedDetector, PipelineSlots, type DetectorSpec } from './internal/detector-spec.js';
import { fanOut } from './internal/fan-out.js';
import { fusedDetectors, isFusable } from './internal/fused-detectors.js';
import { componentDominanceTuning, groupCollapseTuning, lengthDriftTuning } from './internal/shared-tuning.js';
import { FORMAT_GAMING_METRIC, formatGamingConditions, type FormatGamingConfig } from './format-gaming.js';
import { groupCollapseConditions, type GroupCollapseConfig } from './group-collapse.js';
import { REPETITION_METRIC, repetitionConditions, type RepetitionConfig } from './repetition.js';
import { stepDetectorSpecs, type StepDetectorsConfig } from './step-detectors.js';
import { summarizeSteps, type SummarizeInput, type SummarizeStepsConfig } from './summarize-steps.js';

/**
 * `sampleDetectors()` configuration: pipeline-wide knobs (`sensitivity`, `hysteresis`,
 * `maxLength`, `format`), one slot per sample-level detector (a partial config laid over the
 * pipeline's defaults, or `false` to switch it off), the step-level pipeline's config under
 * `steps`, domain constraints and detectors of your own.
 */
export interface SampleDetectorsConfig {
  /** Scales every detector's thresholds (also the step detectors'). Default `'medium'` (each detector's defaults). */
  readonly sensitivity?: Sensitivity;
  /** Hysteresis for every detector unless its slot sets its own. Default hysteresis defaults. */
  readonly hysteresis?: HysteresisConfig;
  /**
   * The completion length cap (tokens, the units of `RewardEvent.length`), when known: enables
   * `length/clip_ratio` in the step records and the truncation checks. Default: unknown.
   */
  readonly maxLength?: number;
  /** The response layout `formatGaming` checks. Default `'reasoningAnswer'` (`<reasoning>/<answer>`). */
  readonly format?: FormatPreset;
  /** `repetition`: share of responses that loop (word 3-grams). */
  readonly repetition?: DetectorOption<RepetitionConfig>;
  /** `diversityCollapse`: duplicate and near-duplicate responses across the window. */
  readonly diversityCollapse?: DetectorOption<DiversityCollapseConfig>;
  /** `formatGaming`: well-formed responses with empty or placeholder answers that are paid. */
  readonly formatGaming?: DetectorOption<FormatGamingConfig>;
  /** `degenerateOutputs`: empty, malformed and truncated responses. */
  readonly degenerateOutputs?: DetectorOption<DegenerateOutputsConfig>;
  /** `groupCollapse` on the samples' GRPO groups (the step pipeline's record-based one is then off). */
  readonly groupCollapse?: DetectorOption<GroupCollapseConfig>;
  /**
   * `distributionDrift` on per-sample lengths (KS against a reference window): lengths drifting
   * while the reward or its true component does not gain is `exploit` (the step pipeline's
   * `lengthDrift` then judges trainer-logged records only).
   */
  readonly lengthDrift?: DetectorOption<DistributionDriftConfig>;
  /**
   * `componentDominance` on the samples' `components`: a cheap component rising while the true
   * one stalls (the step pipeline's then judges trainer-logged records only).
   */
  readonly componentDominance?: DetectorOption<ComponentDominanceConfig>;
  /** `summarizeSteps` settings (`maxLength` defaults to the pipeline's). */
  readonly summarize?: SummarizeStepsConfig;
  /** The step-level pipeline over `summarizeSteps()`, or `false` to skip it. */
  readonly steps?: DetectorOption<StepDetectorsConfig>;
  /** Domain constraints, each a `constraint()` over the events. Default none. */
  readonly constraints?: readonly ConstraintConfig[];
  /** More sample-level detectors of your own, each fed the same events. */
  readonly extra?: readonly OperatorFunction<RewardEvent, Alert>[];
}

const PIPELINE = 'sampleDetectors';

/** The slot names of `SampleDetectorsConfig` that hold a sample-level detector. */
export const SAMPLE_DETECTOR_SLOTS = [
  'repetition',
  'diversityCollapse',
  'formatGaming',
  'degenerateOutputs',
  'groupCollapse',
  'lengthDrift',
  'componentDominance',
] as const;

/** A rate detector's judge under a sensitivity: the Wilson z and the persistence. */
function ratePreset(sensitivity: Sensitivity): RateJudgeConfig {
  if (sensitivity === 'medium') return {};
  return {
    z: scaleUp(RATE_JUDGE_DEFAULTS.z, sensitivity, 1.5),
    persistence: shiftCount(RATE_JUDGE_DEFAULTS.persistence, sensitivity, 1),
  };
}

const eventOf = (item: SummarizeInput): RewardEvent | undefined => {
  if ('kind' in item) return item.kind === 'event' ? item.event : undefined;
  return 'metrics' in item ? undefined : item;
};

/**
 * The default detector set over scored samples: the text and group detectors on each sample, and
 * the step-level detectors (`stepDetectors`) over `summarizeSteps()` of the same stream, merged
 * into one alert stream from ONE subscription to the source.
 *
 * Like `merge` of every detector on `source.pipe(share())`, but a cold source (a file replay, the
 * simulator) is read once, synchronously, and unsubscribing (even mid-replay) stops it.
 * Input: `RewardEvent`s, `StepRecord`s (trainer metrics such as kl, entropy, grad_norm, merged by
 * `summarizeSteps` into the step of the same number), or a source's `Ingested` items (problems are
 * ignored here: count them on the source). Feed the output to `verdict()` or `judge()`.
 *
 * ```
 * source:  -e-e-e-s-e-e-e-s-|     e = RewardEvent, s = trainer StepRecord
 *          sampleDetectors()
 * alerts:  -----------r-----|     r = e.g. repetition onset (warning, exploit) with 5 samples
 * ```
 *
 * @example
 * ```ts
 * import { fromFile, judge } from 'goodhart';
 * import { sampleDetectors, verdict } from 'goodhart/operators';
 * const alerts$ = fromFile('run.jsonl').pipe(sampleDetectors({
 *   maxLength: 1024, format: 'thinkAnswer', sensitivity: 'low', diversityCollapse: false,
 *   repetition: { threshold: 0.6 },
 *   constraints: [{ name: 'numeric-answer', test: (e) => /\d/.test(e.response ?? ''), maxRate: 0.3 }],
 * }));
 * alerts$.pipe(verdict()).subscribe((v) => console.log(v.status, v.reasons[0]?.message));
 * ```
 *
 * Defaults: every detector's own (see each), with `maxLength` passed to `summarizeSteps` and
 * `degenerateOutputs`, and `format` to `formatGaming`. Where a sample-level detector has a
 * record-based twin in the step pipeline (`groupCollapse`, `lengthDrift`, `componentDominance`),
 * the twin judges only records without
 * samples (trainer logs), so one pipeline serves samples and logs without double alerts.
 * `sensitivity` scales the rate detectors' Wilson z by 1.5 (low: 4.5, high: 2) and their
 * persistence by one judgement, group collapse persistence by 2 steps, the drift KS alpha by 10
 * (low 1e-4, high 0.01), the dominance t by 1.25 and its persistence by one step, and the step
 * pipeline's thresholds (see `stepDetectors`). Bad config throws at call time, naming the slot.
 *
 * @see stepDetectors
 * @see summarizeSteps
 * @see judgeRun to judge a whole finished run
 */
export function sampleDetectors(config: SampleDetectorsConfig = {}): OperatorFunction<SummarizeInput, Alert> {
  const { sample, step, summarize } = sampleDetectorLists(config);
  return (source: Observable<SummarizeInput>) =>
    source.pipe(
      fanOut((shared: Observable<SummarizeInput>) => {
        // The built-in detectors (and any others with a plain state machine) share one rxjs stage;
        // the rest, from `extra`, each pick the events themselves. Fused detectors come first in the
        // list, so the alerts keep the order of one operator per detector.
        const fusable = leadingFusable(sample);
        const alerts = fusable.length === 0 ? [] : [shared.pipe(fusedDetectors(fusable, eventOf))];
        for (const detector of sample.slice(fusable.length)) alerts.push(shared.pipe(pickedDetector(detector, eventOf)));
        if (step !== undefined) {
          // Every step detector but heldOutDivergence drops evaluation records itself (its `only`).
          const records = shared.pipe(summarizeSteps(summarize), share());
          for (const detector of step) alerts.push(records.pipe(detector.operator));
        }
        return merge(...alerts);
      }),
    );
}

/** The detectors at the head of `specs` that can share one stage (see `fusedDetectors`). */
function leadingFusable<T>(specs: readonly DetectorSpec<T>[]): DetectorSpec<T>[] {
  const end = specs.findIndex((spec) => !isFusable(spec));
  return specs.slice(0, end === -1 ? specs.length : end);
}

/** The settings `sampleDetectors` knows (checked at call time: see `checkPipelineConfig`). */
const SAMPLE_PIPELINE_KEYS: PipelineKeys<SampleDetectorsConfig> = {
  sensitivity: true,
  hysteresis: true,
  maxLength: true,
  format: true,
  repetition: true,
  diversityCollapse: true,
  formatGaming: true,
  degenerateOutputs: true,
  groupCollapse: true,
  lengthDrift: true,
  componentDominance: true,
  summarize: true,
  steps: true,
  constraints: true,
  extra: true,
};

/** The validated detector lists of a sample pipeline (exported for the plain-loop benchmark and `judgeRun`). */
export function sampleDetectorLists(config: SampleDetectorsConfig): {
  readonly sample: DetectorSpec<RewardEvent>[];
  readonly step: DetectorSpec<StepRecord>[] | undefined;
  readonly summarize: SummarizeStepsConfig;
} {
  checkPipelineConfig(PIPELINE, config, SAMPLE_PIPELINE_KEYS);
  const sensitivity = checkSensitivity(PIPELINE, config.sensitivity);
  const withHysteresis = config.hysteresis === undefined ? {} : { hysteresis: config.hysteresis };
  const maxLength = config.maxLength;
  if (maxLength !== undefined && !(Number.isFinite(maxLength) && maxLength > 0)) {
    throw new RangeError(`${PIPELINE} maxLength must be a finite number > 0, got ${String(maxLength)}`);
  }
  const rate = { ...ratePreset(sensitivity), ...withHysteresis };
  const slots = new PipelineSlots<RewardEvent>(PIPELINE);
  const sample = slots.specs;

  slots.add('repetition', config.repetition, 'repetition', repetitionConditions, rate, { metric: REPETITION_METRIC });
  slots.add('diversityCollapse', config.diversityCollapse, 'diversityCollapse', diversityCollapseConditions, rate, {
    metric: DIVERSITY_COLLAPSE_METRIC,
  });
  const format = config.format === undefined ? {} : { preset: config.format };
  slots.add('formatGaming', config.formatGaming, 'formatGaming', formatGamingConditions, { ...rate, ...format } satisfies FormatGamingConfig, {
    metric: FORMAT_GAMING_METRIC,
  });
  const lengthCap = maxLength === undefined ? {} : { lengthCap: maxLength };
  slots.add(
    'degenerateOutputs',
    config.degenerateOutputs,
    'degenerateOutputs',
    degenerateOutputsConditions,
    { ...rate, ...lengthCap } satisfies DegenerateOutputsConfig,
    { metric: DEGENERATE_OUTPUTS_METRIC },
  );
  const groupConfig = slots.add(
    'groupCollapse',
    config.groupCollapse,
    'groupCollapse',
    groupCollapseConditions,
    { ...groupCollapseTuning(sensitivity), ...withHysteresis } satisfies GroupCollapseConfig,
    { metric: 'reward' },
  );
  const driftConfig = slots.add(
    'lengthDrift',
    config.lengthDrift,
    'distributionDrift',
    distributionDriftConditions,
    { ...lengthDriftTuning(sensitivity), ...withHysteresis } satisfies DistributionDriftConfig,
    { metric: DISTRIBUTION_DRIFT_DEFAULTS.sample.metric },
  );
  const dominanceConfig = slots.add(
    'componentDominance',
    config.componentDominance,
    'componentDominance',
    componentDominanceConditions,
    { ...componentDominanceTuning(sensitivity), ...withHysteresis } satisfies ComponentDominanceConfig,
    { metric: COMPONENT_DOMINANCE_DEFAULTS.metric },
  );

  for (const rule of config.constraints ?? []) {
    const constraintConfig: ConstraintConfig = { ...withHysteresis, ...rule };
    const name = { slot: 'constraint', detector: 'constraint', metric: `constraint/${rule.name}` };
    sample.push(detectorSpec(name, constraintConditions(constraintConfig), constraintConfig.hysteresis));
  }
  for (const extra of config.extra ?? []) {
    if (typeof extra !== 'function') throw new TypeError(`${PIPELINE} extra must hold operator functions`);
    sample.push({ slot: 'extra', operator: extra });
  }

  const summarize: SummarizeStepsConfig = { ...(maxLength === undefined ? {} : { maxLength }), ...config.summarize };
  const stepOption = config.steps;
  if (stepOption === false) return { sample, step: undefined, summarize };
  const stepConfig = detectorConfig(PIPELINE, 'steps', stepOption, {
    sensitivity,
    ...withHysteresis,
  } satisfies StepDetectorsConfig);
  // Where a sample-level twin runs, its record-based counterpart judges trainer-logged records only.
  const loggedOnly = new Set<string>();
  if (groupConfig) loggedOnly.add('groupCollapse');
  if (driftConfig) loggedOnly.add('lengthDrift');
  if (dominanceConfig) loggedOnly.add('componentDominance');
  return { sample, step: stepConfig === undefined ? undefined : stepDetectorSpecs(stepConfig, { loggedOnly }), summarize };
}
