import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import { METRIC } from '../src/core/metric-names.js';
import type { Alert, StepRecord } from '../src/core/types.js';
import { GroupCollapseJudge, GroupRecordSteps } from '../src/detectors/group-collapse.js';
import { finiteOrMissing } from '../src/detectors/select.js';
import { ZeroAdvantageJudge } from '../src/detectors/zero-advantage.js';
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
      const advantages = new ZeroAdvantageJudge({ detector: rule.detector, metric, persistence: rule.persistence, severity: rule.collapseSeverity });
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
            // The within-group spread is what GRPO's advantages are made of; a policy that answers
            // each prompt one way keeps its batch spread at a mid level, so the batch std is the fallback.
            rewardStd: finiteOrMissing(m[METRIC.rewardGroupStd]) ?? finiteOrMissing(m[METRIC.rewardStd]),
            rewardMin: finiteOrMissing(m[METRIC.rewardMin]),
            rewardMax: finiteOrMissing(m[METRIC.rewardMax]),
          });
          if (summary !== undefined) return judge.judge(summary);
          // No zero-spread fraction logged (verl): the advantages' extremes show a step without any.
          return m[metric] === undefined ? advantages.judge(record.step, m) : undefined;
        },
      };
    });
}

/**
 * Detects GRPO group collapse from trainer step metrics: `groups/zero_std_frac` (TRL's
 * `frac_reward_zero_std`), beside `reward/mean`, the reward spread (`reward/group_std`, TRL's
 * `reward_std` before v0.27, else `reward/std`) and, when logged, `groups/all_min_frac` /
 * `groups/all_max_frac`.
 *
 * Like `groupCollapse`, which counts stuck and all-correct groups from the samples; here they
 * are the logged fractions when present, else bounded from where the step's mean reward sits
 * between the floor and the ceiling (see `GroupRecordSteps`). Eval records are ignored.
 *
 * A log without the fraction but with the advantages' extremes (verl's `critic/advantages/max|min`)
 * is judged on the steps whose advantages are all 0, where every group had zero spread (see
 * `ZeroAdvantageJudge`): a run of them after a learning signal is a collapse once it has lasted
 * `persistence` steps and is unlikely under the run's own rate of such steps (a 10^-5 chance);
 * at the run's highest reward it is mastery, before any signal "no learning signal yet".
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
 * records (TRL logs every `logging_steps`): collapse needs 80% zero-spread groups after an
 * earlier record with a learning signal, 3 such records in a row whose share of stuck groups
 * (zero spread below the ceiling) is significantly above the share in the 20 records before, and
 * the spread at most half its baseline (skipped when the log has none). A log does not say how
 * many groups a fraction pools: a record counts as the smallest n its fractions are all multiples
 * of (TRL's are k/G, or k/(G·K) averaged over a logging window of K steps; n divides that, so the
 * test never counts more groups than there were), else as one group whose outcome is the fraction
 * (the most a share in [0, 1] can vary: slower, never more often). Without `reward/min`/`reward/max`
 * the levels are the run's lowest and highest step means, and a record's stuck share is an interval
 * (at least zeroStdFrac − m, at most min(zeroStdFrac, 1 − m) for a binary reward, m the mean's
 * position between them); the records under test count at its low end and the baseline at its
 * high end, placed again with the levels in force at each test, since a log without them learns the
 * floor only when the reward reaches it. Mastery (info) needs most groups at the ceiling and no
 * rise in stuck groups: a policy that answers every prompt one way at a mid level (frac 1.0,
 * reward_std 0, reward ~0.56, best step 0.81) is a collapse, not "56% all at the ceiling 0.813".
 * On the real TRL logs, the saturated healthy run (frac 0.5-1.0 with reward ~0.93) stays at info
 * (mastery) and the collapsed one (frac 0.9-1.0, reward 0 from step 160; fractions in 1/20, so 20
 * groups a record) opens a critical collapse at step 170 (3 records at 96% stuck against at most
 * 23% before). Evidence: the fractions, the group count, reward mean and spread, baseline, the
 * run's and the baseline's stuck shares, floor and ceiling. Cost: O(20) per record (the baseline
 * median and shares).
 *
 * @see groupCollapse
 * @see hysteresis
 */
export function groupCollapseFromSteps(config: GroupCollapseFromStepsConfig = {}): OperatorFunction<StepRecord, Alert> {
  const conditions = groupCollapseFromStepsConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
