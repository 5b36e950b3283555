/**
 * The pure state behind `summarizeSteps()`: scored samples (RewardEvents) and trainer-logged
 * StepRecords in, one StepRecord per trainer step out, under the canonical metric names of
 * core/metric-names. No rxjs, no I/O.
 *
 * Per step, from the samples:
 * - `reward/mean`, `reward/std` (sample std over the whole batch, ddof 1 like `torch.std`; 0 for
 *   one sample), `reward/min`, `reward/max`; `reward/<c>/mean` and `reward/<c>/std` per component;
 * - per GRPO group (events with a `group`, closed at the end of the step): `reward/group_std` (mean
 *   of the within-group sample stds over groups with two or more rewards; TRL <= 0.26's
 *   `reward_std`), `groups/zero_std_frac` (TRL's `frac_reward_zero_std`: zero-spread groups over
 *   groups with a reward; a one-member group has no std and is not zero-spread, as in torch),
 *   `groups/all_max_frac` / `groups/all_min_frac` (groups whose every reward is at the ceiling /
 *   floor: the configured `ceiling`/`floor`, else the step's own best / worst reward; both left
 *   out when that best equals that worst, as a group cannot tell all-right from all-wrong then);
 * - `length/mean`, `length/min`, `length/max` from `event.length`, else the response's length in
 *   characters (UTF-16 code units); never the prompt. `length/clip_ratio` is the fraction of
 *   measured samples with length >= `maxLength`, and only when `maxLength` is configured;
 * - `kl`: the mean of `event.kl`; `samples`: the number of events of the step (with or without a
 *   reward). Missing values (absent or non-finite) are skipped per metric, never averaged in; a
 *   metric with no value in the step is left out of the record, and so is a statistic that is not
 *   a finite double (the std of values near ±1.7e308): records carry finite metrics only. The
 *   moments are scaled by exact powers of two inside the kernels, so rewards at any scale (1e300,
 *   1e-300) get their true mean and std;
 * - `missing` (on the record, beside a logged record's own count): the number of values an event
 *   carried that were not finite numbers (a NaN or ±Infinity reward, component, length or kl);
 *   absent fields are not counted.
 *
 * Steps close when an item of a later step arrives, or on `flush()` (source completion), so a
 * summary is one step behind the live stream. A trainer-logged StepRecord of the open step is
 * merged into its summary: the record's metrics are kept, except that a metric the samples also
 * produce (`reward/*`, `length/*`, `groups/*`, `samples`, and `kl` when events carry `kl`) takes the
 * sample-derived value (the samples are the ground truth of what was scored; a log row is often a
 * mean over `logging_steps` or uses another std definition), and its `raw`, `missing`, `phase`,
 * `run` are carried over. A logged metric the samples cannot produce (`length/clip_ratio` without
 * `maxLength`, `entropy`, `grad_norm`) is kept as logged. Several records of one step merge in arrival order (later keys win). Eval
 * records (`phase: 'eval'`) are not merged: they pass through at once, unchanged.
 *
 * Late items (an event or train record whose step is below the open step: its summary is already
 * out) are not merged into anything: re-emitting a step would make the stream go backwards and
 * downstream detectors have already judged it. They are counted, in `lateItems` and as
 * `samples/late` on the next record emitted. Order several ranks first (`mergeByStep`).
 *
 * Cost: O(1 + components) per event (running Welford moments, a GroupAccumulator slot per open
 * group, no per-event allocation once components are known); O(groups + components) per step.
 *
 * @example
 * const summary = new StepSummarizer({ maxLength: 1024 });
 * summary.event({ step: 0, reward: 1, group: 'p0', length: 100 });
 * summary.event({ step: 0, reward: 0, group: 'p0', length: 1024 });
 * const record = summary.event({ step: 1, reward: 1 }); // step 0 closes
 * record?.metrics['reward/mean'];        // 0.5
 * record?.metrics['length/clip_ratio'];  // 0.5
 */
import { GroupAccumulator, allAtLeast, allAtMost } from '../kernels/group-accumulator.js';
import { Moments } from '../kernels/moments.js';
import { METRIC, componentMean, componentStd } from '../core/metric-names.js';
import type { RewardEvent, StepRecord } from '../core/types.js';

/** Name of the per-record count of late items (see the module comment). */
export const LATE_METRIC = 'samples/late';

export interface StepSummaryConfig {
  /** Completion length cap: `length/clip_ratio` counts lengths >= it. Default: none (no clip ratio). */
  readonly maxLength?: number;
  /** Reward ceiling for `groups/all_max_frac`. Default: the step's highest reward. */
  readonly ceiling?: number;
  /** Reward floor for `groups/all_min_frac`. Default: the step's lowest reward. */
  readonly floor?: number;
}

/** Throws a RangeError naming the field when a config value is out of range. */
export function checkStepSummaryConfig(config: StepSummaryConfig, name = 'summarizeSteps'): void {
  if (typeof config !== 'object') throw new TypeError(`${name} config must be an object`);
  const { maxLength, ceiling, floor } = config;
  if (maxLength !== undefined && !(Number.isFinite(maxLength) && maxLength > 0)) {
    throw new RangeError(`${name} maxLength must be a finite number > 0, got ${String(maxLength)}`);
  }
  if (ceiling !== undefined && !Number.isFinite(ceiling)) throw new RangeError(`${name} ceiling must be finite, got ${String(ceiling)}`);
  if (floor !== undefined && !Number.isFinite(floor)) throw new RangeError(`${name} floor must be finite, got ${String(floor)}`);
  if (ceiling !== undefined && floor !== undefined && !(floor < ceiling)) {
    throw new RangeError(`${name} floor must be below ceiling, got floor ${String(floor)} and ceiling ${String(ceiling)}`);
  }
}

const LATE = Symbol('late');

/** Running statistics of one component over the open step. */
interface ComponentStats {
  readonly moments: Moments;
  readonly meanName: string;
  readonly stdName: string;
}

/** Running min/max/mean of a value over the open step. */
class Extent {
  readonly moments = new Moments();
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  push(x: number): void {
    this.moments.push(x);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  reset(): void {
    this.moments.reset();
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

export class StepSummarizer {
  private readonly maxLength: number | undefined;
  private readonly ceiling: number | undefined;
  private readonly floor: number | undefined;
  private readonly groups = new GroupAccumulator();
  private readonly reward = new Extent();
  private readonly length = new Extent();
  private readonly kl = new Moments();
  private readonly components = new Map<string, ComponentStats>();
  /** The open step, or undefined before the first item / after a flush. */
  private openStep: number | undefined;
  private samples = 0;
  private clipped = 0;
  private late = 0;
  /** Non-finite values carried by the open step's events. */
  private nonFinite = 0;
  private lastTime: number | undefined;
  private run: string | undefined;
  /** Trainer-logged train records of the open step, merged. */
  private logged: StepRecord | undefined;
  private totalLate = 0;

  constructor(config: StepSummaryConfig = {}) {
    checkStepSummaryConfig(config, 'StepSummarizer');
    this.maxLength = config.maxLength;
    this.ceiling = config.ceiling;
    this.floor = config.floor;
  }

  /** Late items seen so far (events and train records of an already closed step). */
  get lateItems(): number {
    return this.totalLate;
  }

  /** The step currently being accumulated, if any. */
  get currentStep(): number | undefined {
    return this.openStep;
  }

  /**
   * Adds one scored sample. Returns the record of the step it closed, if it closed one. A step
   * that is not a finite number is rejected with a RangeError.
   */
  event(event: RewardEvent): StepRecord | undefined {
    const closed = this.advance(event.step);
    if (closed === LATE) return undefined;
    this.samples++;
    const reward = event.reward;
    const finiteReward = typeof reward === 'number' && Number.isFinite(reward);
    if (finiteReward) this.reward.push(reward);
    else if (reward !== undefined) this.nonFinite++;
    if (event.group !== undefined) this.groups.add(event.group, finiteReward ? reward : Number.NaN);
    const components = event.components;
    if (components !== undefined) {
      for (const name in components) {
        const value = components[name];
        if (typeof value === 'number' && Number.isFinite(value)) this.component(name).moments.push(value);
        else if (value !== undefined) this.nonFinite++;
      }
    }
    const length = event.length ?? event.response?.length;
    if (typeof length === 'number' && Number.isFinite(length)) {
      this.length.push(length);
      if (this.maxLength !== undefined && length >= this.maxLength) this.clipped++;
    } else if (length !== undefined) this.nonFinite++;
    if (typeof event.kl === 'number' && Number.isFinite(event.kl)) this.kl.push(event.kl);
    else if (event.kl !== undefined) this.nonFinite++;
    if (typeof event.t === 'number') this.lastTime = Math.max(this.lastTime ?? event.t, event.t);
    if (this.run === undefined && event.run !== undefined) this.run = event.run;
    return closed;
  }

  /**
   * Adds one trainer-logged record: a train record is merged into the summary of its step (see
   * the module comment) and may close the open step (whose record is returned); an eval record
   * is returned at once, unchanged.
   */
  record(record: StepRecord): StepRecord | undefined {
    if (record.phase === 'eval') return record;
    const closed = this.advance(record.step);
    if (closed === LATE) return undefined;
    const previous = this.logged;
    this.logged =
      previous === undefined
        ? record
        : {
            ...previous,
            ...record,
            metrics: { ...previous.metrics, ...record.metrics },
            ...(previous.raw !== undefined || record.raw !== undefined ? { raw: { ...previous.raw, ...record.raw } } : {}),
            ...(previous.missing !== undefined || record.missing !== undefined
              ? { missing: (previous.missing ?? 0) + (record.missing ?? 0) }
              : {}),
          };
    if (typeof record.t === 'number') this.lastTime = Math.max(this.lastTime ?? record.t, record.t);
    return closed;
  }

  /** Closes the open step (the source completed): its record, or undefined when none is open. */
  flush(): StepRecord | undefined {
    if (this.openStep === undefined) return undefined;
    const record = this.close(this.openStep);
    this.openStep = undefined;
    return record;
  }

  /** Moves to `step`: closes the open step when `step` is later, or reports a late item. */
  private advance(step: number): StepRecord | undefined | typeof LATE {
    if (!Number.isFinite(step)) throw new RangeError(`summarizeSteps: step must be a finite number, got ${String(step)}`);
    const open = this.openStep;
    if (open === undefined || step === open) {
      this.openStep = step;
      return undefined;
    }
    if (step < open) {
      this.late++;
      this.totalLate++;
      return LATE;
    }
    const record = this.close(open);
    this.openStep = step;
    return record;
  }

  private component(name: string): ComponentStats {
    let stats = this.components.get(name);
    if (stats === undefined) {
      stats = { moments: new Moments(), meanName: componentMean(name), stdName: componentStd(name) };
      this.components.set(name, stats);
    }
    return stats;
  }

  /** Builds the record of `step` and resets the per-step state. */
  private close(step: number): StepRecord {
    const metrics: Record<string, number> = {};
    const logged = this.logged;
    if (logged !== undefined) {
      for (const name in logged.metrics) metrics[name] = logged.metrics[name]!;
    }
    // Sample-derived values overwrite logged ones of the same name (module comment).
    if (this.samples > 0) this.writeSampleMetrics(metrics);
    if (this.late > 0) metrics[LATE_METRIC] = this.late;
    const run = logged?.run ?? this.run;
    const missing = logged?.missing === undefined && this.nonFinite === 0 ? undefined : (logged?.missing ?? 0) + this.nonFinite;
    const record: StepRecord = {
      step,
      metrics,
      ...(logged?.raw === undefined ? {} : { raw: logged.raw }),
      ...(missing === undefined ? {} : { missing }),
      ...(logged?.phase === undefined ? {} : { phase: logged.phase }),
      ...(run === undefined ? {} : { run }),
      ...(this.lastTime === undefined ? {} : { t: this.lastTime }),
    };
    this.reset();
    return record;
  }

  private writeSampleMetrics(metrics: Record<string, number>): void {
    metrics[METRIC.samples] = this.samples;
    const reward = this.reward;
    if (reward.moments.count > 0) {
      putFinite(metrics, METRIC.rewardMean, reward.moments.mean);
      putFinite(metrics, METRIC.rewardStd, reward.moments.std);
      metrics[METRIC.rewardMin] = reward.min;
      metrics[METRIC.rewardMax] = reward.max;
    }
    for (const stats of this.components.values()) {
      if (stats.moments.count === 0) continue;
      putFinite(metrics, stats.meanName, stats.moments.mean);
      putFinite(metrics, stats.stdName, stats.moments.std);
    }
    if (this.groups.openGroups > 0) this.writeGroupMetrics(metrics);
    const length = this.length;
    if (length.moments.count > 0) {
      putFinite(metrics, METRIC.lengthMean, length.moments.mean);
      metrics[METRIC.lengthMin] = length.min;
      metrics[METRIC.lengthMax] = length.max;
      if (this.maxLength !== undefined) metrics[METRIC.lengthClipRatio] = this.clipped / length.moments.count;
    }
    if (this.kl.count > 0) putFinite(metrics, METRIC.kl, this.kl.mean);
  }

  private writeGroupMetrics(metrics: Record<string, number>): void {
    const ceiling = this.ceiling ?? this.reward.max;
    const floor = this.floor ?? this.reward.min;
    let rated = 0;
    let zeroStd = 0;
    let allMax = 0;
    let allMin = 0;
    let spread = 0;
    // A running mean, not a sum: the stds of groups near 1e308 must not overflow on the way.
    let stdMean = 0;
    for (const group of this.groups.closeAll()) {
      if (group.count === 0) continue;
      rated++;
      if (group.zeroStd) zeroStd++;
      if (allAtLeast(group, ceiling)) allMax++;
      if (allAtMost(group, floor)) allMin++;
      if (group.count >= 2) {
        spread++;
        stdMean += (group.std - stdMean) / spread;
      }
    }
    if (rated === 0) return;
    metrics[METRIC.groupsZeroStdFrac] = zeroStd / rated;
    // With every reward of the step equal (and no configured levels) the step's best is its worst:
    // each group would count as all-correct and all-wrong at once, so neither level is known.
    if (ceiling > floor) {
      metrics[METRIC.groupsAllMaxFrac] = allMax / rated;
      metrics[METRIC.groupsAllMinFrac] = allMin / rated;
    }
    if (spread > 0) putFinite(metrics, METRIC.rewardGroupStd, stdMean);
  }

  private reset(): void {
    this.groups.closeAll();
    this.reward.reset();
    this.length.reset();
    this.kl.reset();
    for (const stats of this.components.values()) stats.moments.reset();
    this.samples = 0;
    this.clipped = 0;
    this.late = 0;
    this.nonFinite = 0;
    this.lastTime = undefined;
    this.run = undefined;
    this.logged = undefined;
  }
}

/** Writes a statistic only when it is a finite double (records carry finite metrics only). */
function putFinite(metrics: Record<string, number>, name: string, value: number): void {
  if (Number.isFinite(value)) metrics[name] = value;
}
