import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, Severity } from '../src/core/types.js';
import {
  DEFAULT_PLACEHOLDERS,
  enumeratesOptions,
  FORMAT_PRESETS,
  FormatRule,
  isJunkAnswer,
  PlaceholderSet,
  type FormatPreset,
} from '../src/detectors/format-rules.js';
import { RateDetector } from '../src/detectors/rate-detector.js';
import { checkInteger, checkSeverity, fmt, pct } from '../src/detectors/select.js';
import { resolveRateJudgeConfig, sampleOf, TypicalReward, type RateJudgeConfig } from '../src/detectors/windowed-rate.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export type { FormatPreset } from '../src/detectors/format-rules.js';

export interface FormatGamingConfig extends RateJudgeConfig {
  /**
   * A preset layout: `'reasoningAnswer'` (`<reasoning>...</reasoning><answer>...</answer>`, GSM8K
   * style) or `'thinkAnswer'` (`<think>...</think><answer>...</answer>`). Default
   * `'reasoningAnswer'` unless `tags` or `pattern` is given.
   */
  readonly preset?: FormatPreset;
  /** Tag names that must each appear once as `<tag>...</tag>`, in this order. */
  readonly tags?: readonly string[];
  /** The tag holding the answer. Default the last tag. */
  readonly answerTag?: string;
  /** Instead of tags: a well-formed response matches this regex; answer = group `answer`, else group 1. */
  readonly pattern?: RegExp;
  /** Answer extractor applied to well-formed responses (overrides the tag/regex answer). */
  readonly extract?: (response: string) => string | undefined;
  /**
   * Answers that count as placeholders (case-insensitive). Default `DEFAULT_PLACEHOLDERS` (template
   * text such as "your answer here", not words that can be a right answer such as "none") plus
   * the tag names.
   */
  readonly placeholders?: readonly string[];
  /**
   * Also flag answers that list this many alternatives joined by "or" ("A or B or C"), which
   * beat substring-match rewards; `0` disables the rule. Default 3.
   */
  readonly enumeration?: number;
  /**
   * `'typical'` (default): only paid responses count as gaming, since an unpaid empty answer fools
   * nobody: paid means at least the run's typical reward (an EWMA of every reward so far) and above
   * its floor (the lowest reward so far), so a reward at the floor is never paid, even when nearly
   * every reward sits there (a run that solves nothing yet); `'any'`: ignore the reward.
   */
  readonly paid?: 'typical' | 'any';
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  /** Passed to `hysteresis()`. */
  readonly hysteresis?: HysteresisConfig;
}

/** The `metric` of formatGaming's alerts. */
export const FORMAT_GAMING_METRIC = 'response/format';

/**
 * Raw per-step `Condition`s of {@link formatGaming} (before hysteresis). Validates the config at
 * call time.
 */
export function formatGamingConditions(config: FormatGamingConfig = {}): OperatorFunction<RewardEvent, Condition> {
  if (typeof config !== 'object') throw new TypeError('formatGaming config must be an object');
  const judge = resolveRateJudgeConfig('formatGaming', config);
  const preset = config.preset;
  if (preset !== undefined && !Object.hasOwn(FORMAT_PRESETS, preset)) {
    throw new TypeError(`formatGaming preset must be one of ${Object.keys(FORMAT_PRESETS).join(', ')}, got ${JSON.stringify(preset)}`);
  }
  const useTags = config.tags !== undefined || config.pattern !== undefined;
  const layout = FORMAT_PRESETS[preset ?? 'reasoningAnswer'];
  const rule = new FormatRule('formatGaming', {
    ...(useTags ? {} : { tags: layout.tags, answerTag: layout.answerTag }),
    ...(config.tags === undefined ? {} : { tags: config.tags }),
    ...(config.answerTag === undefined ? {} : { answerTag: config.answerTag }),
    ...(config.pattern === undefined ? {} : { pattern: config.pattern }),
    ...(config.extract === undefined ? {} : { extract: config.extract }),
  });
  const placeholderList: unknown = config.placeholders ?? DEFAULT_PLACEHOLDERS;
  if (!Array.isArray(placeholderList) || !placeholderList.every((p): p is string => typeof p === 'string')) {
    throw new TypeError('formatGaming placeholders must be an array of strings');
  }
  const placeholders = new PlaceholderSet([...placeholderList, ...rule.tags]);
  const enumeration = config.enumeration ?? 3;
  if (enumeration !== 0) checkInteger('formatGaming', 'enumeration', enumeration, 2);
  const paidName: string = config.paid ?? 'typical';
  if (paidName !== 'typical' && paidName !== 'any') throw new TypeError(`formatGaming paid must be 'typical' or 'any', got ${paidName}`);
  const paidMode: 'typical' | 'any' = paidName;
  const severity = checkSeverity('formatGaming', 'severity', config.severity ?? 'warning');
  const what = config.pattern === undefined ? rule.tags.map((tag) => `<${tag}>`).join('') : `/${config.pattern.source}/`;

  return judgedConditions(() => {
    const typical = new TypicalReward();
    let wellFormed = 0;
    const score = (event: RewardEvent): number => {
      const response = event.response;
      if (typeof response !== 'string') return Number.NaN;
      const paid = paidMode === 'any' || typical.paid(event.reward);
      typical.observe(event.reward);
      const view = rule.view(response);
      if (!view.wellFormed) return 0;
      wellFormed++;
      const answer = view.answer ?? '';
      const gamed = isJunkAnswer(answer, placeholders) || (enumeration > 0 && enumeratesOptions(answer, enumeration));
      return gamed && paid ? 1 : 0;
    };
    return new RateDetector<RewardEvent>({
      detector: 'formatGaming',
      metric: FORMAT_GAMING_METRIC,
      judge,
      step: (event) => event.step,
      score,
      flagAt: 1,
      sample: (event, s) => sampleOf(event, s),
      severity,
      signal: () => 'exploit',
      message: (j) =>
        j.active
          ? `${pct(j.rate)} of the last ${j.samples} responses are well-formed ${what} with an empty or junk answer` +
            `${paidMode === 'typical' ? ` yet paid at least the typical reward (${fmt(typical.value)}) and above the floor (${fmt(typical.floor)})` : ''}; ` +
            `baseline ${pct(j.baseline)}, threshold ${pct(j.threshold)}, for ${j.streak} steps`
          : `format gaming at ${pct(j.rate)} of the last ${j.samples} responses (baseline ${pct(j.baseline)}, threshold ${pct(j.threshold)})`,
      stats: () => ({ typicalReward: typical.value, floorReward: typical.floor, wellFormed }),
    });
  });
}

/**
 * Flags reward hacking through the format: responses with the right tags around an empty,
 * punctuation-only or placeholder answer (or one listing every option: "A or B or C") that are
 * still paid (at least the typical reward, above the run's floor), at a rate well above the run's
 * own baseline.
 *
 * Like `degenerateOutputs`, a windowed rate of flagged responses judged per step; but only a
 * well-formed response can game the format, so an untagged answer is never counted (it is just
 * unformatted), and a correct short answer (`<answer>7</answer>`, a symbol such as `<`, `∞` or
 * `∅`, a word such as `none`) is content, not junk.
 *
 * ```
 * step:      1   2   3   4   5   6
 * responses: ok  ok  ok  <answer>...</answer> (paid 1.1)   ...
 *            formatGaming({ window: 64 })
 * output:    ------------------o-------  o = onset, exploit warning, after 2 judgements
 * ```
 *
 * @example
 * ```ts
 * import { formatGaming } from 'goodhart/operators';
 * events$.pipe(formatGaming({ preset: 'thinkAnswer' })).subscribe((alert) => console.log(alert.message));
 * events$.pipe(formatGaming({ pattern: /Answer: (?<answer>.*)$/m }));
 * ```
 *
 * Statistic: per step, the share of gamed responses among the last `window` (default 256)
 * responses with text; rule `r >= max(minRate, baseline + minIncrease)` (0.2, 0.15) with the
 * Wilson lower bound (z = 3) above the baseline (capped at 0.1); active after `persistence` (2)
 * judgements in a row. Warm-up: the first `window` responses. False alarms: a healthy run has no
 * paid junk answers (the simulator's healthy runs flag none), so the healthy rate is ≈ 0 against a
 * 20% floor. "Paid" is judged against an EWMA of all rewards so far and the lowest reward so far,
 * so units never matter and a reward at the floor never counts (junk spreading while nothing is
 * paid, as at the start of a run whose rewards are all 0, is not gaming the reward).
 * Evidence: the statistics (rate, baseline, typical and floor reward, well-formed count) and 5
 * gamed responses.
 * @see degenerateOutputs
 * @see repetition
 */
export function formatGaming(config: FormatGamingConfig = {}): OperatorFunction<RewardEvent, Alert> {
  const conditions = formatGamingConditions(config);
  const alerts = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, alerts);
}
