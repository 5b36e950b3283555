/**
 * The detectors and step summarizer the verbs run, built from goodhart.config.json. Kept in one
 * place so `audit`, `summary`, `report`, `watch` and `demo` judge a run identically: the full
 * default set (`sampleDetectors`, which runs `stepDetectors` over `summarizeSteps` of the same
 * stream), whatever the input holds (samples, trainer step records, or both).
 */
import type { OperatorFunction } from 'rxjs';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import type { AlertName } from '../../operators/internal/detector-spec.js';
import { sampleDetectorLists, sampleDetectors } from '../../operators/sample-detectors.js';
import type { StepRecord } from '../core/types.js';
import type { Ingested } from '../sources/ingested.js';
import type { Detect } from './analyze.js';
import type { GoodhartConfig } from './config.js';
import { pipelineConfig } from './config-detectors.js';
import { UsageError } from './options.js';
import { parallelDetect } from './parallel-detect.js';

/** One detector of a pipeline that ran: its slot and the name its alerts carry. */
export interface DetectorRun extends AlertName {
  readonly slot: string;
}

/**
 * The detectors the default set runs for a config, in pipeline order: each one's slot and the
 * name its alerts carry (`{ slot: 'klTrend', detector: 'trend', metric: 'kl' }`), read from the
 * pipeline itself. Twin slots that watch the same series under the same name (samples and trainer
 * logs) appear once.
 */
export function defaultDetectors(config: GoodhartConfig): DetectorRun[] {
  const { sample, step } = sampleDetectorLists(pipelineConfig(config));
  const listed = new Map<string, DetectorRun>();
  for (const spec of [...sample, ...(step ?? [])]) {
    if (spec.alerts === undefined) continue;
    const key = `${spec.alerts.detector}\u0000${spec.alerts.metric}`;
    if (!listed.has(key)) listed.set(key, { slot: spec.slot, ...spec.alerts });
  }
  return [...listed.values()];
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
