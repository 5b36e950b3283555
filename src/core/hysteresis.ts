/**
 * The pure state machine behind the `hysteresis()` operator: per episode key, raw detector
 * `Condition`s in, at most one `Alert` out per condition.
 *
 * Per key (`detector:metric`, with the tag): idle -> (active condition, not cooling down) onset ->
 * active -> (inactive on `clearAfter` distinct steps in a row) resolved -> idle, where no new onset
 * may start until `cooldown` steps after the resolving step. While active, an `ongoing` alert is
 * emitted every `ongoingEvery` steps and at once whenever the condition's severity or signal
 * changes. Cost: O(1) per condition, memory O(number of keys).
 */
import type { Condition } from './condition.js';
import type { Alert, AlertSignal, AlertState, Severity } from './types.js';

export interface HysteresisConfig {
  /**
   * Distinct steps in a row on which every observation of the key must be inactive before the
   * episode resolves (an active observation restarts the count). Default `3`.
   */
  readonly clearAfter?: number;
  /**
   * Steps after a `resolved` alert during which the same key cannot open a new episode: an active
   * condition at step `s` starts one only if `s - resolvedStep >= cooldown`. `0` disables it.
   * Default `5`.
   */
  readonly cooldown?: number;
  /**
   * Steps between `ongoing` reminders while an episode stays active; `Infinity` never reminds
   * (severity or signal changes are still reported). Default `10`.
   */
  readonly ongoingEvery?: number;
}

export const HYSTERESIS_DEFAULTS = { clearAfter: 3, cooldown: 5, ongoingEvery: 10 } as const;

/** Throws a RangeError naming the field when a hysteresis config value is out of range. */
export function resolveHysteresisConfig(config: HysteresisConfig = {}): Required<HysteresisConfig> {
  if (typeof config !== 'object') throw new TypeError('hysteresis config must be an object');
  const clearAfter = config.clearAfter ?? HYSTERESIS_DEFAULTS.clearAfter;
  const cooldown = config.cooldown ?? HYSTERESIS_DEFAULTS.cooldown;
  const ongoingEvery = config.ongoingEvery ?? HYSTERESIS_DEFAULTS.ongoingEvery;
  if (!Number.isInteger(clearAfter) || clearAfter < 1) {
    throw new RangeError(`hysteresis clearAfter must be an integer >= 1, got ${String(clearAfter)}`);
  }
  if (!(Number.isFinite(cooldown) && cooldown >= 0)) {
    throw new RangeError(`hysteresis cooldown must be a finite number >= 0, got ${String(cooldown)}`);
  }
  if (!(ongoingEvery > 0)) {
    throw new RangeError(`hysteresis ongoingEvery must be > 0 (Infinity for never), got ${String(ongoingEvery)}`);
  }
  return { clearAfter, cooldown, ongoingEvery };
}

interface Episode {
  readonly since: number;
  lastEmittedStep: number;
  severity: Severity;
  signal: AlertSignal;
  /** Distinct inactive steps in a row so far. */
  clearSteps: number;
  lastClearStep: number;
}

interface KeyState {
  episode: Episode | undefined;
  /** Step of the last `resolved` alert, for the cooldown. */
  resolvedStep: number;
}

export class Hysteresis {
  private readonly config: Required<HysteresisConfig>;
  /** tag ('' when untagged) -> detector -> metric -> state. */
  private readonly keys = new Map<string, Map<string, Map<string, KeyState>>>();

  constructor(config: HysteresisConfig = {}) {
    this.config = resolveHysteresisConfig(config);
  }

  /** The key of the previous condition and its state: most conditions repeat it, no lookup needed. */
  private lastDetector = '';
  private lastMetric = '';
  private lastTag: string | undefined;
  private lastState: KeyState | undefined;

  /** Feeds one condition; returns the alert it triggers, if any. */
  next(condition: Condition): Alert | undefined {
    const state = this.stateOf(condition);
    const episode = state.episode;
    if (episode === undefined) {
      if (!condition.active || condition.step - state.resolvedStep < this.config.cooldown) return undefined;
      state.episode = {
        since: condition.step,
        lastEmittedStep: condition.step,
        severity: condition.severity,
        signal: condition.signal,
        clearSteps: 0,
        lastClearStep: Number.NEGATIVE_INFINITY,
      };
      return toAlert(condition, 'onset', condition.step, condition.severity, condition.signal);
    }
    if (condition.active) {
      episode.clearSteps = 0;
      const changed = condition.severity !== episode.severity || condition.signal !== episode.signal;
      if (!changed && condition.step - episode.lastEmittedStep < this.config.ongoingEvery) return undefined;
      episode.lastEmittedStep = condition.step;
      episode.severity = condition.severity;
      episode.signal = condition.signal;
      return toAlert(condition, 'ongoing', episode.since, episode.severity, episode.signal);
    }
    if (episode.clearSteps === 0 || condition.step !== episode.lastClearStep) {
      episode.clearSteps += 1;
      episode.lastClearStep = condition.step;
    }
    if (episode.clearSteps < this.config.clearAfter) return undefined;
    state.episode = undefined;
    state.resolvedStep = condition.step;
    return toAlert(condition, 'resolved', episode.since, episode.severity, episode.signal);
  }

  private stateOf(condition: Condition): KeyState {
    if (
      this.lastState !== undefined &&
      condition.detector === this.lastDetector &&
      condition.metric === this.lastMetric &&
      condition.tag === this.lastTag
    ) {
      return this.lastState;
    }
    // Nested maps keyed by the condition's own strings: no key string is built per condition.
    const tagKey = condition.tag ?? '';
    let byDetector = this.keys.get(tagKey);
    if (byDetector === undefined) {
      byDetector = new Map();
      this.keys.set(tagKey, byDetector);
    }
    let byMetric = byDetector.get(condition.detector);
    if (byMetric === undefined) {
      byMetric = new Map();
      byDetector.set(condition.detector, byMetric);
    }
    let state = byMetric.get(condition.metric);
    if (state === undefined) {
      state = { episode: undefined, resolvedStep: Number.NEGATIVE_INFINITY };
      byMetric.set(condition.metric, state);
    }
    this.lastDetector = condition.detector;
    this.lastMetric = condition.metric;
    this.lastTag = condition.tag;
    this.lastState = state;
    return state;
  }
}

function toAlert(
  condition: Condition,
  state: AlertState,
  since: number,
  severity: Severity,
  signal: AlertSignal,
): Alert {
  const alert: Alert = {
    id: `${condition.detector}:${condition.metric}:${since}`,
    detector: condition.detector,
    metric: condition.metric,
    severity,
    signal,
    step: condition.step,
    message: condition.message,
    value: condition.value,
    threshold: condition.threshold,
    since,
    evidence: condition.evidence,
    state,
  };
  if (condition.tag === undefined && condition.t === undefined) return alert;
  return {
    ...alert,
    ...(condition.tag === undefined ? {} : { tag: condition.tag }),
    ...(condition.t === undefined ? {} : { t: condition.t }),
  };
}
