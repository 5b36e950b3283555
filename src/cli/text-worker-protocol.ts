/** Messages between `parallelDetect` (main thread) and its text worker (text-worker.ts). */
import type { SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert, RewardEvent } from '../core/types.js';

export interface TextWorkerData {
  /** The text half of the pipeline config (`splitConfig`). */
  readonly config: SampleDetectorsConfig;
  /** Two Int32 counters: [0] batches the worker finished, [1] 1 once it failed. */
  readonly progress: SharedArrayBuffer;
}

export type ToWorker =
  /** Events (text fields only) with their item indices; every item up to `upTo` has been sent. */
  | { readonly kind: 'batch'; readonly indices: readonly number[]; readonly events: readonly RewardEvent[]; readonly upTo: number }
  /** The source ended: flush and report. */
  | { readonly kind: 'end' };

export type ToMain =
  /** The alerts of a batch (or of the flush: `done`), tagged with item indices, and the batch's `upTo`. */
  | { readonly kind: 'alerts'; readonly indices: readonly number[]; readonly alerts: readonly Alert[]; readonly upTo: number; readonly done: boolean }
  | { readonly kind: 'failed'; readonly reason: string };
