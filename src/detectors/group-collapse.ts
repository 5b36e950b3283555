/**
 * The pure state behind `groupCollapse` and `groupCollapseFromSteps`: one judgement per trainer
 * step of how many GRPO groups had zero within-group spread, and whether they are stuck (all equal
 * below the ceiling: all wrong, or all at one partial reward; no gradient where the policy has
 * not learnt) or solved (all at the ceiling: mastery, the prompts are too easy). No rxjs.
 *
 * Rule (per step, see `GroupCollapseJudge#judge`):
 * - `mostlyZero`: the fraction of groups with zero spread is at least `zeroStdFrac`;
 * - a collapse run: consecutive mostlyZero steps with known levels after the run had a learning
 *   signal (a step that was not mostlyZero);
 * - `collapse` (warning, critical when every group is zero-spread at the floor): the collapse run
 *   has lasted `persistence` steps, its share of stuck groups is significantly above the run's own
 *   share before it (see "Significance" below), AND the step's reward spread fell to `stdRatio` of
 *   its baseline (skipped when no spread is known);
 * - `mastery` (info): mostlyZero AND at least `levelFrac` of the groups at the ceiling AND no more
 *   stuck than solved AND no significant rise in stuck groups; over the collapse run when there is
 *   one (pooled as the test is: one step of a policy that answers each prompt one way is right for
 *   a lucky draw of prompts), else over the step;
 * - otherwise a mostlyZero step is info: "no learning signal yet" (at least `levelFrac` all wrong
 *   before any signal), else, in a collapse run, what a collapse still waits for.
 * The spread is the mean within-group std (TRL's `reward_std` before v0.27), what GRPO's
 * advantages are made of: a policy that answers each prompt one way keeps its batch spread at a
 * mid level. Its baseline is the median of the last `baselineSteps` spreads of steps that were not
 * mostlyZero, so it never follows a collapse down to 0 and recovers from a degenerate start.
 *
 * Why stuck groups, and no majority of them. A zero-spread group gives GRPO no gradient. At the
 * ceiling that costs nothing: the prompt is solved. Anywhere below it the policy answers the prompt
 * one way, not well, and can no longer learn it: the signal is lost on exactly the stuck groups,
 * whether they sit at the floor or at a partial reward. A policy that turned deterministic at a mid
 * level (every group one answer, right for 56% of the prompts and wrong for 44%) has lost the
 * signal on 44% of its prompts; asking for a majority at the floor, as this rule once did, called
 * it mastery because 56% sat at the ceiling. What tells the two apart is not which level holds
 * more groups but whether groups get stuck more often than they did: a run that has learnt its
 * prompts keeps its stuck share (the prompts it never solved), a collapse raises it. So the stuck
 * share is what the test below measures, and mastery is named only when that test finds no rise.
 *
 * Significance. Stuck groups are not rare in themselves: with a success rate p, a group of G
 * binary rewards is all wrong with probability (1 − p)^G, 0.85 at p = 0.02 and G = 8, so a run
 * that solves 2% of its samples has most groups stuck on most steps and an all-stuck step by
 * chance every few steps, while nothing has changed. The question is whether groups are stuck
 * more often than this run's own rate predicts. That rate is the pooled share of stuck groups over
 * the last `baselineSteps` steps whose levels are known, every step counted (the all-wrong start
 * too), not only the steps with a signal, which would select the run's best steps. The steps of
 * the current collapse run join it only when the run ends without having been called a collapse,
 * so a collapse never becomes its own baseline. The collapse run's pooled share (stuck groups /
 * groups over its steps, the last `baselineSteps` of a longer run) must lie `z` standard errors
 * above the baseline share by the two-proportion z-test: both shares are estimates, and a baseline
 * of a few steps proves little. The test is made once per step for as long as a run lasts, so `z`
 * is set for a false alarm per 10^5 steps (4.26, one-sided 1e-5) rather than per test.
 * Groups are independent draws given the policy, so their counts are binomial under "nothing
 * changed". From samples they are counted. A logged fraction (`groupCollapseFromSteps`) does not
 * say how many groups it pools: it counts as the smallest n its values are all multiples of 1/n
 * (`CommonDenominator`; n divides the groups each value pools, so never more trials than there
 * were), else as one group whose outcome is the fraction (a value in [0, 1] with a given mean
 * varies at most as a single Bernoulli does). Either can only make the test slower than the true
 * count would, never make it fire more often. Without logged levels the stuck share of a record is
 * only an interval (see `GroupRecordSteps`): at least zeroStdFrac − m, at most min(zeroStdFrac,
 * 1 − m) for a binary reward, m the mean's position between the levels. Its low end rises toward
 * the truth as mixed groups turn zero-spread, so comparing low ends calls a healthy run that
 * sharpens a collapse (measured: 25% impossible prompts throughout, zero-spread share climbing
 * past 80%: "25% stuck vs 7% before"); so the collapse run counts at the low end and the baseline
 * at the high end, and a rise the log cannot tell from the groups it does not show is no rise.
 */
import type { Condition } from '../core/condition.js';
import type { SampleRef, Severity, AlertSignal } from '../core/types.js';
import { CommonDenominator } from '../kernels/common-denominator.js';
import { GroupAccumulator, type GroupSummary } from '../kernels/group-accumulator.js';
import { Moments } from '../kernels/moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { twoProportionZ } from '../kernels/two-proportion-z.js';
import { fmt, pct } from './select.js';

/** What one step looked like, from samples or from a step record. */
export interface GroupStepSummary {
  readonly step: number;
  /**
   * Groups judged: counted (at least two finite rewards each) for samples; for a step record, the
   * count its logged fraction is known to pool at least (`CommonDenominator`), 1 when unknown.
   */
  readonly groups: number;
  /** Whether `groups` was counted from samples (else inferred for a step record). */
  readonly counted: boolean;
  /** Fraction of groups with zero spread. */
  readonly zeroStdFrac: number;
  /** Fraction of all groups with zero spread at the floor (all wrong); NaN when unknown. */
  readonly floorFrac: number;
  /** Fraction of all groups with zero spread at the ceiling (all right); NaN when unknown. */
  readonly ceilingFrac: number;
  /**
   * Fraction of all groups with zero spread below the ceiling (stuck: all wrong, or all at one
   * partial reward); NaN when unknown.
   */
  readonly stuckFrac: number;
  /** Mean reward of the step (NaN when unknown). */
  readonly rewardMean: number;
  /**
   * Reward spread of the step: the mean within-group std (what GRPO's advantages are made of;
   * from a step record the logged group std, else the batch std); NaN when unknown.
   */
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
  /** Standard errors by which a collapse run's stuck share must exceed the baseline share. */
  readonly z: number;
  readonly collapseSeverity: Severity;
}

const TOTAL = 1 - 1e-9;

/** One step of the stuck-share test. */
interface StuckStep {
  /**
   * Groups counted from samples; NaN for a step record, which counts as the records' count in
   * force when tallied (every record of a run pools as many groups, and the count a log's
   * fractions reveal only grows as more of them are seen).
   */
  readonly groups: number;
  /** Fraction of the groups stuck, counted or logged; NaN when placed from where the mean sits. */
  readonly stuckFrac: number;
  /** Fraction of the groups at the ceiling, likewise. */
  readonly solvedFrac: number;
  readonly zeroStdFrac: number;
  readonly rewardMean: number;
}

/** Stuck groups, groups at the ceiling and groups pooled over some steps. */
interface StuckTally {
  readonly stuck: number;
  readonly solved: number;
  readonly groups: number;
}

const share = (tally: StuckTally): number => (tally.groups > 0 ? tally.stuck / tally.groups : Number.NaN);

/**
 * The last `steps` steps of the stuck-share test. Estimated shares are placed again with the
 * levels in force when tallied: a log without `reward/min`/`reward/max` learns the floor only when
 * the reward first reaches it (often in the collapse itself), and a share estimated earlier against
 * a narrower range would call groups stuck that were not. Cost: O(steps) per tally, per step.
 */
class StuckHistory {
  private entries: StuckStep[] = [];

  constructor(private readonly steps: number) {}

  /** Adds an entry; returns the oldest one when it no longer fits. */
  push(entry: StuckStep): StuckStep | undefined {
    this.entries.push(entry);
    return this.entries.length > this.steps ? this.entries.shift() : undefined;
  }

  /** Moves every entry into `target` (oldest first) and empties this one. */
  drainInto(target: StuckHistory): void {
    for (const entry of this.entries) target.push(entry);
    this.clear();
  }

  clear(): void {
    this.entries = [];
  }

  /**
   * Stuck groups and groups over the entries. An estimated share is an interval (see
   * {@link GroupRecordSteps}): `bound` picks its low end (for the steps under test) or its high end
   * (for the baseline), so a rise the log cannot tell from the groups it does not show is no rise.
   */
  tally(floor: number, ceiling: number, bound: 'low' | 'high', recordGroups: number): StuckTally {
    let stuck = 0;
    let solved = 0;
    let groups = 0;
    for (const entry of this.entries) {
      const weight = Number.isNaN(entry.groups) ? recordGroups : entry.groups;
      if (Number.isNaN(entry.stuckFrac)) {
        // Not placeable while the levels (or the entry's mean) are unknown: left out until they are.
        if (!(ceiling > floor) || !Number.isFinite(entry.rewardMean)) continue;
        const estimate = estimatedLevelFracs(entry.zeroStdFrac, entry.rewardMean, floor, ceiling);
        stuck += (bound === 'low' ? estimate.stuckFrac : estimate.stuckHigh) * weight;
        solved += estimate.ceilingFrac * weight;
      } else {
        stuck += entry.stuckFrac * weight;
        solved += entry.solvedFrac * weight;
      }
      groups += weight;
    }
    return { stuck, solved, groups };
  }
}

export class GroupCollapseJudge {
  private readonly options: GroupCollapseOptions;
  private readonly baseline: RollingQuantiles;
  /** The steps before the current collapse run, for the share of stuck groups. */
  private readonly stuckBaseline: StuckHistory;
  /** The current collapse run's steps (the last `baselineSteps` of them). */
  private readonly stuckRun: StuckHistory;
  private hadSignal = false;
  private collapseRun = 0;
  private firstCollapseStep = Number.NaN;
  /** Whether the current collapse run has been called a collapse (it then never joins the baseline). */
  private called = false;

  constructor(options: GroupCollapseOptions) {
    this.options = options;
    this.baseline = new RollingQuantiles(options.baselineSteps);
    this.stuckBaseline = new StuckHistory(options.baselineSteps);
    this.stuckRun = new StuckHistory(options.baselineSteps);
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
    const levelsKnown = Number.isFinite(summary.stuckFrac);
    // A collapse run: consecutive mostlyZero steps with known levels after a learning signal. The
    // spread does not break it (it only gates the call), so a policy that turned deterministic at a
    // mid level keeps its steps out of the baseline while it waits.
    const inRun = mostlyZero && levelsKnown && this.hadSignal;
    // Placed when tallied if estimated, or if the levels are not known yet: a step before the run's
    // rewards first differ had every reward equal (an all-wrong start), and leaving it out would
    // leave the first step with a success, selected for having one, as the whole baseline.
    const placedLater = summary.levels === 'estimated' || !levelsKnown;
    const stuckStep: StuckStep = {
      groups: summary.counted ? summary.groups : Number.NaN,
      stuckFrac: placedLater ? Number.NaN : summary.stuckFrac,
      solvedFrac: placedLater ? Number.NaN : summary.ceilingFrac,
      zeroStdFrac: frac,
      rewardMean: summary.rewardMean,
    };
    let significant = false;
    // The collapse run and its baseline, tallied once (neither changes again during this step).
    let run: StuckTally | undefined;
    let before: StuckTally | undefined;
    if (inRun) {
      if (this.collapseRun === 0) this.firstCollapseStep = summary.step;
      this.collapseRun += 1;
      // A run longer than the test's window: its oldest step leaves the test and, unless the run was
      // called, joins the baseline like any step that proved nothing, so a long stationary stretch
      // is compared with the steps right before its last ones, not with the few that started it.
      const overflow = this.stuckRun.push(stuckStep);
      if (overflow !== undefined && !this.called) this.stuckBaseline.push(overflow);
      run = this.stuckRun.tally(summary.floor, summary.ceiling, 'low', summary.groups);
      before = this.stuckBaseline.tally(summary.floor, summary.ceiling, 'high', summary.groups);
      significant = twoProportionZ(run.stuck, run.groups, before.stuck, before.groups, true) >= this.options.z;
      if (significant && this.collapseRun >= persistence && spreadCollapsed) this.called = true;
    } else {
      this.collapseRun = 0;
      // A run that never became a collapse was the run's ordinary state: it joins the baseline.
      if (this.called) this.stuckRun.clear();
      else this.stuckRun.drainInto(this.stuckBaseline);
      this.called = false;
    }
    const collapsed = inRun && this.called && spreadCollapsed;
    if (!mostlyZero) {
      this.hadSignal = true;
      if (Number.isFinite(summary.rewardStd)) this.baseline.push(summary.rewardStd);
    }
    if (!inRun) this.stuckBaseline.push(stuckStep);
    const runShare = run === undefined ? Number.NaN : share(run);
    // What a collapse run is judged against (the one this step was, if it is one; NaN before any known levels).
    const baselineShare = share(before ?? this.stuckBaseline.tally(summary.floor, summary.ceiling, 'high', summary.groups));

    const stats = finiteStats({
      groups: summary.groups,
      zeroStdFrac: frac,
      floorFrac: summary.floorFrac,
      ceilingFrac: summary.ceilingFrac,
      stuckFrac: summary.stuckFrac,
      rewardMean: summary.rewardMean,
      rewardStd: summary.rewardStd,
      baselineStd,
      runStuckFrac: runShare,
      baselineStuckFrac: baselineShare,
      floor: summary.floor,
      ceiling: summary.ceiling,
      persistence: this.collapseRun,
    });
    const zeroText = (): string => `${pct(frac)} of ${summary.counted && summary.groups > 1 ? `${summary.groups} ` : ''}groups have identical rewards`;
    const stuckText = (): string => stuckLevelText(summary);
    // Conditions spell out their fields: `{ ...base, more }` costs about a microsecond per object
    // in V8 (the clone takes a slow path for each added field), once per step here.
    // A lazy `message` getter stays last: V8 placed a spread literal's accessors after its data
    // fields, and conditions serialize field for field as they did.
    const step = summary.step;

    if (collapsed) {
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
          `learning signal gone: ${zeroText()}, ${stuckText()}${spreadText}) for ${this.collapseRun} steps since step ` +
          `${this.firstCollapseStep} (${pct(runShare)} of their groups stuck below the ceiling vs ${pct(baselineShare)} before); ` +
          'GRPO gets no gradient',
        evidence: { stats, samples: summary.floorSamples },
      };
    }
    if (mostlyZero) {
      let signal: AlertSignal = 'info';
      let message: string;
      let samples = summary.floorSamples;
      const atFloor = summary.floorFrac >= levelFrac && !(summary.ceilingFrac > summary.floorFrac);
      // Mastery needs levelFrac of the groups solved, no more stuck than solved, and no rise in
      // stuck groups; judged over the collapse run when there is one, as the test is: one step's
      // split of a deterministic policy is noise (a lucky step has most prompts right).
      const solvedShare = run === undefined ? summary.ceilingFrac : run.solved / run.groups;
      const stuckShare = run === undefined ? summary.stuckFrac : runShare;
      if (solvedShare >= levelFrac && !(stuckShare > solvedShare) && !significant) {
        samples = summary.ceilingSamples;
        const pooledSteps = Math.min(this.collapseRun, this.options.baselineSteps);
        const pooledText = run !== undefined && pooledSteps > 1 ? `, ${pct(solvedShare)} over the last ${pooledSteps} steps` : '';
        message =
          `mastery: ${zeroText()}, ${pct(summary.ceilingFrac)} all at the ceiling ${fmt(summary.ceiling)} ` +
          `(all correct; reward ${fmt(summary.rewardMean)})${pooledText}: the prompts are too easy for the policy and give no gradient`;
      } else if (atFloor && !this.hadSignal) {
        signal = 'collapse';
        message =
          `no learning signal yet: ${zeroText()}, ${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} ` +
          `(all wrong) since the start: the prompts may be too hard or the reward broken`;
      } else if (inRun) {
        signal = 'collapse';
        const awaited: string[] = [];
        if (this.collapseRun < persistence) awaited.push(`persistence (${this.collapseRun}/${persistence} steps)`);
        if (!spreadCollapsed) awaited.push(`a spread below ${fmt(stdRatio * baselineStd)}`);
        if (!significant) {
          awaited.push(
            `more stuck groups than ${Number.isFinite(baselineShare) ? `the ${pct(baselineShare)} ` : ''}before` +
              ` (${pct(runShare)} over ${this.collapseRun} steps)`,
          );
        }
        message = `${zeroText()}, ${stuckText()}); watching for ${awaited.join(' and ')}`;
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
 * Where a step's stuck groups sit, up to the reward (an open parenthesis the caller closes):
 * "all at the floor" when every stuck group is known to be there (counted or logged at the floor;
 * for an estimate only when the mean itself sits at the floor), else "all equal below the ceiling".
 */
function stuckLevelText(summary: GroupStepSummary): string {
  const atFloorOnly = summary.levels === 'estimated' ? summary.rewardMean <= summary.floor : summary.floorFrac >= summary.stuckFrac;
  if (atFloorOnly) return `${pct(summary.floorFrac)} all at the floor ${fmt(summary.floor)} (all wrong; reward ${fmt(summary.rewardMean)}`;
  const floorText = summary.levels === 'estimated' ? '' : `${pct(summary.floorFrac)} all wrong; `;
  return `${pct(summary.stuckFrac)} all equal below the ceiling ${fmt(summary.ceiling)} (${floorText}reward ${fmt(summary.rewardMean)}`;
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
    // A running mean, not a sum: the stds of groups near 1e308 must not overflow on the way.
    let groupStd = 0;
    const floorSamples: SampleRef[] = [];
    const ceilingSamples: SampleRef[] = [];
    for (const summary of this.closed) {
      if (summary.count < 2) continue;
      groups += 1;
      groupStd += (summary.std - groupStd) / groups;
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
      counted: true,
      zeroStdFrac: groups === 0 ? Number.NaN : zero / groups,
      floorFrac: known && groups > 0 ? atFloor / groups : Number.NaN,
      ceilingFrac: known && groups > 0 ? atCeiling / groups : Number.NaN,
      stuckFrac: known && groups > 0 ? (zero - atCeiling) / groups : Number.NaN,
      rewardMean: this.rewards.mean,
      rewardStd: groups === 0 ? Number.NaN : groupStd,
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
 * `groups/all_max_frac` when present and consistent (summing to at most 1; stuck = zero-spread
 * minus all-max), otherwise estimated from the mean's position m in [floor, ceiling] (0 at the
 * floor, 1 at the ceiling). Every group sits at or above the floor, so the groups at the ceiling
 * are at most m of all groups, and at least zeroStdFrac − m of them are stuck (zero spread below
 * the ceiling), whatever the reward's levels. For a two-level (binary) reward the stuck groups are
 * the all-wrong ones, and at least zeroStdFrac − (1 − m) sit at the ceiling; with every group
 * zero-spread both are exact. The run's highest step mean lies at or below the per-sample ceiling
 * (TRL logs no `reward/max`): m is then overstated, which understates the stuck share (safe for a
 * collapse) and overstates the ceiling share (why mastery also needs the stuck-share test; a
 * deterministic policy's luckiest step sets this ceiling). The run's lowest step mean likewise lies
 * at or above the floor; a run usually reaches the floor in some step (an all-wrong start, the
 * collapse itself). The number of groups is the count the logged fractions are all multiples of
 * ({@link CommonDenominator}), 1 while unknown.
 */
export class GroupRecordSteps {
  private readonly configuredFloor: number | undefined;
  private readonly configuredCeiling: number | undefined;
  private runMin = Number.POSITIVE_INFINITY;
  private runMax = Number.NEGATIVE_INFINITY;
  private readonly denominator = new CommonDenominator();

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
    this.denominator.push(frac);
    const floor = this.configuredFloor ?? this.runMin;
    const ceiling = this.configuredCeiling ?? this.runMax;
    const known = ceiling - floor > 0;
    let floorFrac = Number.NaN;
    let ceilingFrac = Number.NaN;
    let stuckFrac = Number.NaN;
    let levels: GroupStepSummary['levels'] = 'unknown';
    // Logged fractions that claim more than every group (all-wrong and all-correct at once) were
    // measured against a degenerate level range (a step whose rewards were all equal): estimate.
    if (metrics.allMinFrac !== undefined && metrics.allMaxFrac !== undefined && metrics.allMinFrac + metrics.allMaxFrac <= 1) {
      floorFrac = metrics.allMinFrac;
      ceilingFrac = metrics.allMaxFrac;
      stuckFrac = Math.max(metrics.allMinFrac, frac - metrics.allMaxFrac);
      levels = 'logged';
    } else if (known && mean !== undefined) {
      // A group placed stuck sits at the floor (exactly so for a two-level reward).
      ({ ceilingFrac, stuckFrac } = estimatedLevelFracs(frac, mean, floor, ceiling));
      floorFrac = stuckFrac;
      levels = 'estimated';
    }
    return {
      step: metrics.step,
      groups: this.denominator.count,
      counted: false,
      zeroStdFrac: frac,
      floorFrac,
      ceilingFrac,
      stuckFrac,
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
 * The level fractions of all groups estimated from the fraction `zeroStdFrac` of zero-spread
 * groups and where the mean sits between the levels (see {@link GroupRecordSteps}): stuck at least
 * zeroStdFrac − m and, for a two-level reward, at most min(zeroStdFrac, 1 − m); floor as stuck
 * (exact for a two-level reward); ceiling at least zeroStdFrac − (1 − m).
 */
function estimatedLevelFracs(
  zeroStdFrac: number,
  mean: number,
  floor: number,
  ceiling: number,
): { ceilingFrac: number; stuckFrac: number; stuckHigh: number } {
  const position = Math.min(1, Math.max(0, (mean - floor) / (ceiling - floor)));
  return {
    ceilingFrac: Math.max(0, zeroStdFrac - (1 - position)),
    stuckFrac: Math.max(0, zeroStdFrac - position),
    stuckHigh: Math.min(zeroStdFrac, 1 - position),
  };
}
