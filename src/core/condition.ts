/**
 * The raw per-observation output of a detector, before `hysteresis()` turns it into alerts.
 *
 * A detector does not decide when to alert. For every observation it judges (a sample, a step
 * record, a window) it emits one `Condition`: "at step `step` my rule is `active` (true) or not,
 * the watched statistic is `value` against `threshold`". `hysteresis()` then produces exactly one
 * `onset` alert per episode, optional `ongoing` reminders, and one `resolved` alert once the
 * condition has stayed false long enough, with a cooldown against flapping.
 *
 * Contract for detector authors:
 * - Emit a condition for every observation once warmed up, active or not: `resolved` is driven by
 *   inactive conditions, so a detector that only emits when its rule fires never resolves.
 *   During warm-up, emit nothing (an inactive condition is harmless too).
 * - `detector` + `metric` (+ `tag`) identify the episode; keep them stable across observations.
 * - `severity` and `signal` describe the condition while active. A detector may escalate
 *   (`info` -> `warning` when a co-occurring signal appears): hysteresis reports the change as an
 *   `ongoing` alert at once. For inactive conditions `severity`/`signal` are ignored.
 * - `message` is plain English with the numbers, written for the current state: an active
 *   condition says what is wrong ("reward flat at 0.93 while mean length rose 217 -> 611"), an
 *   inactive one may say it is back to normal; the message of the inactive condition that
 *   resolves an episode becomes the `resolved` alert's message.
 * - `step` should not decrease within a key (per-sample detectors emit many conditions per step).
 * - Cost: hysteresis does O(1) work per condition and reads `message`, `value`, `threshold` and
 *   `evidence` only when it emits an alert, so a per-sample detector may reuse one inactive
 *   condition object per step, and needs to emit an inactive condition only once per step
 *   (`clearAfter` counts distinct steps); build the message and evidence of active conditions
 *   only when the rule holds.
 *
 * @example
 * ```ts
 * import type { Condition } from 'goodhart';
 * const c: Condition = {
 *   detector: 'truncation', metric: 'length/clip_ratio', step: 120, active: true,
 *   severity: 'warning', signal: 'collapse', value: 0.62, threshold: 0.3,
 *   message: '62% of completions clipped at the length cap (threshold 30%)',
 *   evidence: { stats: { clipRatio: 0.62 } },
 * };
 * ```
 */
import type { AlertSignal, Evidence, Severity } from './types.js';

export interface Condition {
  /** Operator name (`meanShift`, `formatGaming`, ...). */
  readonly detector: string;
  /** What was watched (`reward`, `reward/mean`, `length/mean`, ...). */
  readonly metric: string;
  /** Trainer step of the observation. */
  readonly step: number;
  /** Whether the detector's rule holds at this observation. */
  readonly active: boolean;
  /** Severity while active (ignored when inactive). */
  readonly severity: Severity;
  /** What the condition says about the run while active (see `AlertSignal`). */
  readonly signal: AlertSignal;
  /** Plain English with the numbers, for the current state. */
  readonly message: string;
  readonly value: number;
  readonly threshold: number;
  readonly evidence: Evidence;
  /** Pipeline name (see `tag()`); part of the episode key. */
  readonly tag?: string;
  /** Wall-clock time in ms since the epoch. */
  readonly t?: number;
}

/** Episode key of a condition or alert: `detector:metric`, prefixed by `tag|` when tagged. */
export function episodeKey(item: {
  readonly detector: string;
  readonly metric: string;
  readonly tag?: string;
}): string {
  const base = `${item.detector}:${item.metric}`;
  return item.tag === undefined ? base : `${item.tag}|${base}`;
}
