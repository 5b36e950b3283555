/**
 * The detectors and step summarizer the verbs run, built from goodhart.config.json. Kept in one
 * place so `audit`, `summary`, `report`, `watch` and `demo` judge a run identically: the full
 * default set (`sampleDetectors`, which runs `stepDetectors` over `summarizeSteps` of the same
 * stream), whatever the input holds (samples, trainer step records, or both).
 */
import type { OperatorFunction } from 'rxjs';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import { SAMPLE_DETECTOR_SLOTS, sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import { STEP_DETECTOR_SLOTS, type StepDetectorsConfig } from '../../operators/step-detectors.js';
import type { StepRecord } from '../core/types.js';
import type { Ingested } from '../sources/ingested.js';
import type { Detect } from './analyze.js';
import type { GoodhartConfig } from './config.js';
import { UsageError } from './options.js';
import { parallelDetect } from './parallel-detect.js';

type Settings = Readonly<Record<string, unknown>> | false;

/**
 * The `sampleDetectors` config for a goodhart.config.json: `detectors.<name>` goes to the sample
 * slot or the step slot of that name (an unknown name is an error listing the known ones),
 * `formatTags`/`formatPreset` to `formatGaming`, `trueComponent` to `componentDominance`.
 */
export function pipelineConfig(config: GoodhartConfig): SampleDetectorsConfig {
  const sample: Record<string, Settings> = {};
  const step: Record<string, Settings> = {};
  const sampleSlots: readonly string[] = SAMPLE_DETECTOR_SLOTS;
  const stepSlots: readonly string[] = STEP_DETECTOR_SLOTS;
  for (const [name, settings] of Object.entries(config.detectors ?? {})) {
    if (sampleSlots.includes(name)) sample[name] = settings;
    else if (stepSlots.includes(name)) step[name] = settings;
    else throw new UsageError(`config field "detectors.${name}": no such detector (known: ${[...sampleSlots, ...stepSlots].join(', ')})`);
  }
  if (config.formatTags !== undefined && sample['formatGaming'] !== false) {
    sample['formatGaming'] = { tags: config.formatTags, ...(sample['formatGaming'] ?? {}) };
  }
  if (config.trueComponent !== undefined) {
    const slot = sampleSlots.includes('componentDominance') ? sample : stepSlots.includes('componentDominance') ? step : undefined;
    if (slot === undefined) throw new UsageError('config field "trueComponent": this build has no componentDominance detector');
    if (slot['componentDominance'] !== false) slot['componentDominance'] = { true: config.trueComponent, ...(slot['componentDominance'] ?? {}) };
  }
  const steps = step as StepDetectorsConfig;
  return {
    ...(sample as SampleDetectorsConfig),
    ...(config.sensitivity === undefined ? {} : { sensitivity: config.sensitivity }),
    ...(config.maxLength === undefined ? {} : { maxLength: config.maxLength }),
    ...(config.formatPreset === undefined ? {} : { format: config.formatPreset }),
    ...(Object.keys(step).length === 0 ? {} : { steps }),
  };
}

/**
 * The full default detector set for a config; a setting the detectors reject is bad usage (exit
 * 2). With `threads` >= 2 the text detectors run on a worker thread when the input has text
 * (`parallelDetect`: the same alerts in the same order).
 */
export function defaultDetect(config: GoodhartConfig, threads = 1): Detect {
  try {
    const pipeline = pipelineConfig(config);
    return threads >= 2 ? parallelDetect(pipeline) : sampleDetectors(pipeline);
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(`config: ${error.message}`);
    throw error;
  }
}

/** The step summarizer for a config (`maxLength` gives clip ratios). */
export function defaultSummarize(config: GoodhartConfig): OperatorFunction<Ingested, StepRecord> {
  return summarizeSteps(config.maxLength === undefined ? {} : { maxLength: config.maxLength });
}
