import { concat, defer, filter, map, of, EMPTY, type Observable, type OperatorFunction } from 'rxjs';
import type { RewardEvent, StepRecord } from '../src/core/types.js';
import { checkStepSummaryConfig, StepSummarizer, type StepSummaryConfig } from '../src/detectors/step-summary.js';
import type { Ingested } from '../src/sources/ingested.js';

export { LATE_METRIC } from '../src/detectors/step-summary.js';

/** What `summarizeSteps()` reads: samples, trainer-logged records, or the `Ingested` items of a source. */
export type SummarizeInput = RewardEvent | StepRecord | Ingested;

/**
 * `summarizeSteps()` configuration. Every field is optional.
 */
export type SummarizeStepsConfig = StepSummaryConfig;

/** Routes one input item to the summarizer; returns the record it completed, if any (problems: none). */
export function summarizeItem(summary: StepSummarizer, item: SummarizeInput): StepRecord | undefined {
  if ('kind' in item) {
    switch (item.kind) {
      case 'event':
        return summary.event(item.event);
      case 'step':
        return summary.record(item.record);
      case 'problem':
        return undefined;
    }
  }
  return 'metrics' in item ? summary.record(item) : summary.event(item);
}

/**
 * Turns scored samples into one `StepRecord` per trainer step with canonical metric names
 * (`reward/mean`, `reward/std`, `reward/group_std`, `reward/<c>/mean`, `groups/zero_std_frac`,
 * `length/mean`, `length/clip_ratio`, `kl`, `samples`...), merging trainer-logged records of
 * the same step, so one set of step-level detectors serves wrapped reward functions, goodhart
 * JSONL and trainer logs alike.
 *
 * Like `bufferWhen` keyed on the step, but O(1) memory per sample: the step's statistics are
 * running moments (Welford) and one GroupAccumulator slot per open GRPO group, and a record is
 * emitted when an item of a later step arrives (so records lag the live stream by one step) or
 * when the source completes. Input may mix `RewardEvent`s, `StepRecord`s and `Ingested` items
 * (problems are ignored here). A trainer record's metrics are kept beside the sample-derived ones,
 * which win where both exist (`reward/*`, `length/*`, `groups/*`, `samples`, `kl` from
 * `event.kl`); eval records pass through unchanged at once. Length is `event.length`, else the
 * response's character count (never the prompt); `length/clip_ratio` needs `maxLength`. Items of
 * an already summarized step are late: not merged, counted as `samples/late` (`LATE_METRIC`) on
 * the next record. src/detectors/step-summary.ts documents every metric.
 *
 * ```
 * source:  -a-b-c-R-d-e-|       a, b, c = events of step 1, R = trainer record of step 1,
 *          summarizeSteps()     d, e = events of step 2
 * output:  ---------1---(2|)    1 = { step: 1, metrics: sample metrics of a-c + R's kl, entropy... },
 *                               2 = step 2, flushed when the source completes
 * ```
 *
 * @example
 * ```ts
 * import { simulate } from 'goodhart';
 * import { summarizeSteps } from 'goodhart/operators';
 * import { from } from 'rxjs';
 * from(simulate({ steps: 50 }))
 *   .pipe(summarizeSteps({ maxLength: 1024 }))
 *   .subscribe((r) => console.log(r.step, r.metrics['reward/mean'], r.metrics['groups/zero_std_frac']));
 * ```
 * Defaults: no `maxLength` (no clip ratio), `ceiling`/`floor` = the step's best/worst reward for
 * `groups/all_max_frac`/`groups/all_min_frac`. A non-finite step errors the stream (RangeError).
 * @see stepDetectors the step-level detectors that read these records
 * @see mergeByStep to order several ranks before summarizing
 */
export function summarizeSteps(config: SummarizeStepsConfig = {}): OperatorFunction<SummarizeInput, StepRecord> {
  checkStepSummaryConfig(config);
  return (source: Observable<SummarizeInput>) =>
    defer(() => {
      const summary = new StepSummarizer(config);
      return concat(
        source.pipe(
          map((item) => summarizeItem(summary, item)),
          filter((record): record is StepRecord => record !== undefined),
        ),
        defer(() => {
          const last = summary.flush();
          return last === undefined ? EMPTY : of(last);
        }),
      );
    });
}
