/**
 * The pure state behind `distributionDrift`: a two-sample KS test of a recent window of lengths
 * against the window before it (a lagging reference, held while a drift lasts), judged once per
 * trainer step with the reward context of that step. No rxjs.
 *
 * Rule (per step, once both windows are full):
 * - drift: KS D > the critical value at `alpha` (Kolmogorov limit, O(1)) AND the recent mean moved
 *   by at least `minChange` of the reference mean (an effect-size floor: with 10^4 samples any
 *   difference is significant). On a drift the exact/asymptotic p-value and the Wasserstein-1
 *   distance are computed for the evidence (only then: they cost O(n) and O(M)).
 * - While a drift lasts, values leaving the recent window are not moved into the reference, so the
 *   reference stays the distribution before the drift and the episode ends when lengths come back
 *   (a lagging reference would swallow a lasting drift after `reference` values).
 * - exploit (warning 'exploit'): an upward drift without gain: the true component (when known) did
 *   not rise while the proxy reward rose and the reward beyond the true component moves with the
 *   length step by step (the proxy's step-to-step changes regressed on the mean length's, the true
 *   component's held fixed, over the last `couplingSteps` steps: slope > 0 by `couplingT` standard
 *   errors; see {@link LengthCoupling}; with sample input also among the samples of each step, when
 *   that slope times the rise of the mean length buys at least half the reward's gain; see
 *   {@link WithinStepCoupling}), or the true component fell (a significant fall, by
 *   `gainFloor` of its range) while the proxy did not; with no true component, the proxy reward
 *   is flat (no significant gain, and its rise since the drift began, over every step since, under
 *   `gainFloor` of its observed range: a curve still climbing under its noise is not flat) and sits
 *   in the top `1 - highFrac` of its observed range ("reward flat at 0.93 while mean length rose"),
 *   or it gained and follows the length step after step (the coupling above on ranks, so one step
 *   where both jumped, a better and longer strategy arriving, does not carry it) or within steps. A gain = the mean
 *   of the last `gainRecent` steps above the mean of the `gainReference` steps before by
 *   `tCritical` Welch standard errors AND by `gainFloor` of the observed range of step means (units
 *   never matter).
 * - never an exploit when the reward is the true component alone (`rewardIsTrue`: so far the
 *   reward has equalled the true component times one constant weight, sample by sample or step by
 *   step, to 0.1%, as a lone `accuracy_reward`; see {@link RewardIsTruth}). Length drift is an exploit
 *   signature when length buys reward the task does not confirm, i.e. when the reward has a part
 *   besides the true component (a length or format bonus, a reward model) that longer answers can
 *   earn. A verifier-only reward has no such part: the proxy IS the truth, so "the truth did not gain
 *   while the proxy stayed high" reduces to "the reward did not gain significantly and sits in the
 *   top quarter of its range", which is what every saturating learning curve looks like (R1-zero
 *   style runs grow their answers 2-3x while accuracy climbs and flattens). There is no gap between
 *   proxy and truth for length to exploit, so the drift is info. Statistically, the exploit test
 *   compares two series; with one series it is a test of "no significant recent gain", whose
 *   failure to reject is absence of evidence, not evidence of a stall. Once another component
 *   pays (a length bonus switched on mid-run, a reward model beside a logged gold score), the
 *   usual rule applies from then on. Judged by value, not by the component names: a run that logs
 *   one gold component beside a reward-model reward has one component but a proxy that is not it.
 *   With no component names at all (verl's `critic/score`) nothing says the reward is a verifier, so the
 *   proxy rule stays.
 * - any other drift: info ('info', "length drifting"); otherwise an inactive condition.
 * Cost per value: O(1) with IntegerKsTree (the step's statistic then refreshes the k lengths touched
 * since the last one in O(min(k·log M, M))) or O(log w + B) with ValueKsBlocks (blocks of B = 64);
 * per step O(gainReference + gainRecent) for the gain, plus the p-value, W1 and the length coupling
 * (O(couplingSteps)) while drifting.
 */
import type { Condition } from '../core/condition.js';
import type { SampleRef } from '../core/types.js';
import { ksCriticalValue, ksTwoSamplePValue } from '../kernels/ks-p-value.js';
import type { IncrementalKs } from '../kernels/ks-sliding-windows.js';
import { SlidingKsWindows } from '../kernels/ks-sliding-windows.js';
import { addCoMoments, zeroCoMoments, type WithinGroupCoMoments } from '../kernels/co-moments.js';
import { partialSlope, partialSlopeOfMoments, type CoMoments, type PartialSlope } from '../kernels/partial-slope.js';
import { averageRanks } from '../kernels/ranks.js';
import { finiteT, fmt, pct, tOf } from './select.js';

export interface DistributionDriftOptions {
  readonly detector: string;
  readonly metric: string;
  readonly reference: number;
  readonly recent: number;
  readonly alpha: number;
  readonly minChange: number;
  readonly gainReference: number;
  readonly gainRecent: number;
  readonly tCritical: number;
  readonly gainFloor: number;
  readonly highFrac: number;
  /** Steps whose changes test whether the reward beyond the true component moves with the length. */
  readonly couplingSteps: number;
  /** The coupling's critical t (higher than a single test's: it is tested at every drifting step). */
  readonly couplingT: number;
  /** Unit of the values for messages ('tokens'). */
  readonly unit: string;
}

/** What one step looked like beside its lengths. */
export interface DriftStep {
  readonly step: number;
  /** Mean of the step's values (its mean length). */
  readonly mean: number;
  /** Mean proxy reward of the step (undefined when unknown). */
  readonly proxy: number | undefined;
  /** Mean of the true component at this step (undefined when unknown or none). */
  readonly truth: number | undefined;
  /** Name of the true component, when there is one. */
  readonly trueName: string | undefined;
  /**
   * Whether the reward has been the true component alone so far (a verifier-only reward: nothing
   * but the true component can pay for length; see {@link RewardIsTruth}). Default false.
   */
  readonly rewardIsTrue?: boolean;
  /** Up to 5 samples of the step (the longest), as evidence. */
  readonly samples?: readonly SampleRef[];
  /**
   * The step's samples (length x, reward y, true component z or 0) as co-moments within each
   * prompt group, for the within-step regression of reward on length (sample input).
   */
  readonly within?: WithinGroupCoMoments;
}

/** Steps past `gainRecent` that the flat test's "since the drift began" window can reach. */
const FLAT_EXTRA = 20;

/** A ring of per-step values with the run's observed range. */
class StepSeries {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  /** Values pushed since the hold (the episode's steps after its first `recent`). */
  private sinceHold = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** `reference` values form a "before" window; the ring keeps `recent + FLAT_EXTRA` more. */
  constructor(
    private readonly reference: number,
    recent: number,
  ) {
    this.ring = new Float64Array(reference + recent + FLAT_EXTRA);
  }

  push(value: number): void {
    this.ring[this.head] = value;
    this.head = this.head + 1 === this.ring.length ? 0 : this.head + 1;
    if (this.count < this.ring.length) this.count++;
    if (this.held !== undefined) this.sinceHold++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** The "before" window held at the onset of a drift episode (undefined when not held). */
  private held: { mean: number; varianceOfMean: number } | undefined;

  /** Holds the current "before" window (the values before the last `recent`) until `release()`. */
  hold(recent: number): void {
    if (this.held === undefined && this.count - recent >= 2) {
      this.held = this.before(recent);
      this.sinceHold = 0;
    }
  }

  release(): void {
    this.held = undefined;
  }

  private window(from: number, n: number): { mean: number; varianceOfMean: number } {
    const start = this.count < this.ring.length ? 0 : this.head;
    return meanVar((i) => this.ring[(start + i) % this.ring.length]!, from, n);
  }

  /** The (up to) `reference` values before the last `recent`. */
  private before(recent: number): { mean: number; varianceOfMean: number } {
    const end = this.count - recent;
    const from = Math.max(0, end - this.reference);
    return this.window(from, end - from);
  }

  /**
   * Rise of the last `recent` values over the values before them (or over the held window, so a
   * gain that came with the drift still counts after it leaves the lagging window), with its Welch t.
   */
  trend(recent: number): { before: number; after: number; rise: number; se: number; t: number } | undefined {
    const older = this.count - recent;
    if (older < 2) return undefined;
    const before = this.held ?? this.before(recent);
    const after = this.window(older, recent);
    const rise = after.mean - before.mean;
    const se = Math.sqrt(before.varianceOfMean + after.varianceOfMean);
    return { before: before.mean, after: after.mean, rise, se, t: tOf(rise, se) };
  }

  /**
   * `trend` over every value since the drift began (at least `recent`, at most what the ring
   * keeps): "no change" needs data to be shown, and an episode brings more of it each step.
   */
  trendSinceHold(recent: number): ReturnType<StepSeries['trend']> {
    const since = this.held === undefined ? recent : Math.min(recent + this.sinceHold, this.count - 2);
    return this.trend(since);
  }

  get range(): number {
    return this.max - this.min;
  }
}

/**
 * Whether the reward moves with the length beyond what its true component explains: the last
 * `size` steps' mean length, proxy and true component, and the least-squares slope of the proxy's
 * step-to-step changes on the mean length's, the true component's changes held fixed.
 *
 * Differences, not levels: two series that both trend (answers growing while a format bonus
 * saturates) correlate in levels whatever pays for what; their step-to-step changes correlate only
 * when one moves the other. A length bonus or a reward model that likes length pays more in the
 * steps whose batches ran longer, so its changes follow the batch's length noise; a saturated
 * format bonus or a slowly learning task does not. Holding the true component fixed keeps a task
 * whose accuracy depends on length (truncated answers fail) out of it. O(size) per call.
 */
class LengthCoupling {
  private readonly length: Float64Array;
  private readonly proxy: Float64Array;
  private readonly truth: Float64Array;
  private readonly dLength: Float64Array;
  private readonly dProxy: Float64Array;
  private readonly dTruth: Float64Array;
  private readonly rLength: Float64Array;
  private readonly rProxy: Float64Array;
  private readonly rTruth: Float64Array;
  private head = 0;
  private count = 0;

  constructor(size: number) {
    this.length = new Float64Array(size);
    this.proxy = new Float64Array(size);
    this.truth = new Float64Array(size);
    this.dLength = new Float64Array(size - 1);
    this.dProxy = new Float64Array(size - 1);
    this.dTruth = new Float64Array(size - 1);
    this.rLength = new Float64Array(size - 1);
    this.rProxy = new Float64Array(size - 1);
    this.rTruth = new Float64Array(size - 1);
  }

  /** One step's mean length, proxy and true component (NaN when unknown). */
  push(length: number, proxy: number, truth: number): void {
    this.length[this.head] = length;
    this.proxy[this.head] = proxy;
    this.truth[this.head] = truth;
    this.head = this.head + 1 === this.length.length ? 0 : this.head + 1;
    if (this.count < this.length.length) this.count++;
  }

  /**
   * The slope of the proxy's changes on the length's over consecutive known steps (the true
   * component's held fixed when `withTruth`), or undefined with fewer than `MIN_CHANGES` of them:
   * the least-squares slope (reward per unit of length) and its t, and `rankT`, the t of the same
   * regression on the changes' ranks (a partial Spearman correlation). One step where reward and
   * length jumped together (a ramp, or a new strategy that is longer and better) can carry `t`
   * alone; it moves `rankT` no more than any other step, so `rankT` asks whether the reward
   * follows the length step after step, as a length bonus or a length-loving reward model makes it.
   */
  measure(withTruth: boolean): (PartialSlope & { readonly rankT: number; readonly changes: number }) | undefined {
    const size = this.length.length;
    const start = this.count < size ? 0 : this.head;
    let m = 0;
    for (let i = 1; i < this.count; i++) {
      const a = (start + i - 1) % size;
      const b = (start + i) % size;
      const dProxy = this.proxy[b]! - this.proxy[a]!;
      const dTruth = this.truth[b]! - this.truth[a]!;
      if (Number.isNaN(dProxy) || (withTruth && Number.isNaN(dTruth))) continue;
      this.dLength[m] = this.length[b]! - this.length[a]!;
      this.dProxy[m] = dProxy;
      this.dTruth[m] = dTruth;
      m++;
    }
    if (m < MIN_CHANGES) return undefined;
    const fit = partialSlope(this.dLength, this.dProxy, m, withTruth ? this.dTruth : undefined);
    const ranked = partialSlope(
      averageRanks(this.dLength, m, this.rLength),
      averageRanks(this.dProxy, m, this.rProxy),
      m,
      withTruth ? averageRanks(this.dTruth, m, this.rTruth) : undefined,
    );
    return { ...fit, rankT: ranked.t, changes: m };
  }
}

/**
 * Whether the reward follows the length among the samples of one step: the regression of each
 * sample's reward on its length (the true component held fixed), one intercept per prompt group
 * of each step (see `WithinGroupCoMoments`), pooled over the last `size` steps of sample input.
 * Samples of one step share the policy and the batch, so this asks the question of {@link LengthCoupling} with a thousand samples instead of twenty
 * step means: a reward model's length bias or a noisy length bonus shows here long before it
 * shows in step-to-step noise. O(size) per call.
 */
class WithinStepCoupling {
  private readonly steps: ({ readonly moments: CoMoments; readonly n: number; readonly groups: number; readonly zz: number } | undefined)[];
  private head = 0;

  constructor(size: number) {
    this.steps = new Array<undefined>(size).fill(undefined);
  }

  push(within: WithinGroupCoMoments | undefined): void {
    this.steps[this.head] =
      within === undefined || within.n < 2 ? undefined : { moments: within.pooled(), n: within.n, groups: within.groups, zz: within.zz };
    this.head = this.head + 1 === this.steps.length ? 0 : this.head + 1;
  }

  /** The pooled within-step slope of reward on length and its t, or undefined without samples. */
  measure(withTruth: boolean): (PartialSlope & { readonly samples: number }) | undefined {
    const total = zeroCoMoments();
    let zz = 0;
    let samples = 0;
    let groups = 0;
    for (const step of this.steps) {
      if (step === undefined) continue;
      addCoMoments(total, step.moments);
      zz += step.zz;
      samples += step.n;
      groups += step.groups;
    }
    if (samples === 0) return undefined;
    const withZ = withTruth && total.szz > 1e-12 * zz;
    // One intercept per group: those degrees of freedom are spent before the slopes'.
    const fit = partialSlopeOfMoments(total, withZ, samples - groups - (withZ ? 2 : 1));
    return { ...fit, samples };
  }
}

/** "(+0.06 per 100 tokens, rank t 4.8 over 19 step changes)": a coupling's slope and strength. */
function couplingEvidence(slope: number, t: number, tName: string, changes: number, unit: string): string {
  const strength = Number.isFinite(t) ? `${tName} ${fmt(t)}` : 'an exact fit';
  return `(+${fmt(100 * slope)} per 100 ${unit}, ${strength} over ${String(changes)} step changes)`;
}

/** Share of the proxy's gain the within-step slope must buy through the length rise. */
const WITHIN_SHARE = 0.5;

/** Fewest step-to-step changes {@link LengthCoupling} judges (5 residual degrees of freedom). */
const MIN_CHANGES = 8;

/** Relative tolerance of {@link RewardIsTruth}: logs print 4+ significant digits, sums add float noise. */
const SAME_REWARD = 1e-3;

/**
 * Whether a reward has been its true component times one constant weight at every pair seen
 * (`reward = w · truth`, TRL's `reward_weights`): sticky false from the first pair that differs by
 * more than 0.1% (another part paid, or the reward is a score of its own). O(1) per pair.
 *
 * @example
 * const same = new RewardIsTruth();
 * same.add(0.5, 0.5); same.add(0, 0); same.value; // true
 * same.add(0.6, 0.5); same.value;                 // false from now on
 */
export class RewardIsTruth {
  private weight = Number.NaN;
  private differs = false;
  private seen = false;

  add(reward: number, truth: number): void {
    if (this.differs) return;
    this.seen = true;
    if (truth === 0) {
      if (Math.abs(reward) > 1e-12) this.differs = true;
      return;
    }
    if (Number.isNaN(this.weight)) {
      this.weight = reward / truth;
      if (this.weight === 0) this.differs = true;
      return;
    }
    const expected = this.weight * truth;
    if (Math.abs(reward - expected) > SAME_REWARD * Math.max(Math.abs(reward), Math.abs(expected)) + 1e-12) this.differs = true;
  }

  /** True when at least one pair was seen and all agreed. */
  get value(): boolean {
    return this.seen && !this.differs;
  }
}

/** Most p-values {@link DistributionDriftJudge} remembers (a drift episode revisits a few dozen D values). */
const P_VALUE_MEMO = 128;

function meanVar(at: (i: number) => number, from: number, n: number): { mean: number; varianceOfMean: number } {
  let sum = 0;
  for (let i = from; i < from + n; i++) sum += at(i);
  const mean = sum / n;
  let m2 = 0;
  for (let i = from; i < from + n; i++) m2 += (at(i) - mean) ** 2;
  return { mean, varianceOfMean: n > 1 ? m2 / (n - 1) / n : 0 };
}

export class DistributionDriftJudge {
  private readonly options: DistributionDriftOptions;
  private readonly windows: SlidingKsWindows;
  private referenceSum = 0;
  private recentSum = 0;
  private frozen = false;
  private readonly proxy: StepSeries;
  private readonly truth: StepSeries;
  private readonly coupling: LengthCoupling;
  private readonly within: WithinStepCoupling;
  /** The first step judged: an episode is dated from it when no step ever sat near the reference. */
  private firstStep = Number.NaN;
  /** The last step whose mean length sat near the reference mean: a drift episode is dated from it. */
  private lastCalmStep = Number.NaN;
  private episodeStart = Number.NaN;
  private episodeFrom = Number.NaN;
  /**
   * Exact p-values of the current window sizes by the lattice value of D (D·nRef·nRec is an
   * integer): a drift episode judges every step and keeps returning to the same few D values,
   * each of which costs up to ~3 ms exactly (1024 vs 256 values). Bounded: cleared when full.
   */
  private readonly pValues = new Map<number, number>();
  private memoRef = 0;
  private memoRec = 0;

  constructor(kernel: IncrementalKs, options: DistributionDriftOptions) {
    this.options = options;
    this.windows = new SlidingKsWindows(kernel, { referenceSize: options.reference, recentSize: options.recent });
    this.proxy = new StepSeries(options.gainReference, options.gainRecent);
    this.truth = new StepSeries(options.gainReference, options.gainRecent);
    this.coupling = new LengthCoupling(options.couplingSteps);
    this.within = new WithinStepCoupling(options.couplingSteps);
  }

  /** Adds one finite value to the recent window (the evicted one moves to the reference unless held). */
  push(value: number): void {
    const evicted = this.windows.pushRecent(value);
    this.recentSum += value;
    if (Number.isNaN(evicted)) return;
    this.recentSum -= evicted;
    if (this.frozen) return;
    const dropped = this.windows.pushReference(evicted);
    this.referenceSum += evicted;
    if (!Number.isNaN(dropped)) this.referenceSum -= dropped;
  }

  /** Judges the step that just ended; undefined while the windows fill. */
  judge(summary: DriftStep): Condition | undefined {
    const o = this.options;
    if (summary.proxy !== undefined) this.proxy.push(summary.proxy);
    if (summary.truth !== undefined) this.truth.push(summary.truth);
    this.coupling.push(summary.mean, summary.proxy ?? Number.NaN, summary.truth ?? Number.NaN);
    this.within.push(summary.within);
    if (Number.isNaN(this.firstStep)) this.firstStep = summary.step;
    const windows = this.windows;
    if (windows.referenceLength < o.reference || windows.recentLength < o.recent) return undefined;
    const kernel = windows.kernel;
    const nRef = windows.referenceLength;
    const nRec = windows.recentLength;
    const d = kernel.statistic();
    const critical = ksCriticalValue(o.alpha, nRef, nRec);
    const referenceMean = this.referenceSum / nRef;
    const recentMean = this.recentSum / nRec;
    const change = referenceMean !== 0 ? (recentMean - referenceMean) / Math.abs(referenceMean) : recentMean === 0 ? 0 : Math.sign(recentMean) * Number.POSITIVE_INFINITY;
    const drift = d > critical && Math.abs(change) >= o.minChange;
    const stats: Record<string, number> = { d, critical, referenceMean, recentMean, change, stepMean: summary.mean, nRef, nRec };
    // Conditions spell out their fields: `{ ...base, more }` costs about a microsecond per object
    // in V8 (the clone takes a slow path for each added field), once per step here.
    // A lazy `message` getter stays last: V8 placed a spread literal's accessors after its data
    // fields, and conditions serialize field for field as they did.
    const { detector, metric } = o;
    const step = summary.step;

    if (!drift) {
      this.frozen = false;
      this.proxy.release();
      this.truth.release();
      this.episodeStart = Number.NaN;
      if (Math.abs(summary.mean - referenceMean) < (o.minChange / 2) * Math.abs(referenceMean)) this.lastCalmStep = summary.step;
      return {
        detector,
        metric,
        step,
        value: d,
        threshold: critical,
        active: false,
        severity: 'info',
        signal: 'info',
        evidence: { stats },
        // Built when read: hysteresis reads the message only of the conditions that become alerts.
        get message() {
          return `${o.metric} steady: ${fmt(recentMean)} vs ${fmt(referenceMean)} ${o.unit} before (KS D ${fmt(d)} vs ${fmt(critical)})`;
        },
      };
    }
    this.frozen = true;
    // The reward context of the episode is judged against the steps before it, like the lengths.
    this.proxy.hold(o.gainRecent);
    this.truth.hold(o.gainRecent);
    if (Number.isNaN(this.episodeStart)) {
      // Lengths that grew from the start never sat near a reference: "in 0 steps" would hide that.
      this.episodeStart = Number.isNaN(this.lastCalmStep) ? this.firstStep : this.lastCalmStep;
      this.episodeFrom = referenceMean;
    }
    const pValue = this.pValue(d, nRef, nRec);
    const w1 = kernel.wasserstein();
    stats.pValue = pValue;
    stats.wasserstein = w1;
    const up = change > 0;
    const verb = up ? 'rose' : 'fell';
    const steps = summary.step - this.episodeStart;
    const episodeFrom = this.episodeFrom;
    // Built when read (ongoing conditions become alerts only every few steps).
    const moved = (): string =>
      `mean length ${verb} ${fmt(episodeFrom)} -> ${fmt(summary.mean)} ${o.unit} in ${steps} step${steps === 1 ? '' : 's'} ` +
      `(KS D ${fmt(d)} > ${fmt(critical)}, p ${fmt(pValue)}, W1 ${fmt(w1)} ${o.unit}; window mean ${pct(Math.abs(change))} ${up ? 'up' : 'down'})`;

    const proxyTrend = this.proxy.trend(o.gainRecent);
    const gains = (trend: ReturnType<StepSeries['trend']>, series: StepSeries): boolean =>
      trend !== undefined && trend.rise > 0 && trend.t >= o.tCritical && trend.rise >= o.gainFloor * series.range;
    const proxyGain = gains(proxyTrend, this.proxy);
    const proxyHigh = proxyTrend !== undefined && this.proxy.range > 0 && proxyTrend.after - this.proxy.min >= o.highFrac * this.proxy.range;
    if (proxyTrend) {
      stats.rewardBefore = proxyTrend.before;
      stats.rewardAfter = proxyTrend.after;
      stats.rewardT = finiteT(proxyTrend.t);
      stats.rewardMin = this.proxy.min;
      stats.rewardMax = this.proxy.max;
    }
    const trueTrend = summary.trueName === undefined ? undefined : this.truth.trend(o.gainRecent);
    let exploit = false;
    let context = (): string => '';
    let suffix = (): string => '';
    const verifierOnly = summary.rewardIsTrue === true && summary.trueName !== undefined;
    if (verifierOnly) stats.rewardIsTrue = 1;
    if (up && verifierOnly) {
      // The reward is the true component alone: no part of it can pay for length without the task
      // confirming it, so the drift is info whatever the reward did (see the rule above).
    } else if (up && trueTrend !== undefined && summary.trueName !== undefined) {
      stats.trueBefore = trueTrend.before;
      stats.trueAfter = trueTrend.after;
      stats.trueT = finiteT(trueTrend.t);
      // With a true component the proxy must rise beside it, or the truth fall: a reward that merely
      // stays high while the truth shows no significant gain in `gainRecent` steps is what a run
      // looks like once its format bonus has saturated and its task learns slowly (a tester's
      // healthy format + accuracy runs were hacking), and "no significant gain" is absence of
      // evidence. The part the truth does not pay shows as a proxy gain the truth does not share.
      const falling = trueTrend.rise < 0 && -trueTrend.rise >= o.gainFloor * this.truth.range && trueTrend.t <= -o.tCritical;
      // A proxy gain the truth does not share is not yet the length's doing: a format bonus that
      // saturates beside a slowly learning task gains the same way while answers grow (R1-style
      // runs logged every few steps were called hacking). The gain counts when the reward beyond
      // the truth moves with the length step by step (see LengthCoupling).
      const coupling = this.measureCoupling(true, stats);
      // The least-squares t may rest on the few steps where both jumped: here the true component
      // has already been found not to share the gain, so a jump together is not learning.
      const stepPays = coupling !== undefined && coupling.slope > 0 && coupling.t >= o.couplingT;
      const within = proxyGain && proxyTrend !== undefined ? this.measureWithin(true, stats, recentMean - referenceMean, proxyTrend.rise) : undefined;
      const lengthPays = stepPays || within !== undefined;
      // A truth falling with the reward is a collapse (completions cut at the cap), not an exploit.
      exploit = (!gains(trueTrend, this.truth) && proxyGain && lengthPays) || (falling && proxyTrend !== undefined && proxyTrend.rise >= 0);
      if (exploit) {
        const reward = proxyTrend ? `, reward ${fmt(proxyTrend.before)} -> ${fmt(proxyTrend.after)}` : '';
        const trueName = summary.trueName;
        const trueAfter = trueTrend.after;
        context = () => `${trueName} ${falling ? 'falling' : 'flat'} at ${fmt(trueAfter)}${reward}, while `;
        if (stepPays) {
          const how = couplingEvidence(coupling.slope, coupling.t, 't', coupling.changes, o.unit);
          suffix = () => `; the reward beyond ${trueName} moves with the length ${how}`;
        } else if (within !== undefined) {
          const how = within.phrase;
          suffix = () => `; within steps the reward beyond ${trueName} follows the length ${how}`;
        }
      }
    } else if (up && proxyTrend !== undefined) {
      const proxyAfter = proxyTrend.after;
      // "No significant gain" alone is absence of evidence: a learning curve still climbing under
      // its noise fails the gain test too (5% of simulated episodes warned). Flat also needs the
      // rise since the drift began, over every step since (each drifting step adds one), to stay
      // under `gainFloor` of the observed range: a curve that climbed 10% of its range while the
      // lengths grew is not flat, significant or not. (Demanding its upper bound stay under that
      // floor, a true equivalence test, missed 3 of 6 simulated reward-flat length hacks in verl
      // logs, which name no components.)
      const sinceDrift = this.proxy.trendSinceHold(o.gainRecent);
      const flat = !proxyGain && sinceDrift !== undefined && sinceDrift.rise < o.gainFloor * this.proxy.range;
      if (flat && proxyHigh) {
        exploit = true;
        context = () => `reward flat at ${fmt(proxyAfter)} while `;
      } else if (proxyGain) {
        // No true component to tell learning from length: the gain is the length's when the
        // reward moves with it step by step (a reward model that likes length). A verifier's
        // score does not: batches that ran longer are, if anything, the harder ones.
        const coupling = this.measureCoupling(false, stats);
        // Nothing here tells learning from a length bonus but how the reward follows the length:
        // step after step (rankT), not in the one step where a better, longer strategy arrived.
        const rankCoupled = coupling !== undefined && coupling.slope > 0 && coupling.rankT >= o.couplingT;
        const within = rankCoupled ? undefined : this.measureWithin(false, stats, recentMean - referenceMean, proxyTrend.rise);
        if (rankCoupled || within !== undefined) {
          exploit = true;
          const proxyBefore = proxyTrend.before;
          const how = rankCoupled
            ? `the reward moves with the length ${couplingEvidence(coupling.slope, coupling.rankT, 'rank t', coupling.changes, o.unit)}`
            : `within steps the reward follows the length ${within!.phrase}`;
          context = () => `reward rose ${fmt(proxyBefore)} -> ${fmt(proxyAfter)} with the length, `;
          suffix = () => `; ${how}`;
        }
      }
    }
    const samples = summary.samples;
    const evidence = samples === undefined || samples.length === 0 ? { stats } : { stats, samples };
    if (exploit) {
      const exploitContext = context;
      const exploitSuffix = suffix;
      return {
        detector,
        metric,
        step,
        value: d,
        threshold: critical,
        active: true,
        severity: 'warning',
        signal: 'exploit',
        evidence,
        get message() {
          return `${exploitContext()}${moved()}${exploitSuffix()}`;
        },
      };
    }
    const alone = up && verifierOnly ? `; the reward is ${summary.trueName} alone, so only solving pays` : '';
    return {
      detector,
      metric,
      step,
      value: d,
      threshold: critical,
      active: true,
      severity: 'info',
      signal: 'info',
      evidence,
      get message() {
        return `length drifting: ${moved()}${alone}`;
      },
    };
  }

  /** The length coupling of the last steps (see {@link LengthCoupling}), recorded in `stats`. */
  private measureCoupling(withTruth: boolean, stats: Record<string, number>): ReturnType<LengthCoupling['measure']> {
    const coupling = this.coupling.measure(withTruth);
    if (coupling) {
      stats.couplingSlope = coupling.slope;
      stats.couplingT = finiteT(coupling.t);
      stats.couplingRankT = finiteT(coupling.rankT);
      stats.couplingChanges = coupling.changes;
    }
    return coupling;
  }

  /**
   * The within-step coupling of sample input (see {@link WithinStepCoupling}), recorded in
   * `stats`, when it pays for the gain: a slope > 0 by `couplingT` standard errors that, times the
   * rise of the mean length, buys at least half the proxy's `gain`. Undefined otherwise (and
   * always for step input). With a thousand samples a tiny slope is significant; the share of the
   * gain it buys is what makes it the length's doing.
   */
  private measureWithin(withTruth: boolean, stats: Record<string, number>, lengthRise: number, gain: number): { readonly phrase: string } | undefined {
    const within = this.within.measure(withTruth);
    if (within === undefined) return undefined;
    const bought = within.slope * lengthRise;
    stats.withinSlope = within.slope;
    stats.withinT = finiteT(within.t);
    stats.withinSamples = within.samples;
    stats.withinBought = bought;
    if (!(within.slope > 0 && within.t >= this.options.couplingT && gain > 0 && bought >= WITHIN_SHARE * gain)) return undefined;
    const strength = Number.isFinite(within.t) ? `t ${fmt(within.t)}` : 'an exact fit';
    return {
      phrase: `(+${fmt(100 * within.slope)} per 100 ${this.options.unit}, ${strength} over ${String(within.samples)} samples), buying ${fmt(bought)} of the ${fmt(gain)} gain`,
    };
  }

  /** Entries kept in {@link pValues} (tests: the memo stays bounded). */
  get memoSize(): number {
    return this.pValues.size;
  }

  /** `ksTwoSamplePValue(d, nRef, nRec)`, memoized while the window sizes stay those of the first call. */
  private pValue(d: number, nRef: number, nRec: number): number {
    if (nRef !== this.memoRef || nRec !== this.memoRec || this.pValues.size >= P_VALUE_MEMO) {
      this.pValues.clear();
      this.memoRef = nRef;
      this.memoRec = nRec;
    }
    const key = Math.round(d * nRef * nRec);
    let p = this.pValues.get(key);
    if (p === undefined) {
      p = ksTwoSamplePValue(d, nRef, nRec).pValue;
      this.pValues.set(key, p);
    }
    return p;
  }
}
