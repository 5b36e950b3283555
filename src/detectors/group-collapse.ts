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
 *   before (a step that was not mostlyZero), held on `persistence` consecutive steps, AND over
 *   those steps the share of groups all at the floor is significantly above the run's own share
 *   before them (see "Significance" below);
 * - `mastery` (info): mostlyZero AND at least `levelFrac` of the groups sit at the ceiling;
 * - otherwise a mostlyZero step is info (no gradient from most groups, level undetermined or mixed),
 *   and any other step is an inactive condition.
 * The spread baseline is the median of the last `baselineSteps` spreads of steps that were not
 * mostlyZero, so it never follows a collapse down to 0 and recovers from a degenerate start.
 *
 * Significance. Zero spread at the floor is not rare in itself: with a success rate p, a group of
 * G binary rewards is all wrong with probability (1 − p)^G, 0.85 at p = 0.02 and G = 8, so a run
 * that solves 2% of its samples has most groups at the floor on most steps and an all-wrong step by
 * chance every few steps, while nothing has changed. The question is whether groups sit at the
 * floor more often than this run's own rate predicts. That rate is the pooled share of all-wrong
 * groups over the last `baselineSteps` steps whose levels are known, every step counted (the
 * all-wrong start too), not only the steps with a signal, which would select the run's best
 * steps. The steps of the current collapse run join it only when the run ends without having been
 * called a collapse, so a collapse never becomes its own baseline. The collapse run's pooled share
 * (all-wrong groups / groups over its steps, the last `baselineSteps` of a longer run) must lie
 * `z` standard errors above the baseline share by the two-proportion z-test: both shares are
 * estimates, and a baseline of a few steps proves little. Groups are independent draws given the
 * policy, so their counts are binomial under "nothing changed"; a logged fraction
 * (`groupCollapseFromSteps`) hides how many groups it counts and is taken as one group whose
 * outcome is the fraction: a value in [0, 1] with a given mean varies at most as a single
 * Bernoulli does, so this can only make the test slower, never make it fire more often. The test
 * is made once per step for as long as a run lasts, so `z` is set for a false alarm per 10^5
 * steps (4.26, one-sided 1e-5) rather than per test.
 */
import type { Condition } from '../core/condition.js';
import type { SampleRef, Severity, AlertSignal } from '../core/types.js';
import { GroupAccumulator, type GroupSummary } from '../kernels/group-accumulator.js';
import { Moments } from '../kernels/moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { twoProportionZ } from '../kernels/two-proportion-z.js';
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
  /** Standard errors by which a collapse run's floor share must exceed the baseline share. */
  readonly z: number;
  readonly collapseSeverity: Severity;
}

const TOTAL = 1 - 1e-9;

/** One step of the floor-share test. */
interface FloorStep {
  readonly groups: number;
  /** Groups all at the floor, counted or logged; NaN when estimated from where the mean sits. */
  readonly atFloor: number;
  readonly zeroStdFrac: number;
  readonly rewardMean: number;
}

/** All-wrong groups and groups pooled over some steps. */
interface FloorTally {
  readonly atFloor: number;
  readonly groups: number;
}

const share = (tally: FloorTally): number => (tally.groups > 0 ? tally.atFloor / tally.groups : Number.NaN);

/**
 * The last `steps` steps of the floor-share test. Estimated shares are placed again with the
 * levels in force when tallied: a log without `reward/min`/`reward/max` learns the floor only when
 * the reward first reaches it (often in the collapse itself), and a share estimated earlier against
 * a narrower range would call groups all wrong that were not. Cost: O(steps) per tally, per step.
 */
class FloorHistory {
  private entries: FloorStep[] = [];

  constructor(private readonly steps: number) {}

  push(entry: FloorStep): void {
    this.entries.push(entry);
    if (this.entries.length > this.steps) this.entries.shift();
  }

  /** Moves every entry into `target` (oldest first) and empties this one. */
  drainInto(target: FloorHistory): void {
    for (const entry of this.entries) target.push(entry);
    this.clear();
  }

  clear(): void {
    this.entries = [];
  }

  tally(floor: number, ceiling: number): FloorTally {
    let atFloor = 0;
    let groups = 0;
    for (const entry of this.entries) {
      const counted = Number.isNaN(entry.atFloor)
        ? estimatedLevelFracs(entry.zeroStdFrac, entry.rewardMean, floor, ceiling).floorFrac * entry.groups
        : entry.atFloor;
      atFloor += counted;
      groups += entry.groups;
    }
    return { atFloor, groups };
  }
}

export class GroupCollapseJudge {
  private readonly options: GroupCollapseOptions;
  private readonly baseline: RollingQuantiles;
  /** The steps before the current collapse run, for the share of all-wrong groups. */
  private readonly floorBaseline: FloorHistory;
  /** The current collapse run's steps (the last `baselineSteps` of them). */
  private readonly floorRun: FloorHistory;
  private hadSignal = false;
  private collapseRun = 0;
  private firstCollapseStep = Number.NaN;
  /** Whether the current collapse run has been called a collapse (it then never joins the baseline). */
  private called = false;

  constructor(options: GroupCollapseOptions) {
    this.options = options;
    this.baseline = new RollingQuantiles(options.baselineSteps);
    this.floorBaseline = new FloorHistory(options.baselineSteps);
    this.floorRun = new FloorHistory(options.baselineSteps);
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
    const floorStep: FloorStep = {
      groups: summary.groups,
      atFloor: summary.levels === 'estimated' ? Number.NaN : summary.floorFrac * summary.groups,
      zeroStdFrac: frac,
      rewardMean: summary.rewardMean,
    };
    let significant = false;
    // The collapse run and its baseline, tallied once (neither changes again during this step).
    let run: ReturnType<FloorHistory['tally']> | undefined;
    let before: ReturnType<FloorHistory['tally']> | undefined;
    if (collapsing) {
      if (this.collapseRun === 0) this.firstCollapseStep = summary.step;
      this.collapseRun += 1;
      this.floorRun.push(floorStep);
      run = this.floorRun.tally(summary.floor, summary.ceiling);
      before = this.floorBaseline.tally(summary.floor, summary.ceiling);
      significant = twoProportionZ(run.atFloor, run.groups, before.atFloor, before.groups) >= this.options.z;
      if (significant && this.collapseRun >= persistence) this.called = true;
    } else {
      this.collapseRun = 0;
      // A run that never became a collapse was the run's ordinary state: it joins the baseline.
      if (this.called) this.floorRun.clear();
      else this.floorRun.drainInto(this.floorBaseline);
      this.called = false;
    }
    if (!mostlyZero) {
      this.hadSignal = true;
      if (Number.isFinite(summary.rewardStd)) this.baseline.push(summary.rewardStd);
    }
    if (!collapsing && Number.isFinite(summary.floorFrac)) this.floorBaseline.push(floorStep);
    const runShare = run === undefined ? Number.NaN : share(run);
    // What a collapse run is judged against (the one this step was, if it is one; NaN before any known levels).
    const baselineShare = share(before ?? this.floorBaseline.tally(summary.floor, summary.ceiling));

    const stats = finiteStats({
      groups: summary.groups,
      zeroStdFrac: frac,
      floorFrac: summary.floorFrac,
      ceilingFrac: summary.ceilingFrac,
      rewardMean: summary.rewardMean,
      rewardStd: summary.rewardStd,
      baselineStd,
      runFloorFrac: runShare,
      baselineFloorFrac: baselineShare,
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

    if (collapsing && this.called) {
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
          `${this.firstCollapseStep} (${pct(runShare)} of their groups all wrong vs ${pct(baselineShare)} before); ` +
          'GRPO gets no gradient',
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
        const awaited: string[] = [];
        if (this.collapseRun < persistence) awaited.push(`persistence (${this.collapseRun}/${persistence} steps)`);
        if (!spreadCollapsed) awaited.push(`a spread below ${fmt(stdRatio * baselineStd)}`);
        if (!significant) {
          awaited.push(
            `more all-wrong groups than ${Number.isFinite(baselineShare) ? `the ${pct(baselineShare)} ` : ''}before` +
              (collapsing ? ` (${pct(runShare)} over ${this.collapseRun} steps)` : ''),
          );
        }
        message =
          `${zeroText()}, ${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} (all wrong; reward ` +
          `${fmt(summary.rewardMean)}); watching for ${awaited.join(' and ')}`;
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
      ({ floorFrac, ceilingFrac } = estimatedLevelFracs(frac, mean, floor, ceiling));
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

/**
 * Bounds on the fractions of all groups zero-spread at the floor and at the ceiling from the
 * fraction `zeroStdFrac` of zero-spread groups and where the mean sits between the levels (see
 * {@link GroupRecordSteps}).
 */
function estimatedLevelFracs(zeroStdFrac: number, mean: number, floor: number, ceiling: number): { floorFrac: number; ceilingFrac: number } {
  const position = Math.min(1, Math.max(0, (mean - floor) / (ceiling - floor)));
  return { floorFrac: Math.max(0, zeroStdFrac - position), ceilingFrac: Math.max(0, zeroStdFrac - (1 - position)) };
}
