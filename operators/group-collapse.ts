import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, SampleRef, Severity } from '../src/core/types.js';
import { GroupCollapseJudge, GroupSteps, type GroupCollapseOptions } from '../src/detectors/group-collapse.js';
import {
  checkBetween,
  checkInteger,
  checkPositive,
  checkSeverity,
  finiteOrMissing,
  resolveSelect,
  type NumericSelectConfig,
} from '../src/detectors/select.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

/** The judgement settings shared by `groupCollapse` and `groupCollapseFromSteps`. */
export interface GroupCollapseRuleConfig {
  /** Fraction of groups with zero spread from which a step has "most groups" collapsed. Default 0.8. */
  readonly zeroStdFrac?: number;
  /**
   * Fraction of all groups zero-spread at the ceiling that names mastery, or at the floor that names
   * an all-wrong start "no learning signal yet". A collapse needs no such majority (see `z`). Default 0.5.
   */
  readonly levelFrac?: number;
  /** The step's reward spread (mean within-group std) must fall to this fraction of its baseline for a collapse. Default 0.5. */
  readonly stdRatio?: number;
  /** Consecutive collapsed steps before the condition turns active. Default 3. */
  readonly persistence?: number;
  /**
   * Steps of the baselines: the median spread of the last this many steps with a learning signal,
   * and the share of stuck groups (zero spread below the ceiling) over the last this many steps
   * since the first one. Default 20.
   */
  readonly baselineSteps?: number;
  /**
   * A collapse needs the share of stuck groups (all wrong, or all at one partial reward) over its
   * steps to be significantly above the baseline share: the two-proportion z statistic (both shares
   * are estimates) must reach this. Mastery needs it not to.
   * Default 4.26 (one-sided 10^-5: the test runs every step, so about one false alarm per 10^5 steps).
   */
  readonly z?: number;
  /** Severity of a partial collapse; a total one (every group at the floor) is critical. Default 'warning'. */
  readonly severity?: Severity;
  /** Reward floor (all wrong). Default: the lowest reward seen so far. */
  readonly floor?: number;
  /** Reward ceiling (all right). Default: the highest reward seen so far. */
  readonly ceiling?: number;
  /** Passed to `hysteresis()`. Default hysteresis defaults. */
  readonly hysteresis?: HysteresisConfig;
}

export interface GroupCollapseConfig<T = RewardEvent> extends NumericSelectConfig<T>, GroupCollapseRuleConfig {
  /** Group id of a sample; samples without one are skipped and counted. Default `x.group`. */
  readonly group?: (item: T) => string | undefined;
  /** Close a group at this many members; default: at the end of its step. */
  readonly groupSize?: number;
  /**
   * Evidence for a sample, called only for the samples a step cites (the last one of each
   * zero-spread group, up to 5 per level). Default: its step, group, reward, components, length,
   * response.
   */
  readonly sample?: (item: T) => SampleRef;
}

export const GROUP_COLLAPSE_DEFAULTS = {
  zeroStdFrac: 0.8,
  levelFrac: 0.5,
  stdRatio: 0.5,
  persistence: 3,
  baselineSteps: 20,
  z: 4.26,
  severity: 'warning',
} as const;

/** Validates the shared rule settings; throws RangeError/TypeError naming the field. */
export function resolveGroupCollapseRule(detector: string, metric: string, config: GroupCollapseRuleConfig): GroupCollapseOptions {
  const d = GROUP_COLLAPSE_DEFAULTS;
  if (config.floor !== undefined && !Number.isFinite(config.floor)) throw new RangeError(`${detector} floor must be finite, got ${String(config.floor)}`);
  if (config.ceiling !== undefined && !Number.isFinite(config.ceiling)) throw new RangeError(`${detector} ceiling must be finite, got ${String(config.ceiling)}`);
  if (config.floor !== undefined && config.ceiling !== undefined && !(config.ceiling > config.floor)) {
    throw new RangeError(`${detector} ceiling must be above floor, got floor ${String(config.floor)} and ceiling ${String(config.ceiling)}`);
  }
  return {
    detector,
    metric,
    zeroStdFrac: checkBetween(detector, 'zeroStdFrac', config.zeroStdFrac ?? d.zeroStdFrac, 0, 1, 'high'),
    levelFrac: checkBetween(detector, 'levelFrac', config.levelFrac ?? d.levelFrac, 0, 1, 'high'),
    stdRatio: checkPositive(detector, 'stdRatio', config.stdRatio ?? d.stdRatio),
    persistence: checkInteger(detector, 'persistence', config.persistence ?? d.persistence, 1),
    baselineSteps: checkInteger(detector, 'baselineSteps', config.baselineSteps ?? d.baselineSteps, 1),
    z: checkPositive(detector, 'z', config.z ?? d.z, true),
    collapseSeverity: checkSeverity(detector, 'severity', config.severity ?? d.severity),
  };
}

function defaultSample(item: unknown): SampleRef {
  const event = item as Partial<RewardEvent>;
  return {
    step: event.step ?? Number.NaN,
    ...(event.group === undefined ? {} : { group: event.group }),
    ...(event.components === undefined ? {} : { components: event.components }),
    ...(event.length === undefined ? {} : { length: event.length }),
    ...(event.response === undefined ? {} : { response: event.response }),
  };
}

/**
 * Raw per-step `Condition`s of {@link groupCollapse} (before hysteresis), for composing detectors.
 * Validates the config at call time.
 */
export function groupCollapseConditions<T = RewardEvent>(config: GroupCollapseConfig<T> = {}): OperatorFunction<T, Condition> {
  const selection = resolveSelect('groupCollapse', config, 'reward');
  const rule = resolveGroupCollapseRule('groupCollapse', selection.metric, config);
  if (config.group !== undefined && typeof config.group !== 'function') throw new TypeError('groupCollapse group must be a function');
  if (config.sample !== undefined && typeof config.sample !== 'function') throw new TypeError('groupCollapse sample must be a function');
  const groupSize = config.groupSize === undefined ? undefined : checkInteger('groupCollapse', 'groupSize', config.groupSize, 2);
  const groupOf = config.group ?? ((item: T) => (item as Partial<RewardEvent>).group);
  const sampleOf: (item: T) => SampleRef = config.sample ?? defaultSample;
  return judgedConditions(() => {
    const steps = new GroupSteps(sampleOf, { groupSize, floor: config.floor, ceiling: config.ceiling });
    const judge = new GroupCollapseJudge(rule);
    return {
      push: (item: T) => {
        const value = finiteOrMissing(selection.select(item));
        const group = groupOf(item);
        if (value === undefined || group === undefined) return undefined;
        const summary = steps.add(selection.step(item), group, value, item);
        return summary === undefined ? undefined : judge.judge(summary);
      },
      flush: () => {
        const summary = steps.finish();
        return summary === undefined ? undefined : judge.judge(summary);
      },
    };
  });
}

/**
 * Detects GRPO groups whose rewards have no spread, and tells collapse (groups stuck below the
 * ceiling: the learning signal is gone where the policy has not learnt) from mastery (groups all
 * right: the prompts are too easy).
 *
 * Like `groupCollapseFromSteps`, but computed from the samples themselves, so the all-wrong,
 * stuck and all-correct groups are counted, not estimated (radixark/miles' all_zero_ratio /
 * all_one_ratio).
 *
 * ```
 * step:     1  2  3  4  5  6            8 groups of 8 per step; from step 3 on all wrong
 * samples:  -a--a--f--f--f--f--|         a = a healthy step, f = a step of all-zero groups
 *           groupCollapse({ persistence: 3 })
 * alerts:   ----------i-----c--|         i = info onset for step 3 (judged when step 4 starts):
 *                                        "... all at the floor 0 ...; watching for persistence";
 *                                        c = critical at step 5: "learning signal gone: 100% of 8
 *                                        groups have identical rewards, 100% all at the floor 0 ...
 *                                        for 3 steps since step 3 (100% of their groups stuck
 *                                        below the ceiling vs 0% before) ..."
 * ```
 *
 * @example
 * ```ts
 * import { groupCollapse } from 'goodhart/operators';
 * const alerts$ = events$.pipe(groupCollapse({ groupSize: 8, floor: 0, ceiling: 1 }));
 * ```
 *
 * Statistic, per step (a step ends when a later step's sample arrives, or at completion; a group
 * closes at `groupSize` members or at its step's end): the fraction of groups (with at least two
 * finite rewards) whose sample std is 0 (TRL's `isclose(std, 0)`), the fractions of groups at the
 * floor, at the ceiling, and stuck (zero spread below the ceiling), against the configured levels
 * else the run's lowest and highest rewards so far, and the mean within-group std. Rule: see
 * `GroupCollapseJudge`. A collapse run is a stretch of steps with at least `zeroStdFrac` (0.8) of
 * the groups zero-spread after a learning signal earlier in the run; it is a collapse (warning;
 * critical when every group is zero-spread at the floor) after `persistence` (3) steps when its
 * share of stuck groups is significantly above the run's own share in the 20 steps before it
 * (two-proportion z-test with continuity correction, `z` 4.26) and the step's within-group spread
 * is at most `stdRatio` (0.5) of its baseline (median over the last 20 steps that had a learning
 * signal). Stuck, not all wrong, and no majority of them: a policy that turned to one answer per
 * prompt, right for 56% of its prompts, has lost the signal on the other 44%, whichever level holds
 * more groups; what marks a collapse is more stuck groups than the run's own rate predicts. With a
 * success rate p a group of G is all wrong with probability (1 − p)^G, 0.85 at p = 0.02 and G = 8,
 * so a run that solves 2% of its samples has most groups stuck and an all-wrong step every few
 * steps without anything changing. The test is made every step, so `z` is set for one false alarm
 * per 10^5 steps (one-sided 1e-5), not per test; the continuity correction keeps a baseline of a
 * few groups (a lucky first step) from passing for evidence. Mostly all-correct with no rise in
 * stuck groups is `info` (mastery; judged over the collapse run, as the test is); an all-wrong start
 * is `info` ("no learning signal yet"), never collapse.
 * Warm-up and false alarms: healthy runs have many zero-spread groups (easy and hard prompts), so
 * the rule needs all of the above; healthy simulated runs (binary, shaped, continuous), stationary
 * binary runs down to p = 0.005 (groups of 4 to 16; 40 seeds of 400 steps at groups of 4 and 8)
 * and runs that learn most prompts while a quarter stay impossible raise nothing above info. A
 * collapse from a low rate takes more steps to prove: from p = 0.3 or 0.1 to 0 with groups of 8,
 * 2 steps; from 0.05, 3-6; from 0.02, 7-18. A policy that turns to one answer per prompt at a mid
 * level (16 prompts, ~56% right), 2 steps. Evidence: the step's fractions (`floorFrac`,
 * `ceilingFrac`, `stuckFrac`), reward mean and spread, baseline spread, the run's and the
 * baseline's shares of stuck groups (`runStuckFrac`, `baselineStuckFrac`), levels (each only once
 * it exists: no baseline before a step with a learning signal or known levels, no levels while
 * every reward is equal; never NaN), and up to 5 offending groups (their common reward, std 0, one
 * member's response).
 * Missing rewards or groups are skipped. Cost: O(1) expected per sample, O(groups + 20) per step.
 *
 * @see groupCollapseFromSteps the same rule on `groups/zero_std_frac` step metrics
 * @see GroupAccumulator the kernel
 * @see hysteresis
 */
export function groupCollapse<T = RewardEvent>(config: GroupCollapseConfig<T> = {}): OperatorFunction<T, Alert> {
  const conditions = groupCollapseConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
