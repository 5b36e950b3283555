/**
 * The learning signal read from a step's logged advantages, for trainers that log their extremes
 * but no zero-spread fraction (verl's `critic/advantages/max|min`): `groupCollapseFromSteps` falls
 * back to it. No rxjs.
 *
 * Under a group baseline (GRPO, RLOO; verl's batch whitening alike) a sample's advantage is 0
 * exactly when the rewards it is compared with are all equal, so `advantage/max` = `advantage/min`
 * = 0 means every group had zero spread: the step gave the policy no gradient at all. The extremes
 * say nothing about how many groups were zero-spread short of all, so only such steps are judged.
 *
 * Rule, per record with both extremes logged:
 * - a step with a nonzero advantage carries a learning signal: inactive;
 * - a step whose advantages are all 0, with the batch's rewards all equal at the run's highest
 *   reward so far (`reward/min` = `reward/max`, at the top): mastery, info;
 * - before any step with a signal: "no learning signal yet", info (an all-wrong start, or a
 *   broken reward from the first step);
 * - otherwise a run of all-zero steps after a signal is a `collapse` (warning; critical when the
 *   batch's rewards all sit at the run's lowest) once it has lasted `persistence` steps AND is
 *   unlikely under the run's own rate of all-zero steps: with q = (z + 1) / (n + 2) (Laplace's
 *   rule of succession over the n signal-era steps before the run, z of them all-zero), the run's
 *   k steps must have q^k <= 1e-5, the one false alarm per 10^5 steps `groupCollapse` is set for.
 *   A batch of a few hard prompts can be all-wrong by chance often (8 groups of 8 at a 2% success
 *   rate: 27% of steps); such a run then needs 9 all-zero steps in a row, one that never had one
 *   needs 3 after 20 steps.
 * Cost: O(1) per record.
 */
import type { Condition } from '../core/condition.js';
import { METRIC } from '../core/metric-names.js';
import type { AlertSignal, Severity } from '../core/types.js';
import { fmt } from './select.js';

/** The chance of the all-zero run under the run's own rate that a collapse needs (see the rule). */
const FALSE_ALARM = 1e-5;

export interface ZeroAdvantageOptions {
  readonly detector: string;
  readonly metric: string;
  readonly persistence: number;
  readonly severity: Severity;
}

export class ZeroAdvantageJudge {
  private readonly options: ZeroAdvantageOptions;
  /** Steps judged since the first one with a signal, before the current all-zero run. */
  private signalEra = 0;
  /** All-zero steps among them. */
  private zeroInEra = 0;
  private run = 0;
  private runStart = Number.NaN;
  /** Whether the current run has been called a collapse: it then never joins the rate. */
  private called = false;
  /** The run's reward when its signal was last seen, for the message. */
  private lastSignalReward = Number.NaN;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;

  constructor(options: ZeroAdvantageOptions) {
    this.options = options;
  }

  /** Judges one record's metrics; undefined when it does not log both advantage extremes. */
  judge(step: number, metrics: Readonly<Record<string, number>>): Condition | undefined {
    const high = metrics[METRIC.advantageMax];
    const low = metrics[METRIC.advantageMin];
    if (high === undefined || low === undefined || !Number.isFinite(high) || !Number.isFinite(low)) return undefined;
    const { detector, metric, persistence } = this.options;
    const rewardMean = metrics[METRIC.rewardMean];
    const rewardMin = metrics[METRIC.rewardMin] ?? rewardMean;
    const rewardMax = metrics[METRIC.rewardMax] ?? rewardMean;
    if (rewardMin !== undefined && rewardMin < this.lowest) this.lowest = rewardMin;
    if (rewardMax !== undefined && rewardMax > this.highest) this.highest = rewardMax;
    const allZero = high === 0 && low === 0;
    const hadSignal = this.signalEra > 0;
    const condition = (active: boolean, severity: Severity, signal: AlertSignal, message: string, stats: Record<string, number>): Condition => ({
      detector,
      metric,
      step,
      threshold: 0,
      value: high - low,
      active,
      severity,
      signal,
      message,
      evidence: { stats },
    });
    const stats: Record<string, number> = { advantageMin: low, advantageMax: high };
    if (!allZero) {
      if (this.run > 0) this.endRun();
      this.signalEra++;
      if (rewardMean !== undefined) this.lastSignalReward = rewardMean;
      return condition(false, 'info', 'info', `advantages ${fmt(low)}..${fmt(high)}: a learning signal`, stats);
    }
    const uniform = rewardMin !== undefined && rewardMax !== undefined && rewardMin === rewardMax;
    if (rewardMean !== undefined) stats.reward = rewardMean;
    // The top of a range: a run whose rewards were never different has no ceiling to be at.
    if (uniform && rewardMax >= this.highest && this.highest > this.lowest) {
      if (this.run > 0) this.endRun();
      if (hadSignal) {
        this.signalEra++;
        this.zeroInEra++;
      }
      const message = `mastery: every advantage 0, every reward ${fmt(rewardMax)}, the highest seen: the prompts give no gradient`;
      return condition(true, 'info', 'info', message, stats);
    }
    if (!hadSignal) {
      const message = 'no learning signal yet: every advantage 0 since the start (advantage/max = min = 0): the prompts may be too hard or the reward broken';
      return condition(true, 'info', 'collapse', message, stats);
    }
    if (this.run === 0) this.runStart = step;
    this.run++;
    const rate = (this.zeroInEra + 1) / (this.signalEra + 2);
    const chance = rate ** this.run;
    const atFloor = uniform && rewardMin <= this.lowest;
    stats.persistence = this.run;
    stats.zeroStepRate = rate;
    stats.chance = chance;
    const before = Number.isFinite(this.lastSignalReward) ? ` (${fmt(this.lastSignalReward)} before)` : '';
    const rewardText = rewardMean === undefined ? '' : `, reward ${fmt(rewardMean)}${before}`;
    const runText =
      `every advantage 0 for ${this.run} step${this.run === 1 ? '' : 's'} since step ${this.runStart} ` +
      `(advantage/max = min = 0: every group's rewards identical${atFloor ? ', all at the floor' : ''})${rewardText}`;
    if (this.run >= persistence && chance <= FALSE_ALARM) {
      this.called = true;
      const message =
        `learning signal gone: ${runText}; ${this.zeroInEra} of the ${this.signalEra} steps before were like it (rate ~${fmt(100 * rate)}%), ` +
        `so ${this.run} in a row has chance ${chance < 1e-12 ? 'under 1e-12' : fmt(chance)}: GRPO gets no gradient`;
      return condition(true, atFloor ? 'critical' : this.options.severity, 'collapse', message, stats);
    }
    return condition(true, 'info', 'collapse', `${runText}; watching (${this.run}/${persistence} steps, chance ${fmt(chance)} vs ${fmt(FALSE_ALARM)})`, stats);
  }

  /** An all-zero run that ended joins the rate it is judged against, unless it was a collapse. */
  private endRun(): void {
    if (!this.called) {
      this.signalEra += this.run;
      this.zeroInEra += this.run;
    }
    this.called = false;
    this.run = 0;
    this.runStart = Number.NaN;
  }
}
