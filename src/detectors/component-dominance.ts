/**
 * The pure state behind `componentDominance`: per trainer step, each reward component's mean
 * contribution; a reference window of the `reference` steps before a recent window of the last
 * `recent` steps; the judgement of whether a cheap component rose while the true one did not.
 * No rxjs.
 *
 * Rule (per step; the share once `recent` steps are known, the trends once `reference + recent`):
 * - a cheap component c *rises* when its recent mean exceeds its expected level by at least
 *   `minRise` times the reward scale S (the mean per-step sum of |component| over the larger of the
 *   two windows, so units never matter) AND by `tCritical` standard errors (a component that did
 *   not exist before counts as 0 before: it paid nothing). The expected level is its reference
 *   mean (Welch standard errors of the per-step means), or, when it was already climbing (a
 *   positive least-squares slope over its last `climbSteps` steps before the recent window), where
 *   that line leads at the recent window (standard error of the forecast): a format learnt over
 *   the run's first tens of steps is a climb that goes on, not a rise out of a level it held;
 * - the true component (configured or named by default, else the sum of the non-cheap components)
 *   *gains* when its rise is at least `trueGainT` standard errors of its own noise; anything less (a
 *   gain within that noise, or a fall) is a stall. The noise is its step-to-step spread, from the
 *   mean square successive difference of its per-step values over both windows (von Neumann);
 *   the standard error of the rise is that spread times sqrt(1/reference + 1/recent);
 * - exploit (warning, signal 'exploit'): a cheap rise while the true component stalls, or a
 *   divergence: over the last `divergenceSteps` steps against as many before, the true component
 *   fell by `tCritical` Welch standard errors and by `minRise` of its own level while the mean
 *   reward (the proxy) did not fall. Either on `persistence` consecutive steps. A log written
 *   every k > 1 trainer steps has its divergence windows in records: `divergenceSteps / k` of
 *   them, at least `MIN_DIVERGENCE_RECORDS` (see `divergenceRecords`);
 * - dominance (info, signal 'info'): otherwise, when the cheap components carry at least
 *   `dominantShare` of the recent reward magnitude. A dominant component that does not rise is a
 *   description of the reward, not an exploit (the false positives of a share threshold);
 * - otherwise an inactive condition.
 * Active conditions carry, from samples, the 5 samples of the step that the cheap components paid
 * most beyond the true one (`ComponentSteps`).
 * Cost: O(C) per sample to aggregate; O(C·max(max(reference, climbSteps) + recent, 2·divergenceSteps)) per step
 * and in memory.
 */
import type { Condition } from '../core/condition.js';
import type { RewardEvent, SampleRef } from '../core/types.js';
import type { ComponentRoles } from './reward-components.js';
import { finiteT, fmt, pct, tOf } from './select.js';
import { sampleOf, TopSamples } from './windowed-rate.js';

export interface ComponentDominanceOptions {
  readonly detector: string;
  readonly metric: string;
  readonly reference: number;
  readonly recent: number;
  readonly minRise: number;
  readonly tCritical: number;
  readonly trueGainT: number;
  readonly climbSteps: number;
  readonly divergenceSteps: number;
  readonly learningT: number;
  readonly dominantShare: number;
  readonly persistence: number;
  readonly roles: ComponentRoles;
}

/** Mean, variance of the mean (var / n) of slots [from, from + n) of a ring read oldest first. */
interface WindowStats {
  mean: number;
  varianceOfMean: number;
}

/** One component's (or the true aggregate's) two windows. */
interface Trend {
  readonly name: string;
  readonly before: number;
  readonly after: number;
  /** What the recent window was expected to hold: `before`, or for a cheap component already climbing, where its climb led. */
  readonly expected: number;
  /** `after - expected`. */
  readonly rise: number;
  /** Welch t of the rise. */
  readonly t: number;
}

/** The evidence keys of one component's statistics. */
interface StatKeys {
  readonly expected: string;
  readonly share: string;
  readonly after: string;
  readonly before: string;
  readonly t: string;
}

/** Welch t of a rise: +Infinity for a rise with no spread, 0 for no rise. */
function welch(before: WindowStats, after: WindowStats): number {
  return tOf(after.mean - before.mean, Math.sqrt(before.varianceOfMean + after.varianceOfMean));
}

/**
 * The fewest records in each divergence window of a log written every k > 1 steps. A trainer that
 * logs every k steps logs each record as the mean over those k steps (TRL averages its metrics
 * over `logging_steps`), so 10 records hold 10k steps of samples: at k >= 3 more than the 30
 * steps a per-step log has in its windows.
 */
const MIN_DIVERGENCE_RECORDS = 10;

/**
 * Whether records `spacing` trainer steps apart are a log written every k > 1 steps: not before
 * two records are known (Infinity), nor for records 1 step apart (a per-step log, sample input).
 */
function isSpaced(spacing: number): boolean {
  return spacing > 1 && spacing !== Number.POSITIVE_INFINITY;
}

/**
 * Records in each divergence window when records are `spacing` trainer steps apart: the windows
 * span `divergenceSteps` trainer steps, but never fewer than `MIN_DIVERGENCE_RECORDS` records nor
 * more than `divergenceSteps`. Counted in records, a log written every 10 steps needed 600 steps
 * before its first judgement, longer than many runs (simulated reward-model over-optimisation
 * logged every 10 steps of a 400-step run went unseen).
 */
export function divergenceRecords(divergenceSteps: number, spacing: number): number {
  if (!isSpaced(spacing)) return divergenceSteps;
  return Math.min(divergenceSteps, Math.max(MIN_DIVERGENCE_RECORDS, Math.ceil(divergenceSteps / spacing)));
}

export class ComponentDominanceJudge {
  private readonly options: ComponentDominanceOptions;
  /** Steps judged: the reference window, then the recent one. */
  private readonly size: number;
  /** Steps kept: the recent window and, before it, the longer of the reference and the climb fit; at least the two divergence windows. */
  private readonly span: number;
  /** Per step, the proxy: the mean total reward (the sum of the contributions when not given). */
  private readonly totals: Float64Array;
  /** Per component, a ring of its last `span` per-step contributions (0 at steps it was absent). */
  private readonly series = new Map<string, Float64Array>();
  private head = 0;
  private filled = 0;
  /** The trainer step of the last record judged, and the fewest steps seen between two records. */
  private lastStep = Number.NaN;
  private spacing = Number.POSITIVE_INFINITY;
  private exploitRun = 0;
  private firstExploitStep = Number.NaN;
  /** Scratch rings of the per-step true aggregate and magnitude, in window order. */
  private readonly truth: Float64Array;
  private readonly magnitude: Float64Array;
  private readonly cheapMagnitude: Float64Array;
  /** One component's judged steps in window order, for its trend. */
  private readonly scratch: Float64Array;
  /** One cheap component's steps before the recent window, oldest first, for its climb. */
  private readonly climb: Float64Array;
  /** The proxy and the true aggregate over the two divergence windows, oldest first. */
  private readonly divergenceScratch: { readonly proxy: Float64Array; readonly task: Float64Array };
  private readonly keysByName = new Map<string, StatKeys>();

  constructor(options: ComponentDominanceOptions) {
    this.options = options;
    this.size = options.reference + options.recent;
    this.span = Math.max(Math.max(options.reference, options.climbSteps) + options.recent, 2 * options.divergenceSteps);
    this.totals = new Float64Array(this.span);
    this.climb = new Float64Array(options.climbSteps);
    this.divergenceScratch = { proxy: new Float64Array(2 * options.divergenceSteps), task: new Float64Array(2 * options.divergenceSteps) };
    this.truth = new Float64Array(this.size);
    this.magnitude = new Float64Array(this.size);
    this.cheapMagnitude = new Float64Array(this.size);
    this.scratch = new Float64Array(this.size);
  }

  /**
   * Judges one step from its per-component contributions; undefined while warming up. `samples`:
   * evidence for an active condition (the step's samples the cheap components paid most).
   * `total`: the step's mean reward, the proxy the trainer optimises (default the sum of the
   * contributions; a trainer that weights its reward functions logs them unweighted).
   */
  judge(step: number, contributions: ReadonlyMap<string, number>, samples?: readonly SampleRef[], total?: number): Condition | undefined {
    if (contributions.size === 0) return undefined;
    // The fewest steps between records: a log's own spacing, and 1 as soon as two records are
    // consecutive steps (a per-step log, or sample input), which keeps the windows in steps.
    const gap = step - this.lastStep;
    if (gap > 0 && gap < this.spacing) this.spacing = gap;
    this.lastStep = step;
    for (const name of contributions.keys()) {
      if (!this.series.has(name)) this.series.set(name, new Float64Array(this.span));
    }
    let sum = 0;
    for (const [name, ring] of this.series) {
      const value = contributions.get(name) ?? 0;
      ring[this.head] = value;
      sum += value;
    }
    this.totals[this.head] = total !== undefined && Number.isFinite(total) ? total : sum;
    this.head = this.head + 1 === this.span ? 0 : this.head + 1;
    if (this.filled < this.span) this.filled++;
    if (this.filled < this.options.recent) return undefined;
    return this.evaluate(step, this.filled >= this.size, samples);
  }

  /** Judges the windows; before the reference is full (`trends` false) only the recent share. */
  private evaluate(step: number, trends: boolean, samples: readonly SampleRef[] | undefined): Condition {
    const { detector, metric, reference, recent, minRise, tCritical, trueGainT, dominantShare, persistence, roles } = this.options;
    const trueName = roles.trueOf(this.series.keys());
    // Per step (window order, oldest first): the true aggregate, the total and the cheap magnitude.
    this.truth.fill(0);
    this.magnitude.fill(0);
    this.cheapMagnitude.fill(0);
    // Window slot i (oldest first) of a ring: the judged steps are its last `size`.
    const first = this.head + this.span - this.size;
    for (const [name, ring] of this.series) {
      const cheap = roles.isCheap(name);
      const counted = trueName === undefined ? !cheap : name === trueName;
      for (let i = 0; i < this.size; i++) {
        const value = ring[(first + i) % this.span]!;
        const size = Math.abs(value);
        this.magnitude[i]! += size;
        if (cheap) this.cheapMagnitude[i]! += size;
        if (counted) this.truth[i]! += value;
      }
    }
    const scale = Math.max(windowOf(this.magnitude, 0, reference).mean, windowOf(this.magnitude, reference, recent).mean);
    const recentMagnitude = windowOf(this.magnitude, reference, recent).mean;
    const cheapShare = recentMagnitude > 0 ? windowOf(this.cheapMagnitude, reference, recent).mean / recentMagnitude : 0;

    const stats: Record<string, number> = { scale, cheapShare };
    const rising: Trend[] = [];
    let cheapRise = 0;
    const scratch = this.scratch;
    for (const [name, ring] of this.series) {
      for (let i = 0; i < this.size; i++) scratch[i] = ring[(first + i) % this.span]!;
      const cheap = roles.isCheap(name);
      const trend = cheap && trends ? this.cheapTrendOf(name, ring, scratch) : trendOf(name, scratch, reference, recent);
      const keys = this.statKeys(name);
      stats[keys.share] = recentMagnitude > 0 ? Math.abs(trend.after) / recentMagnitude : 0;
      stats[keys.after] = trend.after;
      if (trends) {
        stats[keys.before] = trend.before;
        stats[keys.t] = finiteT(trend.t);
        if (trend.expected !== trend.before) stats[keys.expected] = trend.expected;
      }
      if (trends && cheap && trend.rise >= minRise * scale && trend.rise > 0 && trend.t >= tCritical) {
        rising.push(trend);
        cheapRise += trend.rise;
      }
    }
    const truth = trendOf(trueName ?? 'true', this.truth, reference, recent);
    const trueLabel = trueName ?? 'the non-cheap components';
    // The true component stalls unless its rise clears its own noise: a gain that the windows'
    // sampling noise could produce alone is no evidence of learning, and anything more is, however
    // small beside the cheap rise. The noise comes from the step-to-step differences over both
    // windows (12 of them by default), not from the Welch spread of each window: the recent window
    // has 3 values, and a spread of 3 values (2 degrees of freedom) is so unsure that one noisy
    // step can hide a real gain, while a learning trend inside the windows, which is signal,
    // widens their spread but adds only its squared slope to the successive differences.
    // The bar is 2 standard errors, not the cheap rise's `tCritical`, because the two tests guard
    // opposite mistakes: the cheap rise opens the alarm, so it must be rare by chance; calling a
    // real gain a stall raises a false alarm on a run that is learning, while calling a stall a
    // gain (about 1 judgement in 40 when nothing moves) only delays the warning.
    const trueNoise = Math.sqrt(successiveVariance(this.truth) * (1 / reference + 1 / recent));
    const trueT = tOf(truth.rise, trueNoise);
    stats.trueAfter = truth.after;
    if (trends) {
      stats.trueBefore = truth.before;
      stats.trueGain = truth.rise;
      stats.trueGainSE = trueNoise;
      stats.trueT = finiteT(trueT);
    }
    stats.cheapRise = cheapRise;
    const trueGain = truth.rise > 0 && trueT >= trueGainT;
    const { diverging, learning } = this.longRun(trueName, stats);
    const cheapExploit = rising.length > 0 && !trueGain && !learning;
    const exploit = cheapExploit || diverging !== undefined;
    if (exploit) {
      if (this.exploitRun === 0) this.firstExploitStep = step;
      this.exploitRun++;
    } else this.exploitRun = 0;
    stats.persistence = this.exploitRun;

    // An alert shows the samples behind it (the cheap components paid them, the task did not).
    const active = (exploit && this.exploitRun >= persistence) || cheapShare >= dominantShare;
    const evidence = active && samples !== undefined && samples.length > 0 ? { stats, samples } : { stats };
    // Every literal spells out its fields: `{ ...base, more }` costs about a microsecond per
    // object in V8 (the clone takes a slow path for each added field), once per step here.
    // A lazy `message` getter stays last: V8 placed a spread literal's accessors after its data
    // fields, and conditions serialize field for field as they did.
    if (exploit && this.exploitRun >= persistence) {
      let value: number;
      let threshold: number;
      let message: string;
      if (cheapExploit) {
        rising.sort((a, b) => b.rise - a.rise);
        const top = rising[0]!;
        const others = rising.length > 1 ? ` (with ${rising.slice(1).map((r) => r.name).join(', ')})` : '';
        value = top.rise / scale;
        threshold = minRise;
        message =
          `cheap component ${top.name} rose ${fmt(top.before)} -> ${fmt(top.after)}${others} (+${pct(top.rise / scale)} of the ` +
          `reward scale${top.expected === top.before ? '' : ` beyond the ${fmt(top.expected)} its earlier climb led to`}, ` +
          `t ${fmt(Math.min(top.t, 999))}) over the ${lastSteps(recent)} while ${trueLabel} went ` +
          `${fmt(truth.before)} -> ${fmt(truth.after)} (t ${fmt(Math.max(trueT, -999))} < ${fmt(trueGainT)}: no significant gain); ` +
          `cheap components now carry ${pct(cheapShare)} of the reward`;
      } else {
        const { proxy, task } = diverging!;
        const records = this.divergenceWindow();
        const windows = isSpaced(this.spacing) ? `${records} records (${records * this.spacing} steps)` : `${records} steps`;
        value = task.t;
        threshold = -tCritical;
        message =
          `the reward rose ${fmt(proxy.before)} -> ${fmt(proxy.after)} (t ${fmt(Math.min(proxy.t, 999))}) while ${trueLabel} fell ` +
          `${fmt(task.before)} -> ${fmt(task.after)} (t ${fmt(Math.max(task.t, -999))}), the last ${windows} against the ${records} ` +
          `before: the proxy and the task diverge`;
      }
      return {
        detector,
        metric,
        step,
        evidence,
        active: true,
        severity: 'warning',
        signal: 'exploit',
        value,
        threshold,
        message: `${message} (since step ${this.firstExploitStep})`,
      };
    }
    if (cheapShare >= dominantShare) {
      const what = cheapExploit ? 'a cheap rise without true gain' : 'the task falling while the reward holds';
      const watching = exploit ? `; ${what} for ${this.exploitRun}/${persistence} steps` : '';
      return {
        detector,
        metric,
        step,
        evidence,
        active: true,
        severity: 'info',
        signal: 'info',
        value: cheapShare,
        threshold: dominantShare,
        message:
          `cheap components (${this.cheapNames().join(', ')}) carry ${pct(cheapShare)} of the reward over the ` +
          `${lastSteps(recent)}; ${trueLabel} ${fmt(truth.after)}${trends ? ` (was ${fmt(truth.before)})` : ''}; not rising, so not an exploit by itself${watching}`,
      };
    }
    return {
      detector,
      metric,
      step,
      evidence,
      active: false,
      severity: 'info',
      signal: 'info',
      value: cheapShare,
      threshold: dominantShare,
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        return `cheap components carry ${pct(cheapShare)} of the reward and none rose without ${trueLabel}`;
      },
    };
  }

  /**
   * A cheap component's rise: over its reference mean, or, when it was already climbing before
   * the recent window (a positive least-squares slope over its last `climbSteps` steps, or as many
   * as the run has), over where that climb leads at the recent window, with the forecast's own
   * uncertainty in the t. A run learns its format over its first tens of steps while its task may
   * learn too slowly to show in 13 (0.001 a step is invisible beside the noise of 64 binary
   * samples), so a climb that merely goes on looks like a cheap rise beside a stall in any short
   * window; the rule looks for a rise that breaks from the component's course: a jump out of a
   * level it held, or a climb that speeds up. The line spans 30 steps rather than the reference's
   * 10 so that the first steps of a new rise, once they leave the recent window, barely bend it.
   */
  private cheapTrendOf(name: string, ring: Float64Array, windows: Float64Array): Trend {
    const { reference, recent } = this.options;
    const flat = trendOf(name, windows, reference, recent);
    const n = Math.min(this.climb.length, this.filled - recent);
    const from = this.head + this.span - recent - n;
    for (let i = 0; i < n; i++) this.climb[i] = ring[(from + i) % this.span]!;
    const line = fitLine(this.climb, n);
    if (!(line.slope > 0)) return flat;
    // The recent window's mean index lies `distance` after the line's.
    const distance = (n + recent) / 2;
    const expected = line.mean + line.slope * distance;
    const after = windowOf(windows, reference, recent);
    const rise = after.mean - expected;
    const forecastVariance = line.residualVariance * (1 / n + (distance * distance) / line.sxx);
    const se = Math.sqrt(forecastVariance + after.varianceOfMean);
    const t = tOf(rise, se);
    return { name, before: flat.before, after: after.mean, expected, rise, t };
  }

  /**
   * The proxy and the task diverging over the last `divergenceSteps` steps against the same number
   * before them: the mean reward rose by `tCritical` Welch standard errors of the per-step means
   * while the true component (as the rule counts it) fell by as many, and by at least `minRise` of
   * its own mean magnitude. This is Goodhart's law itself, whatever paid for the rise: the cheap
   * components by name, a reward model (`true` naming a logged gold metric), or a component the
   * names do not know. The proxy need only not fall: when it rose across the windows, the rise
   * and the task's fall share the steps of a takeover, and the proxy's own rise is the verdict's
   * to judge (a proxy-rise episode); a task that falls while the reward holds is already a reward
   * that stopped measuring the task. The windows are longer than the cheap-rise rule's (30 steps
   * against 3 and 10): a takeover spread over 40 steps moves each step by less than the noise of
   * 128 binary samples, and only long windows see it as a difference of levels (20-step windows
   * reached t -3 on one step in 3 simulated takeovers).
   * Over the same 2 x `divergenceSteps` steps it also says whether the true component is
   * `learning`: a least-squares slope `learningT` standard errors above 0 (1: the errors are
   * lopsided, as for `trueGainT`: a flat task passes for learning on 16% of steps, which delays a
   * warning by a step or two, while a learning task called stalled is a false alarm), over the
   * records there are until both windows are full (a log written every k > 1 steps: 2 x
   * `divergenceRecords` records, each a mean over k steps). Then a cheap rise beside
   * a short-window stall is not an exploit: a task learnt at 0.002 a step gains 0.013 between the
   * 13-step windows, under a tenth of their noise on 128 samples a step, so "no significant gain
   * in 13 steps" is what an honest run shows while a format spreads along its S-curve (a
   * tester's healthy runs were hacking in 8 of 10 seeds); 60 steps resolve the slope. The cost: a
   * cheap rise right after a stretch of learning is judged only once that learning leaves the 60
   * steps, unless the task falls (the divergence) or the lengths drift (distributionDrift).
   * Adds its statistics to `stats`; nothing before both windows are full.
   */
  private longRun(trueName: string | undefined, stats: Record<string, number>): { diverging: Divergence | undefined; learning: boolean } {
    const steps = this.divergenceWindow();
    // The slope is taken over the records there are, up to both windows: a run's first tens of
    // steps are when its format is learnt.
    const n = Math.min(this.filled, 2 * steps);
    if (n < 3) return { diverging: undefined, learning: true };
    const { roles, minRise, tCritical, learningT } = this.options;
    const first = this.head + this.span - n;
    const { proxy, task } = this.divergenceScratch;
    task.fill(0);
    for (let i = 0; i < n; i++) proxy[i] = this.totals[(first + i) % this.span]!;
    for (const [name, ring] of this.series) {
      const cheap = roles.isCheap(name);
      if (trueName === undefined ? cheap : name !== trueName) continue;
      for (let i = 0; i < n; i++) task[i]! += ring[(first + i) % this.span]!;
    }
    const line = fitLine(task, n);
    const slopeSE = Math.sqrt(line.residualVariance / line.sxx);
    const slopeT = tOf(line.slope, slopeSE);
    stats.trueSlopeT = finiteT(slopeT);
    const learning = slopeT >= learningT;
    if (n < 2 * steps) return { diverging: undefined, learning };
    const proxyTrend = trendOf('reward', proxy, steps, steps);
    const taskTrend = trendOf('true', task, steps, steps);
    stats.divergenceProxyT = finiteT(proxyTrend.t);
    stats.divergenceTrueT = finiteT(taskTrend.t);
    let level = 0;
    for (let i = 0; i < n; i++) level += Math.abs(task[i]!);
    level /= n;
    const diverging = proxyTrend.rise >= 0 && taskTrend.t <= -tCritical && -taskTrend.rise >= minRise * level;
    return { diverging: diverging ? { proxy: proxyTrend, task: taskTrend } : undefined, learning };
  }

  /** Records in each divergence window at this log's spacing (`divergenceRecords`). */
  private divergenceWindow(): number {
    return divergenceRecords(this.options.divergenceSteps, this.spacing);
  }

  /** The evidence keys of a component, built once per name rather than once per step. */
  private statKeys(name: string): StatKeys {
    let keys = this.keysByName.get(name);
    if (keys === undefined) {
      keys = { expected: `expected:${name}`, share: `share:${name}`, after: `after:${name}`, before: `before:${name}`, t: `t:${name}` };
      this.keysByName.set(name, keys);
    }
    return keys;
  }

  private cheapNames(): string[] {
    return [...this.series.keys()].filter((name) => this.options.roles.isCheap(name));
  }
}

/** The proxy and the true component over the two divergence windows (`divergenceSteps` each). */
interface Divergence {
  readonly proxy: Trend;
  readonly task: Trend;
}

/** 'last step' or 'last n steps'. */
function lastSteps(n: number): string {
  return n === 1 ? 'last step' : `last ${n} steps`;
}

function windowOf(values: Float64Array, from: number, n: number): WindowStats {
  let sum = 0;
  for (let i = from; i < from + n; i++) sum += values[i]!;
  const mean = sum / n;
  let m2 = 0;
  for (let i = from; i < from + n; i++) m2 += (values[i]! - mean) ** 2;
  return { mean, varianceOfMean: n > 1 ? m2 / (n - 1) / n : 0 };
}

/**
 * The noise variance of a series from its mean square successive difference, sum((x[i+1] - x[i])^2)
 * / (2 (n - 1)) (von Neumann 1941): unbiased for independent noise around a constant level, and
 * nearly so around a smooth trend or one level shift, which move the level but barely the
 * differences. 0 for fewer than 2 values.
 */
function successiveVariance(values: Float64Array): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += (values[i]! - values[i - 1]!) ** 2;
  return sum / (2 * (values.length - 1));
}

function trendOf(name: string, values: Float64Array, reference: number, recent: number): Trend {
  const before = windowOf(values, 0, reference);
  const after = windowOf(values, reference, recent);
  return { name, before: before.mean, after: after.mean, expected: before.mean, rise: after.mean - before.mean, t: welch(before, after) };
}

/** Least-squares line through `values[0, n)` against their index, centred on the mean index. */
interface Line {
  readonly mean: number;
  readonly slope: number;
  /** Residual variance on n - 2 degrees of freedom (0 for n < 3). */
  readonly residualVariance: number;
  /** Sum of squared index deviations. */
  readonly sxx: number;
}

function fitLine(values: Float64Array, n: number): Line {
  const meanIndex = (n - 1) / 2;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - meanIndex) * (values[i]! - mean);
    sxx += (i - meanIndex) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let residual = 0;
  for (let i = 0; i < n; i++) residual += (values[i]! - mean - slope * (i - meanIndex)) ** 2;
  return { mean, slope, residualVariance: n > 2 ? residual / (n - 2) : 0, sxx };
}

/** One closed step of samples: its per-component contributions and its evidence samples. */
export interface ComponentStep {
  readonly step: number;
  readonly contributions: Map<string, number>;
  /** The step's samples the cheap components paid most beyond the true one, most first. */
  readonly samples: SampleRef[];
  /** The mean total reward of the step's samples that carry one (undefined when none did). */
  readonly total: number | undefined;
}

/** Samples kept per step as evidence. */
const EVIDENCE_SAMPLES = 5;

/**
 * Per-step component contributions from samples: the sum of each component over the step's
 * samples that carry components, divided by their count (a component missing from a sample
 * contributes 0, so the contributions add up to the mean total). A step is closed when a later
 * step starts (`add` returns it) or by `finish()`.
 * Evidence: the 5 samples of the step with the largest score = what the cheap components paid the
 * sample minus what the true component (as the judge counts it: the true one, else the sum of the
 * non-cheap ones) paid it, among those the cheap components paid more: a sample that shows a
 * cheap component paying while the task goes unpaid. Cost: O(C) per sample.
 */
export class ComponentSteps {
  private readonly roles: ComponentRoles;
  private readonly sums = new Map<string, number>();
  private samples = 0;
  private rewardSum = 0;
  private rewards = 0;
  private step = Number.NaN;
  private top = new TopSamples<RewardEvent>(Number.POSITIVE_INFINITY, sampleOf, EVIDENCE_SAMPLES);
  /** Every component name seen, and the true one among them (re-chosen when a name is new). */
  private readonly names = new Set<string>();
  private trueName: string | undefined;

  constructor(roles: ComponentRoles) {
    this.roles = roles;
  }

  /** Adds one sample's `components` at its step; returns the previous step when this one starts a new one. */
  add(event: RewardEvent, components: Readonly<Record<string, number>>): ComponentStep | undefined {
    let finished: ComponentStep | undefined;
    if (event.step !== this.step) {
      finished = this.finish();
      this.step = event.step;
    }
    let any = false;
    for (const name in components) {
      const value = components[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      this.sums.set(name, (this.sums.get(name) ?? 0) + value);
      any = true;
      if (!this.names.has(name)) {
        this.names.add(name);
        this.trueName = this.roles.trueOf(this.names);
      }
    }
    if (!any) return finished;
    this.samples++;
    if (event.reward !== undefined && Number.isFinite(event.reward)) {
      this.rewardSum += event.reward;
      this.rewards++;
    }
    let paidBeyondTruth = 0;
    for (const name in components) {
      const value = components[name]!;
      if (!Number.isFinite(value)) continue;
      if (this.roles.isCheap(name)) paidBeyondTruth += value;
      else if (this.trueName === undefined || name === this.trueName) paidBeyondTruth -= value;
    }
    this.top.tick();
    if (paidBeyondTruth > 0) this.top.offer(event, paidBeyondTruth);
    return finished;
  }

  /** Closes the open step (undefined when it had no sample with components). */
  finish(): ComponentStep | undefined {
    const step = this.step;
    this.step = Number.NaN;
    const samples = this.top.samples();
    this.top = new TopSamples<RewardEvent>(Number.POSITIVE_INFINITY, sampleOf, EVIDENCE_SAMPLES);
    if (this.samples === 0) return undefined;
    const contributions = new Map<string, number>();
    for (const [name, sum] of this.sums) contributions.set(name, sum / this.samples);
    const total = this.rewards > 0 ? this.rewardSum / this.rewards : undefined;
    this.sums.clear();
    this.samples = 0;
    this.rewardSum = 0;
    this.rewards = 0;
    return { step, contributions, samples, total };
  }
}
