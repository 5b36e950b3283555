import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, SampleRef, StepRecord } from '../src/core/types.js';
import { METRIC } from '../src/core/metric-names.js';
import {
  checkBetween,
  checkInteger,
  checkOneOf,
  checkPositive,
  finiteOrMissing,
  isStepRecordLike,
  resolveSelect,
} from '../src/detectors/select.js';
import { NO_REWARD, RewardFloor, TruncatedRewardFloor } from '../src/detectors/reward-floor.js';
import { LengthCapWindow, TruncationDetector } from '../src/detectors/truncation.js';
import { sampleOf } from '../src/detectors/windowed-rate.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';
import type { Granularity } from './mean-shift.js';

export interface TruncationConfig<T = StepRecord> {
  /**
   * `'step'`: items carry a clip ratio (StepRecords); `'sample'`: items carry one completion's
   * length (RewardEvents). Default: `'step'` when the first item is a StepRecord, else `'sample'`.
   */
  readonly granularity?: Granularity;
  /**
   * Picks the clip ratio (steps) or the completion length in tokens (samples); missing values are
   * skipped and counted. Default: `metrics[metric]` for a StepRecord, `length` for a sample.
   */
  readonly select?: (item: T) => number | undefined;
  /** Picks the reward beside it. Default: `metrics[rewardMetric]` for a StepRecord, `reward` for a sample. */
  readonly reward?: (item: T) => number | undefined;
  /** Trainer step of an item. Default `item.step`. */
  readonly step?: (item: T) => number;
  /** Clip-ratio metric of step records and the `Condition.metric`. Default `'length/clip_ratio'`. */
  readonly metric?: string;
  /** Reward metric of step records. Default `'reward/mean'`. */
  readonly rewardMetric?: string;
  /** Active at a clip ratio of at least this. Default 0.3. */
  readonly threshold?: number;
  /** With the reward at its floor, critical from this clip ratio. Default 0.9. */
  readonly critical?: number;
  /** Observations in a row at or above `threshold`. Default 2 for steps, 1 for samples (the window smooths). */
  readonly persistence?: number;
  /**
   * Reward within this fraction of its observed range from the floor counts as at the floor (per
   * step, a learnt floor also no higher than the lowest reward held before the fall). Default 0.05.
   */
  readonly tolerance?: number;
  /**
   * Steps: a learnt floor lies more than this many noise sd (from the reward's successive
   * differences) below the level the reward held before (the median of the 10 rewards before). Default 3.
   */
  readonly margin?: number;
  /** Steps: rewards in a row that must sit at the floor (learnt or configured). Default 3. */
  readonly floorPersistence?: number;
  /**
   * Known reward floor (e.g. 0). Default: learnt; per step a level the reward fell to from clearly
   * above (see `margin`), per sample the smallest reward seen once `minRewards` were seen.
   */
  readonly rewardFloor?: number;
  /** Rewards seen before a learnt floor counts. Default 20 for steps (before the fall), `window` for samples. */
  readonly minRewards?: number;
  /** Samples: completions in the window. Default 200. */
  readonly window?: number;
  /** Samples: the length cap in tokens. Default: inferred (see `inferShare`). */
  readonly maxLength?: number;
  /** Samples: a cap is inferred when at least this share of a full window has the longest length seen. Default 0.05. */
  readonly inferShare?: number;
  readonly hysteresis?: HysteresisConfig;
}

export const TRUNCATION_DEFAULTS = {
  threshold: 0.3,
  critical: 0.9,
  tolerance: 0.05,
  margin: 3,
  floorPersistence: 3,
  window: 200,
  inferShare: 0.05,
  step: { persistence: 2, minRewards: 20 },
  sample: { persistence: 1 },
} as const;

function metricOf(item: unknown, name: string): number | undefined {
  return isStepRecordLike(item) ? item.metrics[name] : undefined;
}

function fieldOf(item: unknown, name: 'length' | 'reward'): number | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const value = (item as Partial<Record<string, unknown>>)[name];
  return typeof value === 'number' ? value : undefined;
}

/** Evidence for a completion at the cap: a RewardEvent's own fields, with the length and reward as read. */
function truncatedSample(item: unknown, step: number, length: number, reward: number | undefined): SampleRef {
  const event = typeof item === 'object' && item !== null ? (item as Partial<RewardEvent>) : {};
  return sampleOf({ ...event, step, length, ...(reward === undefined ? {} : { reward }) }, length);
}

/** Raw `Condition`s of {@link truncation} (before hysteresis). Validates the config at call time. */
export function truncationConditions<T = StepRecord>(config: TruncationConfig<T> = {}): OperatorFunction<T, Condition> {
  const name = 'truncation';
  const d = TRUNCATION_DEFAULTS;
  const selection = resolveSelect(name, { ...(config.step === undefined ? {} : { step: config.step }), metric: config.metric ?? METRIC.lengthClipRatio });
  const metric = selection.metric;
  const rewardMetric = config.rewardMetric ?? METRIC.rewardMean;
  if (typeof rewardMetric !== 'string' || rewardMetric.length === 0) throw new TypeError('truncation rewardMetric must be a non-empty string');
  if (config.select !== undefined && typeof config.select !== 'function') throw new TypeError('truncation select must be a function');
  if (config.reward !== undefined && typeof config.reward !== 'function') throw new TypeError('truncation reward must be a function');
  const granularity = config.granularity === undefined ? undefined : checkOneOf(name, 'granularity', config.granularity, ['sample', 'step']);
  const threshold = checkBetween(name, 'threshold', config.threshold ?? d.threshold, 0, 1, 'high');
  const critical = checkBetween(name, 'critical', config.critical ?? d.critical, 0, 1, 'high');
  if (config.persistence !== undefined) checkInteger(name, 'persistence', config.persistence, 1);
  const tolerance = checkBetween(name, 'tolerance', config.tolerance ?? d.tolerance, 0, 0.5, 'low');
  const margin = checkPositive(name, 'margin', config.margin ?? d.margin, true);
  const floorPersistence = checkInteger(name, 'floorPersistence', config.floorPersistence ?? d.floorPersistence, 1);
  if (config.rewardFloor !== undefined && !Number.isFinite(config.rewardFloor)) {
    throw new RangeError(`truncation rewardFloor must be finite, got ${String(config.rewardFloor)}`);
  }
  if (config.minRewards !== undefined) checkInteger(name, 'minRewards', config.minRewards, 1);
  const window = checkInteger(name, 'window', config.window ?? d.window, 1);
  const maxLength = config.maxLength === undefined ? undefined : checkPositive(name, 'maxLength', config.maxLength);
  const inferShare = checkBetween(name, 'inferShare', config.inferShare ?? d.inferShare, 0, 1, 'high');
  return judgedConditions(() => {
      let judge: ((item: T) => Condition | undefined) | undefined;
      const create = (first: T): ((item: T) => Condition | undefined) => {
        const perStep = (granularity ?? (isStepRecordLike(first) ? 'step' : 'sample')) === 'step';
        const persistence = config.persistence ?? (perStep ? d.step.persistence : d.sample.persistence);
        const detector = new TruncationDetector({ metric, threshold, critical, persistence });
        const floorOptions = {
          floorPersistence,
          tolerance,
          margin,
          minRewards: config.minRewards ?? (perStep ? d.step.minRewards : window),
          rewardFloor: config.rewardFloor,
        };
        if (perStep) {
          const pickRatio = config.select ?? ((item: T) => metricOf(item, metric));
          const pickReward = config.reward ?? ((item: T) => metricOf(item, rewardMetric));
          const floor = new RewardFloor(floorOptions);
          return (item) => {
            const ratio = finiteOrMissing(pickRatio(item));
            const reward = finiteOrMissing(pickReward(item));
            return detector.next(ratio, reward === undefined ? NO_REWARD : floor.push(reward), selection.step(item));
          };
        }
        const pickLength = config.select ?? ((item: T) => fieldOf(item, 'length'));
        const pickReward = config.reward ?? ((item: T) => fieldOf(item, 'reward'));
        // Evidence is rebuilt from the held item itself (the selectors are pure), so nothing is
        // allocated for the completions that are never cited.
        const samples = new LengthCapWindow<T>(window, maxLength, inferShare, (item, length) =>
          truncatedSample(item, selection.step(item), length, finiteOrMissing(pickReward(item))),
        );
        const floor = new TruncatedRewardFloor(floorOptions);
        let lastStep = Number.NaN;
        let lastActive = false;
        return (item) => {
          const length = finiteOrMissing(pickLength(item));
          const reward = finiteOrMissing(pickReward(item));
          const step = selection.step(item);
          if (reward !== undefined) {
            floor.observe(reward);
            samples.pushReward(reward);
          }
          if (length === undefined) return detector.next(undefined, NO_REWARD, step);
          samples.pushLength(length, reward, item);
          if (samples.count < window) return undefined;
          const cap = samples.cap;
          const clipRatio = samples.clipRatio(cap);
          const active = detector.advance(clipRatio);
          // Per sample, an inactive condition is needed only once per step (and right after an
          // active one): the others are decided here, before their reading and message are built.
          if (active === undefined || (!active && !lastActive && step === lastStep)) return undefined;
          lastStep = step;
          lastActive = active;
          return detector.condition(active, clipRatio, floor.reading(samples.meanReward, samples.truncatedReward(cap)), step, {
            ...(cap === undefined ? {} : { cap }),
            count: samples.count,
            samples: () => samples.truncatedSamples(cap),
          });
        };
      };
      return {
        push: (item: T) => {
          judge ??= create(item);
          return judge(item);
        },
        flush: () => undefined,
      };
    });
}

/**
 * Detects completions pinned at the maximum length: a high clip ratio, called a `collapse` when
 * the reward sits at its floor meanwhile (every answer cut off, nothing earned) and context
 * otherwise.
 *
 * Like `saturation`, but for the length cap instead of the reward ceiling; like `groupCollapse`,
 * it calls the learning signal gone only when the reward shows it.
 *
 * ```
 * steps:   -a-b-c-d-e-|     clip ratio 0.1, 0.5, 0.6, 1, 1 with reward 0.5, 0.6, 0.6, 0, 0
 *          truncation({ persistence: 2, floorPersistence: 2, minRewards: 2 })
 * alerts:  -----o---x-|     o = onset (warning, info: 60% clipped); x = ongoing (critical, collapse:
 *                           the reward fell to its floor and stayed there 2 records)
 * ```
 *
 * @example
 * ```ts
 * import { truncation } from 'goodhart/operators';
 * import type { RewardEvent } from 'goodhart';
 * const clipped$ = steps$.pipe(truncation());                                   // length/clip_ratio + reward/mean
 * const capped$ = events$.pipe(truncation<RewardEvent>({ maxLength: 1024 }));   // per-sample lengths
 * ```
 *
 * Statistic: the clip ratio — `length/clip_ratio` of step records, or per sample the share of the
 * last `window` (200) completions at the cap (`maxLength`, or inferred when >= 5% of a full window
 * share the longest length ever seen) — against `threshold` (30%) on `persistence` observations in
 * a row (2 step records; per sample the window is the persistence). Reward at its floor, per step
 * (`reward/mean` of the records): `floorPersistence` (3) rewards in a row more than `margin` (3)
 * noise sd below the level the reward held before them (the median of the 10 rewards before;
 * noise sd from the successive differences, which a learning curve's trend does not inflate), the
 * latest no higher than the lowest reward held before within 5% of the observed range, after
 * `minRewards` (20) rewards; the floor's rewards never join that level, so a collapse held for
 * long stays one. A running minimum is no floor: any noisy reward touches one early on. Per
 * sample: the window-mean reward and the truncated completions' own mean reward both within 5% of
 * the observed range from the smallest reward seen (after `minRewards` = `window`). A configured
 * `rewardFloor` replaces the learnt one: `floorPersistence` rewards in a row within 5% of the
 * range from it. While active: at the floor -> `collapse`, critical from a 90% clip ratio
 * (TRL#5697: clip ratio 1 and reward 0, silent for hours), else warning; reward not at the floor
 * -> warning `info` ("42% of the last 200 completions hit the 1024-token cap"). A learnt floor
 * cannot call a run that is at its floor from the start a collapse (it never fell, no range):
 * configure `rewardFloor`. False alarms: healthy runs rarely clip 30% of their completions, and
 * with clipping pinned high a noisy reward is a collapse only after three records each 3 noise sd
 * below its level (~2·10⁻⁹ for normal noise); an inferred cap needs many samples at exactly one
 * longest length (identical memorised answers can mimic it: configure `maxLength` when known).
 * Evidence: clipRatio, streak, atFloor, reward, and per step rewardLevel and rewardNoise (learnt)
 * or rewardFloor and rewardRange (configured; a learnt floor's rewardFloor is the reward at it),
 * per sample truncatedReward, rewardFloor, rewardRange, cap, samples (the window size); missing.
 * Per sample, an alert also cites up to 5 truncated completions of the window (newest first,
 * scored by their length). Cost: O(log w) per step record, O(log w) per sample.
 *
 * @see truncationConditions
 * @see saturation
 * @see groupCollapse
 */
export function truncation<T = StepRecord>(config: TruncationConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = truncationConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
