import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, SampleRef, Severity } from '../src/core/types.js';
import { DiversityWindow } from '../src/detectors/diversity.js';
import { checkBetween, checkInteger, checkSeverity, fmt, pct } from '../src/detectors/select.js';
import { textFeaturesOf, wordTokensOf } from '../src/detectors/text-features.js';
import { RateRule, resolveRateJudgeConfig, sampleOf, StepClock, type RateJudgeConfig } from '../src/detectors/windowed-rate.js';
import { DEFAULT_MAX_CHARS } from '../src/kernels/word-tokens.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions, type JudgedMachine } from './internal/judged.js';

export interface DiversityCollapseConfig extends RateJudgeConfig {
  /**
   * Fewest words for a response to count as a possible duplicate: short answers coincide across
   * prompts legitimately ("A", "12"). Default 5.
   */
  readonly minWords?: number;
  /** Words per n-gram of the window's distinct-n. Default 2. */
  readonly n?: number;
  /**
   * Relative fall of the window's distinct-n below its baseline that counts as collapse on its
   * own (near-duplicates that are not word-for-word equal). Default 0.6 (a fall to 40% of the
   * baseline). Longer responses lower distinct-n somewhat (Heaps' law: ~30% for 3× the length
   * in simulated prose), hence the large default.
   */
  readonly minDrop?: number;
  /**
   * Distinct-n is measured on every `distinctEvery`-th response (a systematic sample spanning the
   * same window; its table work dominates the detector's cost). Default 8; 1 measures every one.
   */
  readonly distinctEvery?: number;
  /** Only the first `maxChars` UTF-16 code units of a response are analysed. Default 32768. */
  readonly maxChars?: number;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  /** Passed to `hysteresis()`. */
  readonly hysteresis?: HysteresisConfig;
}

/** The `metric` of diversityCollapse's alerts. */
export const DIVERSITY_COLLAPSE_METRIC = 'response/diversity';

class DiversityDetector implements JudgedMachine<RewardEvent> {
  private readonly window: DiversityWindow;
  private readonly clock: StepClock;
  private readonly duplicates: RateRule;
  private seen = 0;
  private skipped = 0;
  private distinctBaseline = Number.NaN;
  private distinctStreak = 0;

  constructor(
    private readonly config: ReturnType<typeof resolveRateJudgeConfig>,
    private readonly n: number,
    minWords: number,
    distinctEvery: number,
    private readonly minDrop: number,
    private readonly maxChars: number,
    private readonly severity: Severity,
  ) {
    this.window = new DiversityWindow({ window: config.window, n, minWords, distinctEvery }, (event) => wordTokensOf(event, maxChars));
    this.clock = new StepClock(config.judgeEvery);
    this.duplicates = new RateRule(config);
  }

  push(event: RewardEvent): Condition | undefined {
    const features = textFeaturesOf(event, this.maxChars);
    if (features === undefined) {
      this.skipped++;
      return undefined;
    }
    const previous = this.clock.step;
    let condition = this.clock.closes(event.step) ? this.judge(previous) : undefined;
    this.window.push(event, features.keyHi, features.keyLo, features.words);
    this.seen++;
    if (this.clock.full() && condition === undefined) condition = this.judge(event.step);
    return condition;
  }

  flush(): Condition | undefined {
    return this.clock.pending() ? this.judge(this.clock.step) : undefined;
  }

  private judge(step: number): Condition | undefined {
    const { config, window } = this;
    if (this.seen < config.warmup || window.responses < config.minSamples) return undefined;
    const duplicates = this.duplicates.judge(window.crossDuplicateCount, window.keyed, step);
    const distinct = window.distinctRatio;
    if (Number.isNaN(this.distinctBaseline)) this.distinctBaseline = distinct;
    const distinctFloor = this.distinctBaseline * (1 - this.minDrop);
    const distinctRule = distinct < distinctFloor;
    this.distinctStreak = distinctRule ? this.distinctStreak + 1 : 0;
    if (!distinctRule) this.distinctBaseline += config.baselineAlpha * (distinct - this.distinctBaseline);
    const duplicatesActive = duplicates?.active ?? false;
    const distinctActive = this.distinctStreak >= config.persistence;
    const active = duplicatesActive || distinctActive;
    const share = window.keyed === 0 ? 0 : window.crossDuplicateCount / window.keyed;
    const top = active ? window.mostRepeated(5) : [];
    const samples: SampleRef[] = top.map((r) => sampleOf(r.event, r.count));
    const repeated = top[0];
    const { keyed } = window;
    const { n, distinctBaseline } = this;
    return {
      detector: 'diversityCollapse',
      metric: DIVERSITY_COLLAPSE_METRIC,
      step,
      active,
      severity: this.severity,
      signal: 'exploit',
      // Built when read: hysteresis reads the message only of the conditions that become alerts.
      get message() {
        const head = repeated === undefined
          ? ''
          : `; most repeated (${repeated.count}x across ${repeated.contexts} prompts): ${JSON.stringify(excerpt(repeated.event.response ?? ''))}`;
        return active
          ? `${pct(share)} of the last ${keyed} responses duplicate a response to another prompt` +
              `${duplicates === undefined ? '' : ` (baseline ${pct(duplicates.baseline)}, threshold ${pct(duplicates.threshold)})`}; ` +
              `distinct-${n} ${fmt(distinct)} vs baseline ${fmt(distinctBaseline)}${head}`
          : `cross-prompt duplicates at ${pct(share)} of the last ${keyed} responses, distinct-${n} ${fmt(distinct)} (baseline ${fmt(distinctBaseline)})`;
      },
      value: share,
      threshold: duplicates?.threshold ?? config.minRate,
      evidence: {
        stats: {
          crossDuplicateShare: share,
          crossDuplicates: window.crossDuplicateCount,
          keyed: window.keyed,
          responses: window.responses,
          distinct,
          distinctBaseline: this.distinctBaseline,
          distinctFloor,
          ...(duplicates === undefined ? {} : { duplicateBaseline: duplicates.baseline, duplicateThreshold: duplicates.threshold }),
          skipped: this.skipped,
        },
        ...(samples.length > 0 ? { samples } : {}),
      },
    };
  }
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Raw per-step `Condition`s of {@link diversityCollapse} (before hysteresis). Validates the config
 * at call time.
 */
export function diversityCollapseConditions(config: DiversityCollapseConfig = {}): OperatorFunction<RewardEvent, Condition> {
  if (typeof config !== 'object') throw new TypeError('diversityCollapse config must be an object');
  const judge = resolveRateJudgeConfig('diversityCollapse', config);
  const minWords = checkInteger('diversityCollapse', 'minWords', config.minWords ?? 5, 1);
  const n = checkInteger('diversityCollapse', 'n', config.n ?? 2, 1);
  const minDrop = checkBetween('diversityCollapse', 'minDrop', config.minDrop ?? 0.6, 0, 1);
  const distinctEvery = checkInteger('diversityCollapse', 'distinctEvery', config.distinctEvery ?? 8, 1);
  const maxChars = checkInteger('diversityCollapse', 'maxChars', config.maxChars ?? DEFAULT_MAX_CHARS, 1);
  const severity = checkSeverity('diversityCollapse', 'severity', config.severity ?? 'warning');
  return judgedConditions(() => new DiversityDetector(judge, n, minWords, distinctEvery, minDrop, maxChars, severity));
}

/**
 * Flags mode collapse: many responses identical (word for word) to responses given to other
 * prompts, or the window's distinct-n falling far below the run's baseline.
 *
 * Like `repetition`, but across responses rather than within one: `repetition` sees a response
 * that loops, `diversityCollapse` sees the same response returned for every prompt. Duplicates
 * within one GRPO group (the same short answer eight times on an easy prompt) do not count; only
 * duplicates across groups (or prompts, when there is no group) do.
 *
 * ```
 * step:      1   2   3   4   5   6
 * responses: ok  ok  ok  M   M   M        (M = one memorized string for every prompt)
 *            diversityCollapse({ window: 64 })
 * output:    ------------------o------    o = onset (exploit warning) after 2 judgements
 * ```
 *
 * @example
 * ```ts
 * import { diversityCollapse } from 'goodhart/operators';
 * events$.pipe(diversityCollapse({ minWords: 3 })).subscribe((alert) => console.log(alert.message));
 * ```
 *
 * Statistic: per step, over the last `window` (256) responses, the share of keyed responses
 * (≥ `minWords` words) whose word sequence occurs under two or more groups/prompts, judged like a
 * rate (floor 20%, 15 points above a baseline capped at 10%, Wilson z = 3, 2 judgements in a
 * row); and the window's distinct-n against an EWMA baseline (active below `1 − minDrop` of it for
 * 2 judgements). Warm-up: `window` responses. False alarms: healthy simulated runs have no
 * cross-prompt duplicates of 5+ words and a stable distinct-2, so neither rule comes near its
 * threshold. Evidence: the statistics and the most repeated responses with their copy counts
 * (as the sample `score`).
 * @see repetition
 */
export function diversityCollapse(config: DiversityCollapseConfig = {}): OperatorFunction<RewardEvent, Alert> {
  const conditions = diversityCollapseConditions(config);
  const alerts = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, alerts);
}
