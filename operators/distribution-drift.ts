import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import { componentMean, METRIC } from '../src/core/metric-names.js';
import type { Alert, RewardEvent, SampleRef, StepRecord } from '../src/core/types.js';
import { DistributionDriftJudge, RewardIsTruth } from '../src/detectors/distribution-drift.js';
import { WithinGroupCoMoments } from '../src/kernels/co-moments.js';
import { checkTrue, ComponentRoles, componentOfMetric, type TrueComponent } from '../src/detectors/reward-components.js';
import { checkBetween, checkInteger, checkOneOf, checkPositive, finiteOrMissing, isStepRecordLike } from '../src/detectors/select.js';
import { IntegerKsTree } from '../src/kernels/ks-integer-tree.js';
import { ValueKsBlocks } from '../src/kernels/ks-value-blocks.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface DistributionDriftConfig {
  /** Picks a sample's value. Default `event.length` (tokens, or characters when only text was given). */
  readonly select?: (event: RewardEvent) => number | undefined;
  /** StepRecord metric watched, and `Condition.metric`. Default `'length/mean'` (samples: `'length'`). */
  readonly metric?: string;
  /** StepRecord metric of the proxy reward. Default `'reward/mean'`. */
  readonly rewardMetric?: string;
  /**
   * The true component (name, pattern, or `false` for none). Default: the first component named
   * like correctness/accuracy/pass... (see `DEFAULT_TRUE_PATTERNS`), from `components` of samples or
   * `reward/<c>/mean` of step records; with none, the proxy reward alone gives the context.
   */
  readonly true?: TrueComponent;
  /** Values in the reference window. Default 1024 samples, 20 step records. */
  readonly reference?: number;
  /** Values in the recent window. Default 256 samples, 5 step records. */
  readonly recent?: number;
  /** Significance level of the per-step KS check. Default 0.001. */
  readonly alpha?: number;
  /** Effect-size floor: relative change of the window mean. Default 0.25. */
  readonly minChange?: number;
  /** Steps before the recent gain window, for the reward/true-component gain. Default 10. */
  readonly gainReference?: number;
  /** Steps in the recent gain window. Default 3. */
  readonly gainRecent?: number;
  /** A gain needs this many Welch standard errors. Default 3. */
  readonly tCritical?: number;
  /** ... and a rise of at least this fraction of the observed range of step means. Default 0.1. */
  readonly gainFloor?: number;
  /** "Pinned high": the recent reward in the top `1 - highFrac` of its observed range. Default 0.75. */
  readonly highFrac?: number;
  /**
   * Steps over which the reward's step-to-step changes are regressed on the mean length's (the true
   * component's held fixed): a proxy gain is a length exploit only when that slope is positive by
   * `couplingT` standard errors. Default 20 (19 changes; at least 8 are needed).
   */
  readonly couplingSteps?: number;
  /**
   * Critical t of that slope. Default 4.5: the test runs at every drifting step over sliding
   * windows, so its critical value is that of a family of tests, not of one. Over a 20-step episode
   * of independent batch noise (lengths growing, a reward deaf to them), 0.4% of episodes reach 4.5
   * on the least-squares t and 0.7% on the rank t (Monte Carlo, 5,000 episodes); at 3 it was 5-6%.
   */
  readonly couplingT?: number;
  /** KS structure: `'integer'` (IntegerKsTree; values floored) or `'value'` (ValueKsBlocks). Default integer for samples, value for steps. */
  readonly kernel?: 'integer' | 'value';
  /** Unit for messages. Default `'tokens'`. */
  readonly unit?: string;
  readonly hysteresis?: HysteresisConfig;
}

export const DISTRIBUTION_DRIFT_DEFAULTS = {
  sample: { reference: 1024, recent: 256, metric: 'length', kernel: 'integer' },
  step: { reference: 20, recent: 5, metric: METRIC.lengthMean, kernel: 'value' },
  rewardMetric: METRIC.rewardMean,
  alpha: 0.001,
  minChange: 0.25,
  gainReference: 10,
  gainRecent: 3,
  tCritical: 3,
  gainFloor: 0.1,
  highFrac: 0.75,
  couplingSteps: 20,
  couplingT: 4.5,
  unit: 'tokens',
} as const;

const defaultSelect = (event: RewardEvent): number | undefined => event.length;

/** Samples kept per step as evidence (the longest). */
const LONGEST = 5;

/**
 * Per-step bookkeeping of samples: mean length, proxy, true component, the 5 longest samples.
 * The longest are kept as given (event and value) and turned into `SampleRef`s once, at step
 * close, rather than once for every sample that enters the top 5 on its way.
 */
class SampleStep {
  step = Number.NaN;
  count = 0;
  sum = 0;
  proxySum = 0;
  proxyCount = 0;
  trueSum = 0;
  trueCount = 0;
  /** Length, reward and true component of the step's samples within their prompt groups. */
  readonly moments = new WithinGroupCoMoments();
  /** The longest samples of the step, longest first (ties: earliest first), and their values. */
  private readonly longestEvents: (RewardEvent | undefined)[] = new Array<RewardEvent | undefined>(LONGEST).fill(undefined);
  private readonly longestValues = new Float64Array(LONGEST);
  private kept = 0;

  reset(step: number): void {
    this.step = step;
    this.count = this.sum = this.proxySum = this.proxyCount = this.trueSum = this.trueCount = 0;
    this.moments.reset();
    this.longestEvents.fill(undefined);
    this.kept = 0;
  }

  keep(event: RewardEvent, value: number): void {
    const events = this.longestEvents;
    const values = this.longestValues;
    if (this.kept === LONGEST && value <= values[LONGEST - 1]!) return;
    let at = this.kept;
    while (at > 0 && values[at - 1]! < value) at--;
    for (let i = Math.min(this.kept, LONGEST - 1); i > at; i--) {
      events[i] = events[i - 1];
      values[i] = values[i - 1]!;
    }
    events[at] = event;
    values[at] = value;
    if (this.kept < LONGEST) this.kept++;
  }

  /** The kept samples as evidence, longest first. */
  longest(): SampleRef[] {
    const samples: SampleRef[] = [];
    for (let i = 0; i < this.kept; i++) {
      const event = this.longestEvents[i]!;
      samples.push({
        step: event.step,
        length: this.longestValues[i]!,
        ...(event.group === undefined ? {} : { group: event.group }),
        ...(event.reward === undefined ? {} : { reward: event.reward }),
        ...(event.components === undefined ? {} : { components: event.components }),
        ...(event.response === undefined ? {} : { response: event.response.slice(0, 2000) }),
      });
    }
    return samples;
  }
}

/** Raw per-step `Condition`s of {@link distributionDrift} (before hysteresis). Validates at call time. */
export function distributionDriftConditions(config: DistributionDriftConfig = {}): OperatorFunction<RewardEvent | StepRecord, Condition> {
  const name = 'distributionDrift';
  if (typeof config !== 'object') throw new TypeError(`${name} config must be an object`);
  const d = DISTRIBUTION_DRIFT_DEFAULTS;
  if (config.select !== undefined && typeof config.select !== 'function') throw new TypeError(`${name} select must be a function`);
  for (const field of ['metric', 'rewardMetric', 'unit'] as const) {
    const value: unknown = config[field];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new TypeError(`${name} ${field} must be a non-empty string`);
  }
  if (config.reference !== undefined) checkInteger(name, 'reference', config.reference, 1);
  if (config.recent !== undefined) checkInteger(name, 'recent', config.recent, 1);
  if (config.kernel !== undefined) checkOneOf(name, 'kernel', config.kernel, ['integer', 'value']);
  const truth = config.true === undefined ? undefined : checkTrue(name, config.true);
  const select = config.select ?? defaultSelect;
  const rewardMetric = config.rewardMetric ?? d.rewardMetric;
  const shared = {
    detector: name,
    alpha: checkBetween(name, 'alpha', config.alpha ?? d.alpha, 0, 1),
    minChange: checkPositive(name, 'minChange', config.minChange ?? d.minChange),
    gainReference: checkInteger(name, 'gainReference', config.gainReference ?? d.gainReference, 2),
    gainRecent: checkInteger(name, 'gainRecent', config.gainRecent ?? d.gainRecent, 1),
    tCritical: checkPositive(name, 'tCritical', config.tCritical ?? d.tCritical),
    gainFloor: checkPositive(name, 'gainFloor', config.gainFloor ?? d.gainFloor, true),
    highFrac: checkBetween(name, 'highFrac', config.highFrac ?? d.highFrac, 0, 1, 'both'),
    couplingSteps: checkInteger(name, 'couplingSteps', config.couplingSteps ?? d.couplingSteps, 9),
    couplingT: checkPositive(name, 'couplingT', config.couplingT ?? d.couplingT),
    unit: config.unit ?? d.unit,
  };
  return judgedConditions(() => {
    const roles = new ComponentRoles(undefined, truth);
    let judge: DistributionDriftJudge | undefined;
    let metric = '';
    const open = new SampleStep();
    const create = (first: RewardEvent | StepRecord): DistributionDriftJudge => {
      const defaults = isStepRecordLike(first) ? d.step : d.sample;
      metric = config.metric ?? defaults.metric;
      const kernel = (config.kernel ?? defaults.kernel) === 'integer' ? new IntegerKsTree() : new ValueKsBlocks();
      return new DistributionDriftJudge(kernel, {
        ...shared,
        metric,
        reference: config.reference ?? defaults.reference,
        recent: config.recent ?? defaults.recent,
      });
    };
    let trueName: string | undefined;
    /** Whether the reward has been the true component alone so far (see `DriftStep.rewardIsTrue`). */
    const sameAsTruth = new RewardIsTruth();
    const closeStep = (machine: DistributionDriftJudge): Condition | undefined => {
      if (Number.isNaN(open.step) || open.count === 0) return undefined;
      return machine.judge({
        step: open.step,
        mean: open.sum / open.count,
        proxy: open.proxyCount > 0 ? open.proxySum / open.proxyCount : undefined,
        truth: trueName !== undefined && open.trueCount > 0 ? open.trueSum / open.trueCount : undefined,
        trueName,
        rewardIsTrue: sameAsTruth.value,
        samples: open.longest(),
        within: open.moments,
      });
    };
    return {
      push(item) {
        judge ??= create(item);
        if (isStepRecordLike(item)) {
          const record = item;
          if (record.phase === 'eval') return undefined;
          const value = finiteOrMissing(record.metrics[metric]);
          if (value === undefined) return undefined;
          if (trueName === undefined) {
            const components: string[] = [];
            for (const key in record.metrics) {
              const component = componentOfMetric(key);
              if (component !== undefined) components.push(component);
            }
            trueName = components.length > 0 ? roles.trueOf(components) : undefined;
          }
          judge.push(value);
          const proxy = finiteOrMissing(record.metrics[rewardMetric]);
          const truthValue = trueName === undefined ? undefined : finiteOrMissing(record.metrics[componentMean(trueName)]);
          if (proxy !== undefined && truthValue !== undefined) sameAsTruth.add(proxy, truthValue);
          return judge.judge({
            step: record.step,
            mean: value,
            proxy,
            truth: truthValue,
            trueName,
            rewardIsTrue: sameAsTruth.value,
          });
        }
        const event = item;
        const value = finiteOrMissing(select(event));
        let closed: Condition | undefined;
        let firstOfStep = false;
        if (event.step !== open.step) {
          closed = closeStep(judge);
          open.reset(event.step);
          firstOfStep = true;
        }
        // Resolved from the first sample of each step until found: O(C) per step, not per sample.
        if (firstOfStep && trueName === undefined && event.components !== undefined) trueName = roles.trueOf(Object.keys(event.components));
        if (value === undefined) return closed;
        judge.push(value);
        open.count++;
        open.sum += value;
        open.keep(event, value);
        const reward = finiteOrMissing(event.reward);
        if (reward !== undefined) {
          open.proxySum += reward;
          open.proxyCount++;
        }
        const truthValue = trueName === undefined ? undefined : finiteOrMissing(event.components?.[trueName]);
        if (truthValue !== undefined) {
          open.trueSum += truthValue;
          open.trueCount++;
          if (reward !== undefined) sameAsTruth.add(reward, truthValue);
        }
        if (reward !== undefined && (trueName === undefined || truthValue !== undefined)) open.moments.push(value, reward, truthValue ?? 0, event.group);
        return closed;
      },
      flush() {
        return judge === undefined ? undefined : closeStep(judge);
      },
    };
  });
}

/**
 * Detects response-length drift: a two-sample KS test of the recent lengths against the lengths
 * before them, with an effect-size floor; warns ('exploit') when lengths rise without gain ("reward
 * flat at 0.93 while mean length rose 212 -> 611 tokens in 9 steps"), and notes any other drift.
 *
 * Like `meanShift` on `length/mean`, but on the whole distribution of sample lengths (tie-exact KS,
 * p-value and Wasserstein-1 as the effect size), and read against the reward: length growth that
 * comes with a true gain is learning, not hacking; `componentDominance` catches a paid length bonus.
 *
 * ```
 * length/mean:  210 212 208 211 209 215 330 450 610 |   step records (reference 4, recent 2 here)
 * reward/mean:  .5  .7  .93 .93 .93 .93 .93 .93 .93 |   pinned high, flat
 *               distributionDrift({ reference: 4, recent: 2, alpha: 0.2, gainReference: 3, gainRecent: 2 })
 * alerts:       ------------------------w-----------|   w = warning 'exploit' once both recent values left the reference
 * ```
 *
 * @example
 * ```ts
 * import { fromFile } from 'goodhart';
 * import { distributionDrift } from 'goodhart/operators';
 * import { filter, map } from 'rxjs';
 * const alerts$ = fromFile('verl.log').pipe(
 *   filter((item) => item.kind === 'step'), map((item) => item.record), distributionDrift());
 * const fromSamples$ = events$.pipe(distributionDrift({ true: 'accuracy' }));   // per-sample lengths
 * ```
 *
 * Input: RewardEvents (each value `select(event)`, default `event.length`, enters the recent window;
 * a step is judged when a later step starts and at completion) or StepRecords with `length/mean`
 * beside `reward/mean` (each record is one value and one judgement; eval records are skipped).
 * Reference: lagging, the `reference` values before the recent window (1024/256 samples, 20/5
 * records), held while a drift lasts. A lagging reference follows slow healthy creep (that is
 * `trend`'s job) and catches changes within a few steps; a frozen start-of-run reference would flag
 * every run whose lengths settle somewhere new. Statistic: D = sup |F_ref − F_rec| (IntegerKsTree
 * for integer lengths, exact with ties, unlike the (value, sample)-keyed incremental KS), compared
 * per step with c(α)·√((n+m)/(nm)), α = 0.001; drift also needs the window mean to move >= 25%.
 * On a drift: p-value (`ksTwoSamplePValue`, exact up to 10^4 values) and W1. Exploit: upward drift
 * while the true component gained nothing (>= 3 standard errors and >= 10% of its range over the
 * last 3 steps vs the 10 before) and the reward did (the same test), and the reward beyond the true
 * component moves with the length: over the last 20 steps the reward's step-to-step changes follow
 * the mean length's, the true component's held fixed (least-squares slope > 0 by `couplingT`, 4.5,
 * standard errors; differences, because two trends correlate in levels whatever pays for what). A
 * format bonus that
 * saturates beside a slowly learning task gains without that, and is info; a length bonus or a
 * reward model that likes length pays more in the steps whose batches ran longer. With sample input
 * the same regression also runs among the samples of each prompt group (one intercept per group,
 * pooled over 20 steps; a group is a run of samples with the same `group`, or the whole step
 * without one): there a length bias buried in step-to-step noise shows, while prompts that ask for
 * longer answers and score higher whatever the length do not pass for one, and it counts when its slope
 * times the rise of the mean length buys at least half the reward's gain. Also an exploit:
 * the true component fell significantly while the reward did not. With no true component: the
 * reward is flat (no significant recent gain, and its rise since the drift began under 10% of its
 * range) in its top quarter, or it gained and follows the length step after step (the same regression on the ranks of
 * the changes, so one joint jump of a better, longer strategy does not carry it). The coupling is
 * tested at every drifting step, hence a family's critical t, not a single test's. Never when the reward is
 * the true component alone (reward = w · truth at every sample or step so far, as a lone
 * `accuracy_reward`): length can then earn reward only by solving the task, and the exploit test
 * would reduce to "the reward's recent gain is not significant and it sits in its top quarter",
 * i.e. any saturating learning curve (R1-zero style runs grow answers 2-3x as accuracy climbs).
 * With no component logged, nothing says the reward is a verifier, so the proxy rule stays.
 * Otherwise info.
 * Warm-up: both windows full (1280 samples; 25 records). False alarms: healthy length creep (0.05%
 * per step in the simulator, 130-155 tokens in the healthy verl PPO log) never moves the window mean
 * by 25%; a step-level KS on autocorrelated means is not a calibrated test (a trend gives D = 1), so
 * the effect floor, not α, carries the false-alarm rate there. Evidence: d, critical, pValue,
 * wasserstein, referenceMean, recentMean, change, reward and true trends, couplingSlope/couplingT/
 * couplingChanges (reward per unit of length, with a true component), withinSlope/withinT/
 * withinSamples/withinBought (sample input); samples: the 5 longest
 * samples of the step (sample input). Cost: O(1) per sample, O(k·log M) per step for the k distinct
 * lengths it moved (at most O(M)), while calm.
 *
 * @see componentDominance
 * @see distributionDriftConditions
 */
export function distributionDrift(config: DistributionDriftConfig = {}): OperatorFunction<RewardEvent | StepRecord, Alert> {
  const conditions = distributionDriftConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
