import type { InputProblem, RewardEvent, StepRecord } from '../core/types.js';

/**
 * What every file, log and socket source emits: records, and the problems met on the way,
 * in input order. A malformed line becomes a `problem` item on the same stream (the side
 * channel), so nothing good is dropped and every problem is counted where it happened.
 */
export type Ingested =
  | { readonly kind: 'event'; readonly event: RewardEvent }
  | { readonly kind: 'step'; readonly record: StepRecord }
  | { readonly kind: 'problem'; readonly problem: InputProblem };
