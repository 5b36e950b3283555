/**
 * The default detector set cut in two for two threads: the text detectors (`repetition`,
 * `diversityCollapse`, `formatGaming`, `degenerateOutputs`: tokenizing and hashing every
 * response, most of the CPU of a text run) and the rest (group, drift and dominance detectors,
 * constraints, the step pipeline). Every detector is its own state machine, so the two halves
 * raise exactly the alerts the whole set raises; and the text detectors lead the set's detector
 * order, so "text alerts of an item before the other alerts of that item" (`OrderedMerge`, lane 0
 * first) is the order the whole set emits them in.
 */
import { Subject } from 'rxjs';
import { sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert, RewardEvent } from '../core/types.js';

/** The text detectors' slots: the leading four of `SAMPLE_DETECTOR_SLOTS`, in that order. */
export const TEXT_DETECTOR_SLOTS = ['repetition', 'diversityCollapse', 'formatGaming', 'degenerateOutputs'] as const;

/** The two halves of a pipeline config; `text` is undefined when every text detector is off. */
export function splitConfig(config: SampleDetectorsConfig): { readonly text: SampleDetectorsConfig | undefined; readonly rest: SampleDetectorsConfig } {
  const textOff = Object.fromEntries(TEXT_DETECTOR_SLOTS.map((slot) => [slot, false]));
  const rest: SampleDetectorsConfig = { ...config, ...textOff };
  if (TEXT_DETECTOR_SLOTS.every((slot) => config[slot] === false)) return { text: undefined, rest };
  const text: SampleDetectorsConfig = {
    ...config,
    groupCollapse: false,
    lengthDrift: false,
    componentDominance: false,
    steps: false,
    constraints: [],
    extra: [],
  };
  return { text, rest };
}

/**
 * What the text detectors read of an event (the checks, and the samples cited as evidence):
 * everything else stays behind when events cross to the worker thread. `prompt` is the
 * duplicate detector's context only when there is no `group`.
 */
export function textFields(event: RewardEvent): RewardEvent {
  // Assigned one by one rather than spread: V8 builds spread copies field by field on a slow path.
  const picked: { -readonly [K in keyof RewardEvent]: RewardEvent[K] } = { step: event.step };
  if (event.reward !== undefined) picked.reward = event.reward;
  if (event.components !== undefined) picked.components = event.components;
  if (event.group !== undefined) picked.group = event.group;
  else if (event.prompt !== undefined) picked.prompt = event.prompt;
  if (event.response !== undefined) picked.response = event.response;
  if (event.length !== undefined) picked.length = event.length;
  return picked;
}

/**
 * The text detectors driven one event at a time, each alert tagged with the index of the item
 * that raised it (`Infinity` for the flush at the end); the same on the main thread and on the
 * worker.
 */
export class TextDetectorRun {
  private readonly input = new Subject<RewardEvent>();
  private index = -1;
  private indices: number[] = [];
  private alerts: Alert[] = [];

  constructor(config: SampleDetectorsConfig) {
    this.input.pipe(sampleDetectors(config)).subscribe((alert) => {
      this.indices.push(this.index);
      this.alerts.push(alert);
    });
  }

  push(index: number, event: RewardEvent): void {
    this.index = index;
    this.input.next(event);
  }

  /** The source ended: flush every detector. */
  end(): void {
    this.index = Infinity;
    this.input.complete();
  }

  /** The alerts raised since the last call, with their item indices. */
  drain(): { readonly indices: number[]; readonly alerts: Alert[] } {
    const drained = { indices: this.indices, alerts: this.alerts };
    this.indices = [];
    this.alerts = [];
    return drained;
  }
}
