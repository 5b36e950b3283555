/**
 * The detectors and step summarizer the verbs run, built from goodhart.config.json. Kept in one
 * place so `audit`, `summary`, `report`, `watch` and `demo` judge a run identically.
 */
import type { OperatorFunction } from 'rxjs';
import { summarizeSteps } from '../../operators/index.js';
import type { StepRecord } from '../core/types.js';
import type { Ingested } from '../sources/ingested.js';
import type { Detect } from './analyze.js';
import type { GoodhartConfig } from './config.js';
import { UsageError } from './options.js';

/** The full default detector set for a config. */
export function defaultDetect(_config: GoodhartConfig): Detect {
  throw new UsageError('the default detector set is not available in this build');
}

/** The step summarizer for a config (`maxLength` gives clip ratios). */
export function defaultSummarize(config: GoodhartConfig): OperatorFunction<Ingested, StepRecord> {
  return summarizeSteps(config.maxLength === undefined ? {} : { maxLength: config.maxLength });
}
