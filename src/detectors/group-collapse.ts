/**
 * The pure state behind `groupCollapse` and `groupCollapseFromSteps`: one judgement per trainer
 * step of how many GRPO groups had zero within-group spread, and whether they sit at the reward
 * floor (all wrong: the learning signal is gone) or at the ceiling (all right: mastery, the prompts
 * are too easy). No rxjs.
 *
 * Rule (per step, see `GroupCollapseJudge#judge`):
 * - `mostlyZero`: the fraction of groups with zero spread is at least `zeroStdFrac`;
 * - `collapse` (warning, critical when every group is zero-spread at the floor): mostlyZero AND at
 *   least `levelFrac` of the groups sit at the floor AND the step's reward spread fell to
 *   `stdRatio` of its baseline (skipped when no spread is known) AND the run had a learning signal
 *   before (a step that was not mostlyZero), held on `persistence` consecutive steps;
 * - `mastery` (info): mostlyZero AND at least `levelFrac` of the groups sit at the ceiling;
 * - otherwise a mostlyZero step is info (no gradient from most groups, level undetermined or mixed),
 *   and any other step is an inactive condition.
 * The spread baseline is the median of the last `baselineSteps` spreads of steps that were not
 * mostlyZero, so it never follows a collapse down to 0 and recovers from a degenerate start.
 */
import type { Condition } from '../core/condition.js';
import type { SampleRef, Severity, AlertSignal } from '../core/types.js';
import { GroupAccumulator, type GroupSummary } from '../kernels/group-accumulator.js';
import { Moments } from '../kernels/moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { fmt, pct } from './select.js';

/** What one step looked like, from samples or from a step record. */
export interface GroupStepSummary {
  readonly step: number;
  /** Groups judged (at least two finite rewards each); 1 for a step record (count unknown). */
  readonly groups: number;
  /** Fraction of groups with zero spread. */
  readonly zeroStdFrac: number;
  /** Fraction of all groups with zero spread at the floor (all wrong); NaN when unknown. */
  readonly floorFrac: number;
  /** Fraction of all groups with zero spread at the ceiling (all right); NaN when unknown. */
  readonly ceilingFrac: number;
  /** Mean reward of the step (NaN when unknown). */
  readonly rewardMean: number;
  /** Reward spread of the step (batch or mean group std; NaN when unknown). */
  readonly rewardStd: number;
  /** Reward floor and ceiling in force (NaN when undetermined). */
  readonly floor: number;
  readonly ceiling: number;
  /** Up to 5 zero-spread groups at the floor, and up to 5 at the ceiling, as evidence. */
  readonly floorSamples: readonly SampleRef[];
  readonly ceilingSamples: readonly SampleRef[];
  /** How the level fractions were obtained. */
  readonly levels: 'measured' | 'logged' | 'estimated' | 'unknown';
}

export interface GroupCollapseOptions {
  readonly detector: string;
  readonly metric: string;
  readonly zeroStdFrac: number;
  readonly levelFrac: number;
  readonly stdRatio: number;
  readonly persistence: number;
  readonly baselineSteps: number;
  readonly collapseSeverity: Severity;
}

const TOTAL = 1 - 1e-9;

export class GroupCollapseJudge {
  private readonly options: GroupCollapseOptions;
  private readonly baseline: RollingQuantiles;
  private hadSignal = false;
  private collapseRun = 0;
  private firstCollapseStep = Number.NaN;

  constructor(options: GroupCollapseOptions) {
    this.options = options;
    this.baseline = new RollingQuantiles(options.baselineSteps);
  }

  /** Judges one step; returns its condition (one per step with at least one group). */
  judge(summary: GroupStepSummary): Condition | undefined {
    const { detector, metric, zeroStdFrac: threshold, levelFrac, stdRatio, persistence } = this.options;
    if (summary.groups === 0 || !Number.isFinite(summary.zeroStdFrac)) return undefined;
    const frac = summary.zeroStdFrac;
    const mostlyZero = frac >= threshold;
    const baselineStd = this.baseline.count > 0 ? this.baseline.median : Number.NaN;
    const spreadKnown = Number.isFinite(summary.rewardStd) && Number.isFinite(baselineStd);
    const spreadCollapsed = !spreadKnown || summary.rewardStd <= stdRatio * baselineStd;
    const atFloor = summary.floorFrac >= levelFrac && !(summary.ceilingFrac > summary.floorFrac);
    const atCeiling = summary.ceilingFrac >= levelFrac && !atFloor;
    const collapsing = mostlyZero && atFloor && spreadCollapsed && this.hadSignal;
    if (collapsing) {
      if (this.collapseRun === 0) this.firstCollapseStep = summary.step;
      this.collapseRun += 1;
    } else this.collapseRun = 0;
    if (!mostlyZero) {
      this.hadSignal = true;
      if (Number.isFinite(summary.rewardStd)) this.baseline.push(summary.rewardStd);
    }

    const stats = finiteStats({
      groups: summary.groups,
      zeroStdFrac: frac,
      floorFrac: summary.floorFrac,
      ceilingFrac: summary.ceilingFrac,
      rewardMean: summary.rewardMean,
      rewardStd: summary.rewardStd,
      baselineStd,
      floor: summary.floor,
      ceiling: summary.ceiling,
      persistence: this.collapseRun,
    });
    const zeroText = (): string => `${pct(frac)} of ${summary.levels === 'measured' || summary.levels === 'unknown' && summary.groups > 1 ? `${summary.groups} ` : ''}groups have identical rewards`;
    // Conditions spell out their fields: `{ ...base, more }` costs about a microsecond per object
    // in V8 (the clone takes a slow path for each added field), once per step here.
    // A lazy `message` getter stays last: V8 placed a spread literal's accessors after its data
    // fields, and conditions serialize field for field as they did.
    const step = summary.step;

    if (collapsing && this.collapseRun >= persistence) {
      const total = frac >= TOTAL && summary.floorFrac >= TOTAL;
      const severity: Severity = total ? 'critical' : this.options.collapseSeverity;
      const spreadText = spreadKnown
        ? `, reward spread ${fmt(summary.rewardStd)} vs ${fmt(baselineStd)} before`
        : '';
      return {
        detector,
        metric,
        step,
        value: frac,
        threshold,
        active: true,
        severity,
        signal: 'collapse',
        message:
          `learning signal gone: ${zeroText()}, ${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} ` +
          `(all wrong; reward ${fmt(summary.rewardMean)}${spreadText}) for ${this.collapseRun} steps since step ` +
          `${this.firstCollapseStep}; GRPO gets no gradient`,
        evidence: { stats, samples: summary.floorSamples },
      };
    }
    if (mostlyZero) {
      let signal: AlertSignal = 'info';
      let message: string;
      let samples = summary.floorSamples;
      if (atCeiling) {
        samples = summary.ceilingSamples;
        message =
          `mastery: ${zeroText()}, ${pct(summary.ceilingFrac)} all at the ceiling ${fmt(summary.ceiling)} ` +
          `(all correct; reward ${fmt(summary.rewardMean)}): the prompts are too easy for the policy and give no gradient`;
      } else if (atFloor && !this.hadSignal) {
        signal = 'collapse';
        message =
          `no learning signal yet: ${zeroText()}, ${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} ` +
          `(all wrong) since the start: the prompts may be too hard or the reward broken`;
      } else if (atFloor) {
        signal = 'collapse';
        message =
          `${zeroText()}, ${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} (all wrong; reward ` +
          `${fmt(summary.rewardMean)}); watching for persistence (${this.collapseRun}/${persistence} steps)` +
          (spreadCollapsed ? '' : ` and a spread below ${fmt(stdRatio * baselineStd)}`);
      } else {
        message = `${zeroText()} (no GRPO gradient from them); neither mostly all-wrong nor mostly all-correct`;
      }
      return { detector, metric, step, value: frac, threshold, active: true, severity: 'info', signal, message, evidence: { stats, samples } };
    }
    return {
      detector,
      metric,
      step,
      value: frac,
      threshold,
      active: false,
      severity: 'info',
      signal: 'info',
      evidence: { stats },
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        return `${zeroText()} (below ${pct(threshold)}): groups carry a learning signal`;
      },
    };
  }
}

/**
 * The evidence statistics that exist: a value not known yet (NaN: no baseline before the first
 * step with a learning signal, no floor or ceiling while every reward so far is equal, no spread
 * from one sample) is left out rather than reported as NaN.
 */
function finiteStats(stats: Record<string, number>): Record<string, number> {
  const known: Record<string, number> = {};
  for (const key in stats) {
    const value = stats[key]!;
    if (Number.isFinite(value)) known[key] = value;
  }
  return known;
}

/** Evidence samples kept per level (floor, ceiling) and step. */
const EVIDENCE_SAMPLES = 5;

/** Settings of {@link GroupSteps}. */
export interface GroupStepsOptions {
  /** Close a group at this many members (else at the end of its step). */
  readonly groupSize?: number | undefined;
  /** Reward floor (all wrong); default: the lowest reward seen so far in the run. */
  readonly floor?: number | undefined;
  /** Reward ceiling (all right); default: the highest reward seen so far in the run. */
  readonly ceiling?: number | undefined;
}

/** Relative tolerance (of the floor-ceiling range) within which a group sits at a level. */
const LEVEL_TOLERANCE = 1e-6;

/**
 * Per-step bookkeeping of GRPO groups from samples: a `GroupAccumulator` (Welford per group,
 * TRL's zero-std test), the step's reward moments, and the run's reward range; a step is
 * summarised when a later step starts (`add` returns the summary) or at `finish()`.
 * Samples are kept as given (`T`) and turned into evidence by `sampleOf` only for the few
 * zero-spread groups a summary cites, not once per sample.
 * Cost: O(1) expected per sample, O(groups) per step; memory O(groups of one step).
 */
export class GroupSteps<T> {
  private readonly groups: GroupAccumulator;
  private readonly configuredFloor: number | undefined;
  private readonly configuredCeiling: number | undefined;
  private readonly sampleOf: (sample: T) => SampleRef;
  private closed: GroupSummary[] = [];
  /** The last sample seen of each open or closed group of the current step, for evidence. */
  private readonly lastSample = new Map<string, T>();
  private step = Number.NaN;
  /** The step's reward moments (scaled kernel: finite at any reward scale). */
  private readonly rewards = new Moments();
  private runMin = Number.POSITIVE_INFINITY;
  private runMax = Number.NEGATIVE_INFINITY;

  /** `sampleOf` turns a kept sample into evidence (called at step close, for cited groups only). */
  constructor(sampleOf: (sample: T) => SampleRef, options: GroupStepsOptions = {}) {
    this.groups = new GroupAccumulator(options.groupSize === undefined ? {} : { expectedSize: options.groupSize });
    this.configuredFloor = options.floor;
    this.configuredCeiling = options.ceiling;
    this.sampleOf = sampleOf;
  }

  /**
   * Adds one finite reward of group `group` at `step`; returns the previous step's summary when
   * `step` starts a new step.
   */
  add(step: number, group: string, value: number, sample: T): GroupStepSummary | undefined {
    let finished: GroupStepSummary | undefined;
    if (step !== this.step) {
      finished = this.finish();
      this.step = step;
    }
    this.rewards.push(value);
    if (value < this.runMin) this.runMin = value;
    if (value > this.runMax) this.runMax = value;
    this.lastSample.set(group, sample);
    const summary = this.groups.add(group, value);
    if (summary !== undefined) this.closed.push(summary);
    return finished;
  }

  /** Closes every open group and summarises the current step (undefined when it had no sample). */
  finish(): GroupStepSummary | undefined {
    if (Number.isNaN(this.step)) return undefined;
    for (const summary of this.groups.closeAll()) this.closed.push(summary);
    const floor = this.configuredFloor ?? this.runMin;
    const ceiling = this.configuredCeiling ?? this.runMax;
    const range = ceiling - floor;
    const known = range > 0;
    const tolerance = known ? LEVEL_TOLERANCE * range : 0;
    let groups = 0;
    let zero = 0;
    let atFloor = 0;
    let atCeiling = 0;
    const floorSamples: SampleRef[] = [];
    const ceilingSamples: SampleRef[] = [];
    for (const summary of this.closed) {
      if (summary.count < 2) continue;
      groups += 1;
      if (!summary.zeroStd) continue;
      zero += 1;
      if (!known) continue;
      const sample = this.lastSample.get(summary.key);
      if (summary.max <= floor + tolerance) {
        atFloor += 1;
        if (sample !== undefined && floorSamples.length < EVIDENCE_SAMPLES) floorSamples.push(this.evidence(sample, summary));
      } else if (summary.min >= ceiling - tolerance) {
        atCeiling += 1;
        if (sample !== undefined && ceilingSamples.length < EVIDENCE_SAMPLES) ceilingSamples.push(this.evidence(sample, summary));
      }
    }
    const result: GroupStepSummary = {
      step: this.step,
      groups,
      zeroStdFrac: groups === 0 ? Number.NaN : zero / groups,
      floorFrac: known && groups > 0 ? atFloor / groups : Number.NaN,
      ceilingFrac: known && groups > 0 ? atCeiling / groups : Number.NaN,
      rewardMean: this.rewards.mean,
      rewardStd: this.rewards.count < 2 ? Number.NaN : this.rewards.std,
      floor: known ? floor : Number.NaN,
      ceiling: known ? ceiling : Number.NaN,
      floorSamples,
      ceilingSamples,
      levels: known ? 'measured' : 'unknown',
    };
    this.closed = [];
    this.lastSample.clear();
    this.step = Number.NaN;
    this.rewards.reset();
    return result;
  }

  /** The evidence of a zero-spread group: its last sample, with the group's mean and spread. */
  private evidence(sample: T, summary: GroupSummary): SampleRef {
    // The same fields in the same order as `{ ...ref, reward, score }`, which takes V8's slow path
    // for each field added after a spread (about 0.5 µs per sample, several samples per step).
    return Object.assign({}, this.sampleOf(sample), { reward: summary.mean, score: summary.std });
  }
}

/** Metrics a step record offers to {@link summarizeGroupRecord}. */
export interface GroupRecordMetrics {
  readonly step: number;
  readonly zeroStdFrac: number | undefined;
  readonly allMinFrac: number | undefined;
  readonly allMaxFrac: number | undefined;
  readonly rewardMean: number | undefined;
  readonly rewardStd: number | undefined;
  readonly rewardMin: number | undefined;
  readonly rewardMax: number | undefined;
}

/**
 * Turns trainer step records into {@link GroupStepSummary}s. The floor and ceiling are the
 * configured ones, else the run's lowest `reward/min` and highest `reward/max`, else the run's
 * lowest and highest step mean. The level fractions are the logged `groups/all_min_frac` and
 * `groups/all_max_frac` when present and consistent (summing to at most 1), otherwise bounds from the mean's position m in
 * [floor, ceiling]: all-right groups can be at most m of all groups and all-wrong ones at most
 * 1 - m, so at least zeroStdFrac - m of the groups are zero-spread at the floor (exact for
 * binary rewards when the remaining groups are split evenly; conservative otherwise).
 */
export class GroupRecordSteps {
  private readonly configuredFloor: number | undefined;
  private readonly configuredCeiling: number | undefined;
  private runMin = Number.POSITIVE_INFINITY;
  private runMax = Number.NEGATIVE_INFINITY;

  constructor(options: Pick<GroupStepsOptions, 'floor' | 'ceiling'> = {}) {
    this.configuredFloor = options.floor;
    this.configuredCeiling = options.ceiling;
  }

  summarize(metrics: GroupRecordMetrics): GroupStepSummary | undefined {
    const frac = metrics.zeroStdFrac;
    const mean = metrics.rewardMean;
    const low = metrics.rewardMin ?? mean;
    const high = metrics.rewardMax ?? mean;
    if (low !== undefined && low < this.runMin) this.runMin = low;
    if (high !== undefined && high > this.runMax) this.runMax = high;
    if (frac === undefined) return undefined;
    const floor = this.configuredFloor ?? this.runMin;
    const ceiling = this.configuredCeiling ?? this.runMax;
    const known = ceiling - floor > 0;
    let floorFrac = Number.NaN;
    let ceilingFrac = Number.NaN;
    let levels: GroupStepSummary['levels'] = 'unknown';
    // Logged fractions that claim more than every group (all-wrong and all-correct at once) were
    // measured against a degenerate level range (a step whose rewards were all equal): estimate.
    if (metrics.allMinFrac !== undefined && metrics.allMaxFrac !== undefined && metrics.allMinFrac + metrics.allMaxFrac <= 1) {
      floorFrac = metrics.allMinFrac;
      ceilingFrac = metrics.allMaxFrac;
      levels = 'logged';
    } else if (known && mean !== undefined) {
      const position = Math.min(1, Math.max(0, (mean - floor) / (ceiling - floor)));
      floorFrac = Math.max(0, frac - position);
      ceilingFrac = Math.max(0, frac - (1 - position));
      levels = 'estimated';
    }
    return {
      step: metrics.step,
      groups: 1,
      zeroStdFrac: frac,
      floorFrac,
      ceilingFrac,
      rewardMean: mean ?? Number.NaN,
      rewardStd: metrics.rewardStd ?? Number.NaN,
      floor: known ? floor : Number.NaN,
      ceiling: known ? ceiling : Number.NaN,
      floorSamples: [],
      ceilingSamples: [],
      levels,
    };
  }
}
