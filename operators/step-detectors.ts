import { filter, merge, type OperatorFunction } from 'rxjs';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import { METRIC } from '../src/core/metric-names.js';
import type { Alert, StepRecord } from '../src/core/types.js';
import {
  checkPipelineConfig,
  checkSensitivity,
  type PipelineKeys,
  scaleDown,
  scaleUp,
  shiftCount,
  type DetectorOption,
  type Sensitivity,
} from '../src/detectors/pipeline-options.js';
import { PipelineSlots, type DetectorSpec } from './internal/detector-spec.js';
import { fanOut } from './internal/fan-out.js';
import { componentDominanceTuning, groupCollapseTuning, lengthDriftTuning } from './internal/shared-tuning.js';
import { groupCollapseFromStepsConditions, type GroupCollapseFromStepsConfig } from './group-collapse-from-steps.js';
import { HELD_OUT_DIVERGENCE_DEFAULTS, heldOutDivergenceConditions, type HeldOutDivergenceConfig } from './held-out-divergence.js';
import { MEAN_SHIFT_DEFAULTS, meanShiftConditions, type MeanShiftConfig } from './mean-shift.js';
import { COMPONENT_DOMINANCE_DEFAULTS, componentDominanceConditions, type ComponentDominanceConfig } from './component-dominance.js';
import { distributionDriftConditions, type DistributionDriftConfig } from './distribution-drift.js';
import { SATURATION_DEFAULTS, saturationConditions, type SaturationConfig } from './saturation.js';
import { SPIKE_DEFAULTS, spikeConditions, type SpikeConfig } from './spike.js';
import { TREND_DEFAULTS, trendConditions, type TrendConfig } from './trend.js';
import { TRUNCATION_DEFAULTS, truncationConditions, type TruncationConfig } from './truncation.js';
import { VARIANCE_COLLAPSE_DEFAULTS, varianceCollapseConditions, type VarianceCollapseConfig } from './variance-collapse.js';

export type { DetectorOption, Sensitivity } from '../src/detectors/pipeline-options.js';

/**
 * `stepDetectors()` configuration: one slot per detector (a partial config laid over the
 * pipeline's defaults for it, or `false` to switch it off), a sensitivity preset, a hysteresis
 * default for all, and extra detectors of your own.
 */
export interface StepDetectorsConfig {
  /** Scales every detector's thresholds: `low` alerts less, `high` more. Default `'medium'` (each detector's defaults). */
  readonly sensitivity?: Sensitivity;
  /** Hysteresis for every detector unless its slot sets its own. Default hysteresis defaults. */
  readonly hysteresis?: HysteresisConfig;
  /**
   * `meanShift` on `reward/mean`: a rise is `proxy-rise` (info, the verdict's context); a drop is
   * `info`.
   */
  readonly rewardShift?: DetectorOption<MeanShiftConfig<StepRecord>>;
  /** `meanShift` on `length/mean`: context (`info`) for the length detectors. */
  readonly lengthShift?: DetectorOption<MeanShiftConfig<StepRecord>>;
  /** `varianceCollapse` on `reward/mean`: flat at the floor (collapse) or suddenly pinned at the ceiling (exploit). */
  readonly varianceCollapse?: DetectorOption<VarianceCollapseConfig<StepRecord>>;
  /**
   * `saturation` on `reward/mean` over the last 10 records: pinned at its ceiling is `proxy-rise`
   * at `info` (context for the verdict: mastery is not hacking).
   */
  readonly saturation?: DetectorOption<SaturationConfig<StepRecord>>;
  /**
   * `distributionDrift` on `length/mean` (KS against a reference window): lengths drifting while
   * the reward or its true component does not gain is `exploit` (warning), else info.
   */
  readonly lengthDrift?: DetectorOption<DistributionDriftConfig>;
  /** `trend` on `kl`, upwards, on the log scale (`scale: 'log'`): a KL blow-up (`instability`, warning). */
  readonly klTrend?: DetectorOption<TrendConfig>;
  /** `trend` on `entropy`, upwards: an entropy blow-up (`instability`, warning). */
  readonly entropyTrend?: DetectorOption<TrendConfig>;
  /** `trend` on `entropy`, downwards, metric `entropy/decline`: an entropy collapse, as context (`info`). */
  readonly entropyDecline?: DetectorOption<TrendConfig>;
  /**
   * `spike` on `kl`, upwards, on the log scale against a resistant line through the baseline
   * (`scale: 'log'`, `baseline: 'line'`): persistent robust outliers (`instability`, warning).
   */
  readonly klSpike?: DetectorOption<SpikeConfig<StepRecord>>;
  /** `spike` on `grad_norm`, upwards: persistent gradient-norm outliers (`instability`, warning). */
  readonly gradNormSpike?: DetectorOption<SpikeConfig<StepRecord>>;
  /** `truncation` on `length/clip_ratio`: completions pinned at the cap; with the reward at its floor, `collapse`. */
  readonly truncation?: DetectorOption<TruncationConfig>;
  /** `componentDominance` on `reward/<c>/mean`: a cheap component rising while the true one stalls (`exploit`). */
  readonly componentDominance?: DetectorOption<ComponentDominanceConfig>;
  /** `groupCollapseFromSteps` on `groups/zero_std_frac`. */
  readonly groupCollapse?: DetectorOption<GroupCollapseFromStepsConfig>;
  /**
   * `heldOutDivergence` on the evaluation rows (TRL `eval_reward`, verl `val-core/...`): the
   * held-out reward falling while the training reward holds (`exploit`, warning). The one default
   * detector that reads evaluation records.
   */
  readonly heldOutDivergence?: DetectorOption<HeldOutDivergenceConfig>;
  /** More detectors of your own, each fed the same (train-phase) records. */
  readonly extra?: readonly OperatorFunction<StepRecord, Alert>[];
}

/**
 * Options of `stepDetectorList` that are not user config: `loggedOnly` names slots whose detector
 * should judge only records without sample-derived metrics (no `samples` metric: trainer logs),
 * because a sample-level twin already watches the samples.
 */
export interface StepDetectorListOptions {
  readonly loggedOnly?: ReadonlySet<string>;
}

const trainingRecord = (record: StepRecord): boolean => record.phase !== 'eval';
/** A training record from a trainer's log, not summarised from samples (no `samples` metric). */
const loggedTrainingRecord = (record: StepRecord): boolean => trainingRecord(record) && record.metrics[METRIC.samples] === undefined;

const PIPELINE = 'stepDetectors';

/** The slot names of `StepDetectorsConfig` that hold a detector. */
export const STEP_DETECTOR_SLOTS = [
  'rewardShift',
  'lengthShift',
  'varianceCollapse',
  'saturation',
  'lengthDrift',
  'klTrend',
  'entropyTrend',
  'entropyDecline',
  'klSpike',
  'gradNormSpike',
  'truncation',
  'componentDominance',
  'groupCollapse',
  'heldOutDivergence',
] as const;

/** The settings `stepDetectors` knows (checked at call time: see `checkPipelineConfig`). */
const STEP_PIPELINE_KEYS: PipelineKeys<StepDetectorsConfig> = {
  sensitivity: true,
  hysteresis: true,
  rewardShift: true,
  lengthShift: true,
  varianceCollapse: true,
  saturation: true,
  lengthDrift: true,
  klTrend: true,
  entropyTrend: true,
  entropyDecline: true,
  klSpike: true,
  gradNormSpike: true,
  truncation: true,
  componentDominance: true,
  groupCollapse: true,
  heldOutDivergence: true,
  extra: true,
};

/**
 * Builds the detectors of a step pipeline from a validated config (shared with `sampleDetectors`,
 * which switches some off because it watches the same thing on the samples).
 */
export function stepDetectorSpecs(config: StepDetectorsConfig, options: StepDetectorListOptions = {}): DetectorSpec<StepRecord>[] {
  checkPipelineConfig(PIPELINE, config, STEP_PIPELINE_KEYS);
  const sensitivity = checkSensitivity(PIPELINE, config.sensitivity);
  const withHysteresis = config.hysteresis === undefined ? {} : { hysteresis: config.hysteresis };
  // Evaluation records reach only heldOutDivergence (`everyItem`): the others judge the training run.
  const slots = new PipelineSlots<StepRecord>(PIPELINE, (slot) => (options.loggedOnly?.has(slot) === true ? loggedTrainingRecord : trainingRecord));
  const list = slots.specs;
  const h = scaleUp(MEAN_SHIFT_DEFAULTS.step.h, sensitivity, 1.5);

  slots.add('rewardShift', config.rewardShift, 'meanShift', meanShiftConditions<StepRecord>, {
    metric: METRIC.rewardMean,
    granularity: 'step',
    h,
    ...withHysteresis,
  } satisfies MeanShiftConfig<StepRecord>);

  slots.add('lengthShift', config.lengthShift, 'meanShift', meanShiftConditions<StepRecord>, {
    metric: METRIC.lengthMean,
    granularity: 'step',
    h,
    signalUp: 'info',
    signalDown: 'info',
    ...withHysteresis,
  } satisfies MeanShiftConfig<StepRecord>);

  slots.add('varianceCollapse', config.varianceCollapse, 'varianceCollapse', varianceCollapseConditions<StepRecord>, {
    metric: METRIC.rewardMean,
    granularity: 'step',
    ratio: scaleDown(VARIANCE_COLLAPSE_DEFAULTS.ratio, sensitivity, 2),
    ...withHysteresis,
  } satisfies VarianceCollapseConfig<StepRecord>);

  slots.add('saturation', config.saturation, 'saturation', saturationConditions<StepRecord>, {
    metric: METRIC.rewardMean,
    window: 10,
    fraction: Math.min(1, scaleUp(SATURATION_DEFAULTS.fraction, sensitivity, 1.125)),
    ...withHysteresis,
  } satisfies SaturationConfig<StepRecord>);

  slots.add('lengthDrift', config.lengthDrift, 'distributionDrift', distributionDriftConditions, {
    metric: METRIC.lengthMean,
    ...lengthDriftTuning(sensitivity),
    ...withHysteresis,
  } satisfies DistributionDriftConfig);

  const trendZ = scaleUp(TREND_DEFAULTS.z, sensitivity, 1.25);
  const trendPersistence = shiftCount(TREND_DEFAULTS.persistence, sensitivity, 1);
  // KL noise is multiplicative (its sd grows with its level): changes are judged as ratios.
  slots.add('klTrend', config.klTrend, 'trend', trendConditions, {
    metric: METRIC.kl,
    direction: 'up',
    scale: 'log',
    z: trendZ,
    persistence: trendPersistence,
    ...withHysteresis,
  } satisfies TrendConfig);

  slots.add('entropyTrend', config.entropyTrend, 'trend', trendConditions, {
    metric: METRIC.entropy,
    direction: 'up',
    z: trendZ,
    persistence: trendPersistence,
    ...withHysteresis,
  } satisfies TrendConfig);

  slots.add('entropyDecline', config.entropyDecline, 'trend', trendConditions, {
    // Its own metric name, so its episodes never share a key with the rise's.
    metric: 'entropy/decline',
    select: (record: StepRecord) => record.metrics[METRIC.entropy],
    direction: 'down',
    severity: 'info',
    z: trendZ,
    persistence: trendPersistence,
    ...withHysteresis,
  } satisfies TrendConfig);

  const spikeZ = scaleUp(SPIKE_DEFAULTS.z, sensitivity, 1.25);
  // KL is positive, trends through a run (≈ t² from 0 early on) and has multiplicative noise:
  // judged on the log scale against a resistant line through its baseline, not its stale median.
  slots.add('klSpike', config.klSpike, 'spike', spikeConditions<StepRecord>, {
    metric: METRIC.kl,
    granularity: 'step',
    direction: 'up',
    scale: 'log',
    baseline: 'line',
    z: spikeZ,
    ...withHysteresis,
  } satisfies SpikeConfig<StepRecord>);

  // The grad norm stays on the raw scale: a step without gradient logs 0 (TRL GRPO when every
  // group's rewards are equal), which has no logarithm; in the real TRL collapse log over half the
  // logged steps are 0, and on the log scale the 19 others never fill the warm-up, so the blow-up
  // at step 150 (0.05 -> 0.44) would go unseen. `gradNormSpike: { scale: 'log', baseline: 'line' }`
  // suits a grad norm that is never 0.
  slots.add('gradNormSpike', config.gradNormSpike, 'spike', spikeConditions<StepRecord>, {
    metric: METRIC.gradNorm,
    granularity: 'step',
    direction: 'up',
    z: spikeZ,
    ...withHysteresis,
  } satisfies SpikeConfig<StepRecord>);

  slots.add('truncation', config.truncation, 'truncation', truncationConditions, {
    granularity: 'step',
    threshold: Math.min(0.95, scaleUp(TRUNCATION_DEFAULTS.threshold, sensitivity, 1.5)),
    ...withHysteresis,
  } satisfies TruncationConfig, { metric: METRIC.lengthClipRatio });

  slots.add('componentDominance', config.componentDominance, 'componentDominance', componentDominanceConditions, {
    ...componentDominanceTuning(sensitivity),
    ...withHysteresis,
  } satisfies ComponentDominanceConfig, { metric: COMPONENT_DOMINANCE_DEFAULTS.metric });

  slots.add('groupCollapse', config.groupCollapse, 'groupCollapseFromSteps', groupCollapseFromStepsConditions, {
    ...groupCollapseTuning(sensitivity),
    ...withHysteresis,
  } satisfies GroupCollapseFromStepsConfig, { metric: METRIC.groupsZeroStdFrac });

  slots.add('heldOutDivergence', config.heldOutDivergence, 'heldOutDivergence', heldOutDivergenceConditions, {
    z: scaleUp(HELD_OUT_DIVERGENCE_DEFAULTS.z, sensitivity, 1.25),
    ...withHysteresis,
  } satisfies HeldOutDivergenceConfig, { metric: HELD_OUT_DIVERGENCE_DEFAULTS.metric, everyItem: true });

  for (const extra of config.extra ?? []) {
    if (typeof extra !== 'function') throw new TypeError(`${PIPELINE} extra must hold operator functions`);
    list.push({ slot: 'extra', operator: (records) => records.pipe(filter(trainingRecord), extra) });
  }
  return list;
}

/** Runs every detector on one shared subscription of the source, their alerts merged. */
export function runShared<T>(detectors: readonly DetectorSpec<T>[]): OperatorFunction<T, Alert> {
  return fanOut((shared) => merge(...detectors.map((detector) => shared.pipe(detector.operator))));
}

/**
 * The default step-level detectors over `StepRecord`s (trainer logs, or `summarizeSteps()` over
 * samples), merged into one alert stream from one subscription to the source.
 *
 * Like `merge` of the individual detectors, but subscribing to the source once, with defaults
 * chosen to work together for `verdict()`: the proxy reward's rise or pinning (`meanShift`,
 * `saturation` on `reward/mean`: `proxy-rise`), its collapse or sudden pinning
 * (`varianceCollapse`: `collapse` / `exploit`), length drift without gain (`distributionDrift` on
 * `length/mean`: `exploit`), a cheap reward component rising alone (`componentDominance`), KL and
 * entropy blow-ups (`trend`, `spike` on kl and grad_norm: `instability`), completions clipped at
 * the cap (`truncation`: `collapse` with the reward at its floor) and GRPO group collapse
 * (`groupCollapseFromSteps`); evaluation records (`phase: 'eval'`) go only to the held-out reward's
 * fall beside a holding training reward (`heldOutDivergence`: `exploit`).
 *
 * ```
 * records:  -r-r-r-r-R-R-R-|     r = healthy steps, R = reward jumps and pins at the ceiling
 *           stepDetectors()
 * alerts:   ---------p---e-|     p = meanShift proxy-rise onset, e = varianceCollapse exploit (pinned two windows)
 * ```
 *
 * @example
 * ```ts
 * import { fromFile, judge } from 'goodhart';
 * import { stepDetectors } from 'goodhart/operators';
 * import { filter, lastValueFrom, map, toArray } from 'rxjs';
 * const alerts = await lastValueFrom(fromFile('trainer_state.json').pipe(
 *   filter((item) => item.kind === 'step'), map((item) => item.record),
 *   stepDetectors({ sensitivity: 'low', groupCollapse: false }), toArray()));
 * console.log(judge(alerts).status);
 * ```
 *
 * Every slot takes a partial config of its detector (laid over the pipeline's defaults) or
 * `false`; `sensitivity` scales the thresholds: `low` multiplies CUSUM intervals by 1.5, the
 * trend/spike robust z and the dominance t by 1.25, the truncation clip ratio by 1.5 and the
 * saturation share by 1.125, halves the collapse ratio, divides the drift KS alpha by 10 and adds
 * persistence (2 steps for group collapse, 1 for trend and dominance); `high` does the opposite;
 * `medium` keeps each detector's defaults, whose false-alarm behaviour each detector documents.
 * Throws at call time on a bad slot (TypeError naming it) or a bad detector config.
 *
 * @see sampleDetectors the sample-level pipeline, which runs this one over summarizeSteps()
 * @see verdict
 */
export function stepDetectors(config: StepDetectorsConfig = {}): OperatorFunction<StepRecord, Alert> {
  const detectors = stepDetectorSpecs(config);
  return runShared(detectors);
}
