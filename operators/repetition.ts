import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, Severity } from '../src/core/types.js';
import { RateDetector } from '../src/detectors/rate-detector.js';
import { checkBetween, checkInteger, checkSeverity, fmt, pct } from '../src/detectors/select.js';
import { textFeaturesOf } from '../src/detectors/text-features.js';
import { resolveRateJudgeConfig, sampleOf, type RateJudgeConfig } from '../src/detectors/windowed-rate.js';
import { DEFAULT_MAX_CHARS } from '../src/kernels/word-tokens.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface RepetitionConfig extends RateJudgeConfig {
  /**
   * Per-response repetition score at or above which a response counts as repetitive. Default 0.5
   * (half of its word 3-grams repeat an earlier one). Calibration: simulated healthy prose of
   * 30–500 tokens scores at most 0.043 by words (p99 ≤ 0.006), the real rollout and completion
   * files at most 0.20; a looped phrase scores 0.95–0.98.
   */
  readonly threshold?: number;
  /** Only the first `maxChars` UTF-16 code units of a response are analysed. Default 32768. */
  readonly maxChars?: number;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  /** Passed to `hysteresis()`. Default hysteresis defaults. */
  readonly hysteresis?: HysteresisConfig;
}

export const REPETITION_DEFAULTS = { threshold: 0.5, severity: 'warning' } as const;

/** The `metric` of repetition's alerts. */
export const REPETITION_METRIC = 'response/repetition';

/**
 * Raw per-step `Condition`s of {@link repetition} (before hysteresis), for composing detectors.
 * Validates the config at call time.
 */
export function repetitionConditions(config: RepetitionConfig = {}): OperatorFunction<RewardEvent, Condition> {
  if (typeof config !== 'object') throw new TypeError('repetition config must be an object');
  const judge = resolveRateJudgeConfig('repetition', config);
  const threshold = checkBetween('repetition', 'threshold', config.threshold ?? REPETITION_DEFAULTS.threshold, 0, 1, 'high');
  const maxChars = checkInteger('repetition', 'maxChars', config.maxChars ?? DEFAULT_MAX_CHARS, 1);
  const severity = checkSeverity('repetition', 'severity', config.severity ?? REPETITION_DEFAULTS.severity);
  return judgedConditions(
    () =>
      new RateDetector<RewardEvent>({
        detector: 'repetition',
        metric: REPETITION_METRIC,
        judge,
        step: (event) => event.step,
        score: (event) => textFeaturesOf(event, maxChars)?.repetition ?? Number.NaN,
        flagAt: threshold,
        sample: (event, score) => sampleOf(event, score),
        severity,
        signal: () => 'exploit',
        message: (j) =>
          j.active
            ? `${pct(j.rate)} of the last ${j.samples} responses repeat themselves (repetition >= ${fmt(threshold)}), ` +
              `against a baseline of ${pct(j.baseline)} (threshold ${pct(j.threshold)}), for ${j.streak} steps`
            : `repetitive responses at ${pct(j.rate)} of the last ${j.samples} (baseline ${pct(j.baseline)}, threshold ${pct(j.threshold)})`,
      }),
  );
}

/**
 * Flags a run whose responses loop: the share of responses that repeat their own n-grams rises
 * well above the run's baseline and stays there.
 *
 * Like `formatGaming`, a windowed rate of flagged responses judged per step, but the flag is a
 * repetition score: the share of a response's word 3-grams that repeat an earlier one, or of its
 * char 4-grams for text that is not made of words ("!!!!!", "hahaha…"); see `text-features.ts`.
 * The text is analysed once per event and shared with the other text detectors of a pipeline.
 *
 * ```
 * step:      1   2   3   4   5   6
 * responses: ok  ok  ok  loop loop loop     (one step of `window` responses each)
 *            repetition({ window: 4, persistence: 2 })
 * output:    ----------------o------- ...   o = onset, exploit warning, once the share stayed
 *                                           >= threshold on 2 judgements
 * ```
 *
 * @example
 * ```ts
 * import { repetition } from 'goodhart/operators';
 * events$.pipe(repetition({ threshold: 0.5 })).subscribe((alert) => console.log(alert.message));
 * ```
 *
 * Statistic: per step, the share `r` of repetitive responses among the last `window` (default
 * 256) responses with text; the rule holds when `r >= max(minRate, baseline + minIncrease)`
 * (defaults 0.2 and 0.15) and the Wilson lower bound of `r` at z = 3 clears the baseline (the
 * run's own share, capped at 0.1). Warm-up: the first `window` responses seed the baseline; no
 * condition before. Active after `persistence` (2) judgements in a row. False alarms: healthy text
 * scores at most 0.2 against a per-response threshold of 0.5, so a healthy repetitive share is
 * ≈ 0 and a false episode needs ≥ 20% looping responses twice in a row. Items without a
 * `response` are skipped and counted (`skipped`). Evidence: the statistics and the 5 most
 * repetitive responses of the window with their scores.
 * @see formatGaming
 * @see diversityCollapse for repetition across responses rather than within one
 */
export function repetition(config: RepetitionConfig = {}): OperatorFunction<RewardEvent, Alert> {
  const conditions = repetitionConditions(config);
  const alerts = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, alerts);
}
