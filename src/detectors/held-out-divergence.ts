/**
 * The pure state behind `heldOutDivergence`: the reward on held-out data (a trainer's evaluation
 * rows) falling while the training reward holds or rises. The gap between the reward the policy
 * is trained on and the same reward on data it is not trained on is the most direct evidence of
 * over-optimisation there is (rllm#143: "train return rises while eval drops").
 *
 * Series: every held-out reward a record carries, each judged on its own:
 * - an eval-phase record's `reward/mean` (TRL's `eval_reward`) and, for verl, its
 *   `source/<data source>/<var>/mean@N` (`val-core/...` in the log; `val/test_score/<source>` in
 *   older logs);
 * - the same under `eval/` in a training record (verl logs validation in the step's own line).
 * `maj@N` and `best@N` variants are not watched: they move with N and the vote, not the policy.
 *
 * Rule, at each new value of a series (its evaluations counted, not steps: they are sparse):
 * - two window scales: the last `recent` (3) evaluations against the median of up to `reference`
 *   (5) before them (at least 3), and, once 16 exist, the last 6 against the 10 before. The short
 *   one finds a sharp fall soon; a fall of a few noise sd, or one spread over several evaluations,
 *   shows only against the longer reference once the short one has slid into the fall. Simulated
 *   500-prompt evaluations every 10 steps falling 0.6 -> 0.45 over 60 steps: 22 of 100 runs missed
 *   with the short scale alone, 0 with both (median 60 steps to the alert);
 * - the noise is the evaluation-to-evaluation sd pooled from the last 32 successive differences
 *   (`evaluationNoise`: winsorized at 3 robust sd, so robust to one outlier and to a trend);
 * - the drop is active when the median of the recent evaluations sits z standard errors below
 *   the reference level (medians both, each with variance pi/2 sigma^2 / n) with z at least the
 *   critical value, EVERY recent evaluation is more than one noise sd below the reference, and
 *   the drop is at least `minDrop` (10%) of the reference level's magnitude;
 * - the critical value is the Student t quantile, at differences - 2 degrees of freedom, of half
 *   the normal tail beyond `z` (3.5; half for each scale): a z over an sd estimated from few
 *   evaluations has heavy tails, and with the normal 3 and one scale a tenth of healthy simulated
 *   runs (200-prompt evaluations every 10 steps) raised a drop, most at their sixth to tenth
 *   evaluation; now 1 of 1,200 such runs (evaluated every 5 or 10 steps) does;
 * - medians, so one bad evaluation (the real verl log's 0.389 amid 0.50s) moves neither level;
 *   with means, a 0.53 -> 0.49 dip of that log's MATH validation over three evaluations was a
 *   "drop" of 8%, a dip such a transfer set makes, not a policy turning bad;
 * - the training reward over the steps of the recent evaluations is compared with its steps over
 *   the reference ones (Welch t of the two means, from running sums snapshotted at each
 *   evaluation): when it shows no sign of a fall (t > -`trainT`, -1) and the gap is shown (the
 *   drop plus the training reward's change, z >= `gapZ`, 3, over both errors), the drop is
 *   `exploit` (the policy gains on its training reward and loses on held-out data); without the
 *   gap shown it is `instability` (a training reward too noisy to have "fallen" may have fallen as
 *   far as the held-out one: 100 simulated runs where both fell 0.2 with the training reward
 *   logged every 10 steps at batch sd 0.12 had 28 such `exploit`s, now none); when it fell too, there is
 *   no gap, only a run getting worse (or a curriculum moving to harder prompts), which the other
 *   detectors explain: `info`; with no training reward logged, `instability` (a held-out reward
 *   falling is bad news, but not evidence of a gap). A fall of both that starts together is
 *   caught at its first evaluations, when the training side has moved least: any sign of its fall
 *   keeps it from being called a gap. In a sweep of simulated curricula whose evaluations followed
 *   the curriculum's difficulty, both fell at each harder stage: 21 of 21 logs warned while this
 *   case was a warning.
 * One condition per step that carries a held-out value (after warm-up), once a later step arrives
 * or the source ends: an active series, else the one nearest its critical value, so one episode
 * covers every data source.
 * Cost: O(32 log 32) per evaluation, O(1) per training record; memory O(64) per series.
 */
import { errorFunction, median } from 'simple-statistics';
import type { Condition } from '../core/condition.js';
import type { AlertSignal, Severity, StepRecord } from '../core/types.js';
import { MAD_NORMAL_SCALE } from '../kernels/rolling-quantiles.js';
import { tUpperQuantile } from '../kernels/student-t.js';
import { finiteT, fmt, tOf } from './select.js';

export interface HeldOutDivergenceOptions {
  /** The alerts' metric. */
  readonly metric: string;
  /** The training reward compared with the held-out one. */
  readonly trainMetric: string;
  readonly recent: number;
  readonly reference: number;
  readonly z: number;
  readonly minDrop: number;
  readonly trainT: number;
  /** The gap z an exploit needs: the held-out drop beyond the training reward's own change. */
  readonly gapZ: number;
  readonly severity: Severity;
}

/** Evaluations kept per series: enough for the windows and a stable noise estimate. */
const KEPT = 64;
/** Successive differences behind the noise sd. */
const NOISE_DIFFERENCES = 32;
/** Fewest reference evaluations before a drop is judged. */
const MIN_REFERENCE = 3;
/**
 * Window scales: `recent`/`reference` evaluations, and twice as many. Three evaluations find a
 * sharp fall soon; a fall of a few noise sd, or one spread over several evaluations, shows only
 * against a longer reference, once the short one has slid into it. The tail is split between them.
 */
const SCALES = [1, 2] as const;
/** Variance of a median relative to a mean's (large-sample, normal): pi / 2. */
const MEDIAN_VARIANCE = Math.PI / 2;
/** Differences are winsorized at this many robust sd from their median before they are pooled. */
const WINSOR = 3;

/**
 * A held-out verl metric: `source/<data source>/<var>/mean@N` (`val-core`/`val-aux`), or
 * `source/<data source>/reward/mean` (older logs' `val/test_score/<source>`); not maj@N or best@N.
 */
const VERL_SOURCE_MEAN = /^source\/.+\/[^/@]+\/mean(@\d+)?$/;

/** Running sums of the training reward up to some step. */
interface TrainSums {
  readonly n: number;
  readonly sum: number;
  readonly squares: number;
}

interface Evaluation {
  readonly step: number;
  readonly value: number;
  /** The training reward's sums up to this evaluation. */
  readonly train: TrainSums;
}

/** One series' judgement at its latest evaluation. */
interface Reading {
  readonly series: string;
  readonly active: boolean;
  readonly z: number;
  /** The z the drop needed (a t quantile: see `criticalValue`). */
  readonly critical: number;
  /** Evaluations in the recent window and in the reference window. */
  readonly recentCount: number;
  readonly referenceCount: number;
  readonly reference: number;
  readonly recent: number;
  readonly sigma: number;
  /** Standard error of the drop (reference level minus recent level). */
  readonly error: number;
  readonly since: number;
  readonly evaluations: number;
  readonly train: TrainComparison | undefined;
}

interface TrainComparison {
  readonly before: number;
  readonly after: number;
  readonly t: number;
  /** Standard error of after - before. */
  readonly error: number;
}

/** The held-out reward series a record carries, under their `eval/` names. */
export function heldOutValues(record: StepRecord): [string, number][] {
  const found: [string, number][] = [];
  const { metrics } = record;
  for (const name in metrics) {
    const value = metrics[name]!;
    if (!Number.isFinite(value)) continue;
    if (record.phase === 'eval') {
      if (name === 'reward/mean' || VERL_SOURCE_MEAN.test(name)) found.push([`eval/${name}`, value]);
    } else if (name.startsWith('eval/')) {
      const inner = name.slice(5);
      if (inner === 'reward/mean' || VERL_SOURCE_MEAN.test(inner)) found.push([name, value]);
    }
  }
  return found;
}

/** The evaluation-to-evaluation noise of a series and the differences behind it. */
export interface EvaluationNoise {
  /** The sd of one evaluation around the series' local level; 0 when flat. */
  readonly sd: number;
  /** Successive differences it pools. */
  readonly differences: number;
}

/**
 * The evaluation noise of a series from its last 32 successive differences: their root mean
 * square about their median, over sqrt 2, with each difference first winsorized at 3 robust sd
 * (1.4826 MAD) from the median, so one bad evaluation (two large differences) counts as a 3-sd
 * one. The median takes out a trend; the pooled squares keep most of the efficiency of the plain
 * sd, which a MAD alone loses (a z from a MAD of 8 differences has the tails of a t with ~3 df).
 */
export function evaluationNoise(values: readonly number[]): EvaluationNoise {
  const differences: number[] = [];
  for (let index = Math.max(1, values.length - NOISE_DIFFERENCES); index < values.length; index++) {
    differences.push(values[index]! - values[index - 1]!);
  }
  if (differences.length === 0) return { sd: 0, differences: 0 };
  const centre = median(differences);
  const mad = median(differences.map((d) => Math.abs(d - centre)));
  const limit = mad > 0 ? WINSOR * MAD_NORMAL_SCALE * mad : Number.POSITIVE_INFINITY;
  let squares = 0;
  for (const d of differences) squares += Math.min(limit, Math.abs(d - centre)) ** 2;
  return { sd: Math.sqrt(squares / differences.length) / Math.SQRT2, differences: differences.length };
}

/** Upper tail of the standard normal beyond `z`. */
function normalUpperTail(z: number): number {
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

export class HeldOutDivergence {
  private readonly options: HeldOutDivergenceOptions;
  /** The upper tail the critical values are set at: the normal tail beyond `z`. */
  private readonly tail: number;
  /** Critical values by degrees of freedom. */
  private readonly critical = new Map<number, number>();
  private readonly series = new Map<string, Evaluation[]>();
  private train: TrainSums = { n: 0, sum: 0, squares: 0 };
  /** Series evaluated at `pendingStep`, not judged yet. */
  private readonly pending = new Set<string>();
  private pendingStep: number | undefined;

  constructor(options: HeldOutDivergenceOptions) {
    this.options = options;
    this.tail = normalUpperTail(options.z) / SCALES.length;
  }

  /**
   * The critical value of a drop's z with its noise pooled from `differences` differences: the
   * t quantile at the normal tail of `z`, with differences - 2 degrees of freedom (Monte Carlo of
   * this statistic on normal noise: its tail is at most that heavy from 5 differences on).
   */
  private criticalValue(differences: number): number {
    const df = Math.max(1, differences - 2);
    let value = this.critical.get(df);
    if (value === undefined) this.critical.set(df, (value = tUpperQuantile(this.tail, df)));
    return value;
  }

  /** Takes one record; a condition when it carried a held-out value and some series is warmed up. */
  push(record: StepRecord): Condition | undefined {
    // A step's evaluations are judged once a later step arrives: a log may write the evaluation
    // row before or after the training row of its step (a merged stream does), and either way the
    // training reward up to that step must be in the evaluation's sums.
    const judged = this.pendingStep !== undefined && record.step > this.pendingStep ? this.judgePending() : undefined;
    if (record.phase !== 'eval') {
      const reward = record.metrics[this.options.trainMetric];
      if (reward !== undefined && Number.isFinite(reward)) {
        const { n, sum, squares } = this.train;
        this.train = { n: n + 1, sum: sum + reward, squares: squares + reward * reward };
      }
    }
    for (const [name, value] of heldOutValues(record)) {
      let evaluations = this.series.get(name);
      if (evaluations === undefined) this.series.set(name, (evaluations = []));
      const last = evaluations[evaluations.length - 1];
      // One evaluation per step: a repeated row (a resumed log) replaces, never duplicates.
      if (last !== undefined && last.step === record.step) evaluations.pop();
      evaluations.push({ step: record.step, value, train: this.train });
      if (evaluations.length > KEPT) evaluations.shift();
      this.pending.add(name);
      this.pendingStep = record.step;
    }
    return judged;
  }

  /** The condition of the last step's evaluations, when the source ends. */
  flush(): Condition | undefined {
    return this.pendingStep === undefined ? undefined : this.judgePending();
  }

  /** Judges the series evaluated at `pendingStep`, with the training reward up to that step. */
  private judgePending(): Condition | undefined {
    const step = this.pendingStep!;
    let worst: Reading | undefined;
    for (const name of this.pending) {
      const evaluations = this.series.get(name)!;
      const last = evaluations.length - 1;
      evaluations[last] = { ...evaluations[last]!, train: this.train };
      const reading = this.judge(name, evaluations);
      if (reading !== undefined && (worst === undefined || outranks(reading, worst))) worst = reading;
    }
    this.pending.clear();
    this.pendingStep = undefined;
    return worst === undefined ? undefined : this.condition(step, worst);
  }

  /** The series' reading at its latest evaluation: the stronger of its two window scales. */
  private judge(name: string, evaluations: readonly Evaluation[]): Reading | undefined {
    const { recent, reference } = this.options;
    const count = evaluations.length;
    if (count < recent + MIN_REFERENCE) return undefined;
    const noise = evaluationNoise(evaluations.map((e) => e.value));
    const critical = this.criticalValue(noise.differences);
    let best: Reading | undefined;
    for (const scale of SCALES) {
      // A longer scale is judged once its whole reference exists (the short one covers the start).
      if (scale > 1 && count < scale * (recent + reference)) break;
      const reading = this.judgeScale(name, evaluations, scale * recent, scale * reference, noise.sd, critical);
      if (best === undefined || outranks(reading, best)) best = reading;
    }
    return best;
  }

  /** The drop of the last `recent` evaluations below the median of up to `reference` before them. */
  private judgeScale(name: string, evaluations: readonly Evaluation[], recent: number, reference: number, sigma: number, critical: number): Reading {
    const count = evaluations.length;
    const recentEvaluations = evaluations.slice(count - recent);
    const referenceEvaluations = evaluations.slice(Math.max(0, count - recent - reference), count - recent);
    const level = median(referenceEvaluations.map((e) => e.value));
    const recentLevel = median(recentEvaluations.map((e) => e.value));
    const error = sigma * Math.sqrt(MEDIAN_VARIANCE * (1 / recent + 1 / referenceEvaluations.length));
    const drop = level - recentLevel;
    const z = tOf(drop, error);
    const everyBelow = recentEvaluations.every((e) => e.value < level - sigma);
    const active = z >= critical && everyBelow && drop >= this.options.minDrop * Math.abs(level) && drop > 0;
    return {
      series: name,
      active,
      z,
      critical,
      reference: level,
      recent: recentLevel,
      recentCount: recent,
      referenceCount: referenceEvaluations.length,
      sigma,
      error,
      since: recentEvaluations[0]!.step,
      evaluations: count,
      train: this.compareTrain(referenceEvaluations, recentEvaluations),
    };
  }

  /**
   * The training reward over the steps up to the reference evaluations' last (from the one
   * before them) against the steps up to the recent evaluations' last: Welch t of the means.
   * Undefined when either span has fewer than 2 training records.
   */
  private compareTrain(reference: readonly Evaluation[], recent: readonly Evaluation[]): TrainComparison | undefined {
    const start = reference[0]!.train;
    const middle = reference[reference.length - 1]!.train;
    const end = recent[recent.length - 1]!.train;
    const before = span(start, middle);
    const after = span(middle, end);
    if (before === undefined || after === undefined) return undefined;
    const error = Math.sqrt(before.variance / before.n + after.variance / after.n);
    const difference = after.mean - before.mean;
    const t = tOf(difference, error);
    return { before: before.mean, after: after.mean, t, error };
  }

  private condition(step: number, reading: Reading): Condition {
    const { metric, severity, trainT, gapZ: gapCritical } = this.options;
    const { recentCount: recent, referenceCount: reference } = reading;
    const { train } = reading;
    const trainFell = train !== undefined && train.t <= -trainT;
    const gap = train === undefined ? undefined : gapOf(reading, train);
    // Both falling is no gap between them: context for the detectors that explain the fall. A gap
    // is called only when shown: the held-out drop beyond the training reward's own change, over
    // the error of both. A training reward too noisy to have "fallen" may still have fallen as far.
    const signal: AlertSignal =
      gap === undefined ? 'instability' : trainFell ? 'info' : gap.z >= gapCritical ? 'exploit' : 'instability';
    const trainText =
      train === undefined
        ? 'no training reward logged to compare'
        : `the training reward ${trainFell ? 'fell' : train.t >= SIGNIFICANT_RISE ? 'rose' : 'held'} ${fmt(train.before)} -> ${fmt(train.after)} (t ${fmt(train.t)})`;
    const verdictText =
      gap === undefined || signal === 'info'
        ? ''
        : signal === 'exploit'
          ? `: the policy gains on its training reward and loses on held-out data (a gap of ${fmt(gap.size)}, z ${fmt(gap.z)})`
          : `, too uncertain to show a gap between them (${fmt(gap.size)}, z ${fmt(gap.z)} of ${fmt(gapCritical)})`;
    const message = reading.active
      ? `held-out ${reading.series} fell ${fmt(reading.reference)} -> ${fmt(reading.recent)}: each of the last ${recent} evaluations ` +
        `(since step ${reading.since}) below the median of the ${reference} before, z ${fmt(reading.z)} (critical ` +
        `${fmt(reading.critical)}) against its evaluation-to-evaluation sd ${fmt(reading.sigma)}, while ${trainText}${verdictText}`
      : `held-out ${reading.series} at ${fmt(reading.recent)} over the last ${recent} evaluations (reference ${fmt(reading.reference)}, ` +
        `z ${fmt(reading.z)}, critical ${fmt(reading.critical)})`;
    return {
      detector: 'heldOutDivergence',
      metric,
      step,
      active: reading.active,
      severity: signal === 'info' ? 'info' : severity,
      signal,
      message,
      value: finiteT(reading.z),
      threshold: reading.critical,
      evidence: {
        stats: {
          reference: reading.reference,
          recent: reading.recent,
          drop: reading.reference - reading.recent,
          z: finiteT(reading.z),
          critical: reading.critical,
          sigma: reading.sigma,
          since: reading.since,
          evaluations: reading.evaluations,
          ...(train === undefined ? {} : { trainBefore: train.before, trainAfter: train.after, trainT: finiteT(train.t) }),
          ...(gap === undefined ? {} : { gap: gap.size, gapZ: finiteT(gap.z) }),
        },
      },
    };
  }
}

/**
 * The gap a held-out drop opens on the training reward: the drop plus the training reward's change
 * over the same evaluations (a rise widens it, a fall narrows it), with its z over both errors.
 */
function gapOf(reading: Reading, train: TrainComparison): { size: number; z: number } {
  const size = reading.reference - reading.recent + (train.after - train.before);
  return { size, z: tOf(size, Math.hypot(reading.error, train.error)) };
}

/** A t at which the training reward is said to have risen (wording only). */
const SIGNIFICANT_RISE = 3;

/** Which of two series' readings a record's condition reports: an active one, else the nearer to its critical value. */
function outranks(reading: Reading, other: Reading): boolean {
  if (reading.active !== other.active) return reading.active;
  return reading.z / reading.critical > other.z / other.critical;
}

/** Mean and variance of the training rewards between two snapshots, when there are at least 2. */
function span(from: TrainSums, to: TrainSums): { n: number; mean: number; variance: number } | undefined {
  const n = to.n - from.n;
  if (n < 2) return undefined;
  const mean = (to.sum - from.sum) / n;
  const variance = Math.max(0, (to.squares - from.squares - n * mean * mean) / (n - 1));
  return { n, mean, variance };
}
