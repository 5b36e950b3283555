import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, StepRecord } from '../src/core/types.js';
import { ComponentDominanceJudge, ComponentSteps } from '../src/detectors/component-dominance.js';
import {
  checkCheap,
  checkTrue,
  ComponentRoles,
  componentOfMetric,
  DEFAULT_CHEAP,
  type CheapComponents,
  type TrueComponent,
} from '../src/detectors/reward-components.js';
import { METRIC } from '../src/core/metric-names.js';
import { checkBetween, checkInteger, checkPositive, isStepRecordLike } from '../src/detectors/select.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export type { CheapComponents, TrueComponent } from '../src/detectors/reward-components.js';

export interface ComponentDominanceConfig {
  /** Cheap components: a pattern, a list of names or a predicate (called once per name). Default `DEFAULT_CHEAP` (format, length, style, tag, xml, strict, protocol, block, a whole-word int...), by name: see src/detectors/reward-components.ts for why. */
  readonly cheap?: CheapComponents;
  /**
   * The true component: its name, a pattern, or `false` for none. Default: the first non-cheap
   * component matching `DEFAULT_TRUE_PATTERNS` (correct, accura, exact match, pass, verif, math,
   * answer, score); with none, the sum of the non-cheap components stands for it.
   */
  readonly true?: TrueComponent;
  /** Steps in the reference window (before the recent one). Default 10. */
  readonly reference?: number;
  /** Steps in the recent window. Default 3. */
  readonly recent?: number;
  /** A cheap rise must be at least this fraction of the reward scale. Default 0.1. */
  readonly minRise?: number;
  /** ... and this many Welch standard errors of the per-step means. Default 3. */
  readonly tCritical?: number;
  /**
   * The true component gains, so a cheap rise beside it is learning and not an exploit, when its
   * rise is at least this many standard errors of its own step-to-step noise; less is a stall.
   * Default 2.
   */
  readonly trueGainT?: number;
  /**
   * Steps of a cheap component's history (before the recent window) whose least-squares line says
   * where a climb already under way leads; a climbing component's rise is judged beyond that line
   * rather than beyond its reference mean, so a format learnt over the first tens of steps while
   * the task learns slowly is not an exploit. Default 30.
   */
  readonly climbSteps?: number;
  /**
   * Steps in each of the two windows of the divergence rule: the mean reward rising while the true
   * component falls, the last this many steps against as many before. Default 30. Records logged
   * every k > 1 steps (TRL's `logging_steps`, each a mean over its k steps) are counted as k steps
   * each, down to 10 records a window, so a run logged every 10 steps is judged from its 20th
   * record rather than its 60th.
   */
  readonly divergenceSteps?: number;
  /**
   * Over those 2 x `divergenceSteps` steps, the true component is learning, and a cheap rise
   * beside a 13-step stall is no exploit, when its least-squares slope is at least this many
   * standard errors above 0; before that many steps it is taken to be learning. Default 1.
   */
  readonly learningT?: number;
  /** Info when cheap components carry at least this share of the recent reward magnitude. Default 0.5. */
  readonly dominantShare?: number;
  /** Consecutive steps of a cheap rise without true gain before the exploit warning. Default 2. */
  readonly persistence?: number;
  /** `Condition.metric`. Default `'reward/components'`. */
  readonly metric?: string;
  readonly hysteresis?: HysteresisConfig;
}

export const COMPONENT_DOMINANCE_DEFAULTS = {
  cheap: DEFAULT_CHEAP,
  reference: 10,
  recent: 3,
  minRise: 0.1,
  tCritical: 3,
  trueGainT: 2,
  climbSteps: 30,
  divergenceSteps: 30,
  learningT: 1,
  dominantShare: 0.5,
  persistence: 2,
  metric: 'reward/components',
} as const;

/** Raw per-step `Condition`s of {@link componentDominance} (before hysteresis). Validates at call time. */
export function componentDominanceConditions(
  config: ComponentDominanceConfig = {},
): OperatorFunction<RewardEvent | StepRecord, Condition> {
  const name = 'componentDominance';
  if (typeof config !== 'object') throw new TypeError(`${name} config must be an object`);
  const d = COMPONENT_DOMINANCE_DEFAULTS;
  const cheap = checkCheap(name, config.cheap ?? d.cheap);
  const truth = config.true === undefined ? undefined : checkTrue(name, config.true);
  const metric = config.metric ?? d.metric;
  if (typeof metric !== 'string' || metric.length === 0) throw new TypeError(`${name} metric must be a non-empty string`);
  const options = {
    detector: name,
    metric,
    reference: checkInteger(name, 'reference', config.reference ?? d.reference, 2),
    recent: checkInteger(name, 'recent', config.recent ?? d.recent, 1),
    minRise: checkPositive(name, 'minRise', config.minRise ?? d.minRise),
    tCritical: checkPositive(name, 'tCritical', config.tCritical ?? d.tCritical),
    trueGainT: checkPositive(name, 'trueGainT', config.trueGainT ?? d.trueGainT, true),
    climbSteps: checkInteger(name, 'climbSteps', config.climbSteps ?? d.climbSteps, 3),
    divergenceSteps: checkInteger(name, 'divergenceSteps', config.divergenceSteps ?? d.divergenceSteps, 2),
    learningT: checkPositive(name, 'learningT', config.learningT ?? d.learningT, true),
    dominantShare: checkBetween(name, 'dominantShare', config.dominantShare ?? d.dominantShare, 0, 1, 'high'),
    persistence: checkInteger(name, 'persistence', config.persistence ?? d.persistence, 1),
  };
  return judgedConditions(() => {
    const roles = new ComponentRoles(cheap, truth);
    const judge = new ComponentDominanceJudge({ ...options, roles });
    const steps = new ComponentSteps(roles);
    return {
      push(item) {
        if (isStepRecordLike(item)) {
          const record = item;
          if (record.phase === 'eval') return undefined;
          const contributions = new Map<string, number>();
          for (const key in record.metrics) {
            const component = componentOfMetric(key);
            const value = record.metrics[key];
            if (component !== undefined && typeof value === 'number' && Number.isFinite(value)) contributions.set(component, value);
          }
          return judge.judge(record.step, contributions, undefined, record.metrics[METRIC.rewardMean]);
        }
        const event = item;
        if (event.components === undefined) return undefined;
        const finished = steps.add(event, event.components);
        return finished === undefined ? undefined : judge.judge(finished.step, finished.contributions, finished.samples, finished.total);
      },
      flush() {
        const finished = steps.finish();
        return finished === undefined ? undefined : judge.judge(finished.step, finished.contributions, finished.samples, finished.total);
      },
    };
  });
}

/**
 * Detects a cheap reward component (format, length, style...) that drives the total: warns
 * ('exploit') when a cheap component rises while the true component (correctness) does not, and
 * notes (info) when cheap components carry most of the reward without rising.
 *
 * Like `meanShift`, it compares recent steps with earlier ones, but per component and against the
 * component that should carry the reward; `distributionDrift` catches the same verbosity hack from
 * the lengths themselves.
 *
 * ```
 * length:       0   0   0   0   .1  .2  .3  .3 |   per-step mean of a cheap component
 * correctness:  .5  .5  .5  .5  .5  .5  .5  .5 |   the true component stalls
 *               componentDominance({ reference: 3, recent: 1, persistence: 2, divergenceSteps: 2 })
 * alerts:       ------------------------w------|   w = warning 'exploit' at the second rising step
 * ```
 *
 * @example
 * ```ts
 * import { componentDominance } from 'goodhart/operators';
 * const alerts$ = events$.pipe(componentDominance({ true: 'accuracy_reward' }));      // samples
 * const fromLog$ = steps$.pipe(componentDominance());   // StepRecords with reward/<c>/mean
 * ```
 *
 * Input: RewardEvents with `components` (aggregated per step: each component's summed value over
 * the step's samples / the number of samples, so a component absent from a sample contributes 0;
 * a step is judged when a later step starts, and the last one when the source completes), or
 * StepRecords with `reward/<c>/mean` metrics (judged per record; eval records are skipped).
 * Statistic: recent window (3 steps) against the 10 steps before it, per component: the rise in
 * units of the reward scale (the mean per-step sum of |components|) and its Welch t; for a cheap
 * component that was already climbing (a positive least-squares slope over its 30 steps before the
 * recent window), the rise beyond where that line leads, with the forecast's standard error in
 * its t. Exploit =
 * some cheap component rose by >= 10% of the scale and t >= 3, while the true component (or the
 * sum of the non-cheap ones) stalled or fell: its rise is under 2 standard errors of its own
 * noise (the step-to-step spread of its per-step values, which a steady learning trend barely
 * moves), and its least-squares slope over the last 60 steps (as many as there are before
 * that; the records of both divergence windows in a log written every k steps) is under 1
 * standard error (no sign that it is learning at all), for 2 steps in a row. A true component that
 * rises beyond its noise makes the cheap rise learning, however small its gain beside the cheap
 * one. A component first seen later counts as 0 before (it paid nothing).
 * Divergence (also 'exploit'): over the last 30 steps against the 30 before (a log written every
 * k steps: 30/k records each, at least 10), the true component fell by t <= -3 and by 10% of its
 * level while the mean reward did not fall: the reward stopped
 * measuring the task, whichever component paid (a reward model against a logged gold score named
 * by `true`, or a format takeover spread over 40 steps, too slow for the 13-step windows).
 * Why not a share threshold (rewardspy alerts on any component over 90% of the reward): an honest
 * correctness-dominated reward, or a format bonus that saturated early while nothing is learnt, is
 * not an exploit; the exploit is the cheap component *rising* while the true one stalls.
 * Warm-up: 13 steps (60 for the divergence). False alarms: a pinned format bonus varies by far
 * less than 10% of the scale;
 * a run that learns its format over its first tens of steps while its task learns too slowly to
 * show in 13 looks like this rule in every short window, so a climb is judged against its own
 * course (no exploit in 24 such simulated runs with format learnt over 20-100 steps, where the
 * reference mean alone warned in 23). The price: a cheap rise that begins while the component is
 * still being learnt is only seen once it outpaces that climb; formatGaming and distributionDrift
 * judge the text and lengths themselves. A task learnt at 0.002 a step gains 0.013 between the
 * 13-step windows, a tenth of their noise on 128 samples a step, so the short windows call every
 * slow learner stalled: a format spreading along an S-curve beside it was an exploit in 7 of 10
 * simulated runs (in 8 of 10 of a tester's); the 60-step slope makes that 0 of 10 for a task
 * gaining 0.0017 a step once 60 steps exist (an S-curve centred at step 35, judged on the ~30
 * steps there are, still fired in 1 of 5). A task gaining 0.0009 a step is not resolved in 60
 * steps (3 of 10). The price: a cheap rise right after the task was still learning is not an
 * exploit unless the task falls (the divergence) or the lengths drift (distributionDrift: the
 * simulator's verbosity hack at step 60 is hacking within 6 steps through it).
 * Evidence: per component `share:`, `before:`, `after:`, `t:` and, for a climbing one,
 * `expected:`, the divergence's `divergenceProxyT` and `divergenceTrueT`, `trueSlopeT`,
 * plus `cheapShare`, `scale`, `cheapRise`, `trueBefore`, `trueAfter`, `trueGain`, its standard
 * error `trueGainSE` and `trueT` (their ratio); from samples, the 5 samples of the step the cheap
 * components paid most beyond the true one.
 * Cost: O(C) per sample, O(C·60) per step.
 *
 * @see distributionDrift
 * @see componentDominanceConditions
 */
export function componentDominance(config: ComponentDominanceConfig = {}): OperatorFunction<RewardEvent | StepRecord, Alert> {
  const conditions = componentDominanceConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
