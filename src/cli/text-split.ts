/**
 * The default detector set cut in two for two threads: the text detectors (`repetition`,
 * `diversityCollapse`, `formatGaming`, `degenerateOutputs`: tokenizing and hashing every
 * response, most of the CPU of a text run) and the rest (group, drift and dominance detectors,
 * constraints, the step pipeline). Every detector is its own state machine, so the two halves
 * raise exactly the alerts the whole set raises; and the text detectors lead the set's detector
 * order, so "text alerts of an item before the other alerts of that item" (`OrderedMerge`, lane 0
 * first) is the order the whole set emits them in.
 */
import { SAMPLE_DETECTOR_SLOTS, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { RewardEvent } from '../core/types.js';

const TEXT_COUNT = 4;
/**
 * The text detectors' slots: the leading four of `SAMPLE_DETECTOR_SLOTS` (`repetition`,
 * `diversityCollapse`, `formatGaming`, `degenerateOutputs`); the rest are the other half.
 */
export const TEXT_DETECTOR_SLOTS = SAMPLE_DETECTOR_SLOTS.slice(0, TEXT_COUNT);
const OTHER_SLOTS = SAMPLE_DETECTOR_SLOTS.slice(TEXT_COUNT);

const off = (slots: readonly string[]): Record<string, false> => Object.fromEntries(slots.map((slot) => [slot, false]));

/** The two halves of a pipeline config; `text` is undefined when every text detector is off. */
export function splitConfig(config: SampleDetectorsConfig): { readonly text: SampleDetectorsConfig | undefined; readonly rest: SampleDetectorsConfig } {
  const rest: SampleDetectorsConfig = { ...config, ...off(TEXT_DETECTOR_SLOTS) };
  if (TEXT_DETECTOR_SLOTS.every((slot) => config[slot] === false)) return { text: undefined, rest };
  const text: SampleDetectorsConfig = { ...config, ...off(OTHER_SLOTS), steps: false, constraints: [], extra: [] };
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
