/**
 * The default sample pipeline without RxJS: the same detector state machines (each detector's
 * conditions machine, its `Hysteresis`, the `StepSummarizer`) built from the same config by
 * `sampleDetectorLists`, driven by a plain loop. The pipeline benchmark measures the RxJS layer
 * against it, and test/pipelines checks that both give the same alerts in the same order.
 */
import { sampleDetectorLists, type SampleDetectorsConfig } from '../operators/sample-detectors.js';
import { summarizeItem, type SummarizeInput } from '../operators/summarize-steps.js';
import type { DetectorSpec } from '../operators/internal/detector-spec.js';
import { machineFactory, type ConditionMachine } from '../operators/internal/machine.js';
import type { Condition } from '../src/core/condition.js';
import { Hysteresis } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, StepRecord } from '../src/core/types.js';
import { StepSummarizer } from '../src/detectors/step-summary.js';

interface Runner<T> {
  readonly machine: ConditionMachine<T>;
  readonly episodes: Hysteresis;
  readonly only: ((item: T) => boolean) | undefined;
}

function runner<T>(spec: DetectorSpec<T>): Runner<T> {
  const create = spec.conditions === undefined ? undefined : machineFactory(spec.conditions);
  if (create === undefined) throw new TypeError(`plain pipeline: detector ${spec.slot} has no plain state machine`);
  return { machine: create(), episodes: new Hysteresis(spec.hysteresis), only: spec.only };
}

const eventOf = (item: SummarizeInput): RewardEvent | undefined => {
  if ('kind' in item) return item.kind === 'event' ? item.event : undefined;
  return 'metrics' in item ? undefined : item;
};

export class PlainPipeline {
  private readonly sample: Runner<RewardEvent>[];
  private readonly step: Runner<StepRecord>[];
  private readonly summarizer: StepSummarizer | undefined;

  /** `onAlert` receives every alert, in the order the RxJS pipeline emits them. */
  constructor(
    config: SampleDetectorsConfig,
    private readonly onAlert: (alert: Alert) => void,
  ) {
    const lists = sampleDetectorLists(config);
    this.sample = lists.sample.map(runner);
    this.step = (lists.step ?? []).map(runner);
    this.summarizer = lists.step === undefined ? undefined : new StepSummarizer(lists.summarize);
  }

  push(item: SummarizeInput): void {
    const event = eventOf(item);
    if (event !== undefined) for (const r of this.sample) this.feed(r, event);
    if (this.summarizer === undefined) return;
    const record = summarizeItem(this.summarizer, item);
    if (record !== undefined) this.record(record);
  }

  /** The source completed: flush every machine (samples first, then the last step record, then the step machines). */
  finish(): void {
    for (const r of this.sample) this.emit(r, r.machine.flush());
    const last = this.summarizer?.flush();
    if (last !== undefined) this.record(last);
    for (const r of this.step) this.emit(r, r.machine.flush());
  }

  private record(record: StepRecord): void {
    for (const r of this.step) this.feed(r, record);
  }

  private feed<T>(r: Runner<T>, item: T): void {
    if (r.only !== undefined && !r.only(item)) return;
    this.emit(r, r.machine.push(item));
  }

  private emit<T>(r: Runner<T>, condition: Condition | undefined): void {
    if (condition === undefined) return;
    const alert = r.episodes.next(condition);
    if (alert !== undefined) this.onAlert(alert);
  }
}
