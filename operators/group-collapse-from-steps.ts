import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import { METRIC } from '../src/core/metric-names.js';
import type { Alert, StepRecord } from '../src/core/types.js';
import { GroupCollapseJudge, GroupRecordSteps } from '../src/detectors/group-collapse.js';
import { finiteOrMissing } from '../src/detectors/select.js';
import { resolveGroupCollapseRule, type GroupCollapseRuleConfig } from './group-collapse.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface GroupCollapseFromStepsConfig extends GroupCollapseRuleConfig {
  /** Metric holding the fraction of zero-spread groups. Default `groups/zero_std_frac`. */
  readonly metric?: string;
}

/**
 * Raw per-record `Condition`s of {@link groupCollapseFromSteps} (before hysteresis).
 * Validates the config at call time.
 */
export function groupCollapseFromStepsConditions(
  config: GroupCollapseFromStepsConfig = {},
): OperatorFunction<StepRecord, Condition> {
  if (typeof config !== 'object') throw new TypeError('groupCollapseFromSteps config must be an object');
  const metric = config.metric ?? METRIC.groupsZeroStdFrac;
  if (typeof metric !== 'string' || metric.length === 0) {
    throw new TypeError(`groupCollapseFromSteps metric must be a non-empty string, got ${metric}`);
  }
  const rule = resolveGroupCollapseRule('groupCollapseFromSteps', metric, config);
  return judgedConditions(() => {
      const records = new GroupRecordSteps({ floor: config.floor, ceiling: config.ceiling });
      const judge = new GroupCollapseJudge(rule);
      return {
        flush: () => undefined,
        push: (record: StepRecord) => {
          if (record.phase === 'eval') return undefined;
          const m = record.metrics;
          const summary = records.summarize({
            step: record.step,
            zeroStdFrac: finiteOrMissing(m[metric]),
            allMinFrac: finiteOrMissing(m[METRIC.groupsAllMinFrac]),
            allMaxFrac: finiteOrMissing(m[METRIC.groupsAllMaxFrac]),
            rewardMean: finiteOrMissing(m[METRIC.rewardMean]),
            rewardStd: finiteOrMissing(m[METRIC.rewardStd]) ?? finiteOrMissing(m[METRIC.rewardGroupStd]),
            rewardMin: finiteOrMissing(m[METRIC.rewardMin]),
            rewardMax: finiteOrMissing(m[METRIC.rewardMax]),
          });
          return summary === undefined ? undefined : judge.judge(summary);
        },
      };
    });
}

/**
 * Detects GRPO group collapse from trainer step metrics: `groups/zero_std_frac` (TRL's
 * `frac_reward_zero_std`), beside `reward/mean`, the reward spread (`reward/std`, else
 * `reward/group_std`) and, when logged, `groups/all_min_frac` / `groups/all_max_frac`.
 *
 * Like `groupCollapse`, which counts all-wrong and all-correct groups from the samples; here they
 * are the logged fractions when present, else bounded from where the step's mean reward sits
 * between the floor and the ceiling (see `GroupRecordSteps`). Eval records are ignored.
 *
 * ```
 * zero_std_frac: -.5-.6-...-.6-1-1-1-|    reward/mean 0.8, 0.7, ... (20 records), then 0 0 0
 *                groupCollapseFromSteps()
 * alerts:        ---------------i-c--|    i = info onset at the first all-wrong record (watching),
 *                                         c = critical at the third
 * ```
 *
 * @example
 * ```ts
 * import { fromFile } from 'goodhart';
 * import { groupCollapseFromSteps } from 'goodhart/operators';
 * import { filter, map } from 'rxjs';
 * const alerts$ = fromFile('trainer_state.json').pipe(
 *   filter((item) => item.kind === 'step'), map((item) => item.record), groupCollapseFromSteps());
 * ```
 *
 * The rule, defaults, warm-up and false-alarm behaviour are `groupCollapse`'s, counted in logged
 * records (TRL logs every `logging_steps`): collapse needs 80% zero-spread groups, half of the
 * groups at the floor, the spread at most half its baseline (skipped when the log has none),
 * an earlier record with a learning signal, and 3 such records in a row whose share of
 * all-wrong groups is significantly above the share in the 20 records before. A log does not say
 * how many groups a fraction pools, so each record counts as one group whose outcome is the
 * fraction: the most a share in [0, 1] can vary, so the test is slower than from samples but never
 * fires more often (against a baseline near 0, 3 all-wrong records suffice; it needs at least a
 * few records before). Estimated shares are placed again with the levels in force at each test,
 * since a log without `reward/min`/`reward/max` learns the floor only when the reward reaches it.
 * On the real TRL logs, the saturated healthy run (frac 0.5-1.0 with reward ~0.93) stays at info
 * (mastery) and the collapsed one (frac 0.9-1.0, reward 0 from step 160) opens a critical
 * collapse at step 180 (5 records at 95% all wrong against 4% before). Evidence: the fractions,
 * reward mean and spread, baseline, the run's and the baseline's all-wrong shares, floor and
 * ceiling. Cost: O(20) per record (the baseline median and shares).
 *
 * @see groupCollapse
 * @see hysteresis
 */
export function groupCollapseFromSteps(config: GroupCollapseFromStepsConfig = {}): OperatorFunction<StepRecord, Alert> {
  const conditions = groupCollapseFromStepsConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
