import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, RewardEvent, Severity } from '../src/core/types.js';
import { RateDetector } from '../src/detectors/rate-detector.js';
import { checkInteger, checkSeverity, fmt, pct } from '../src/detectors/select.js';
import { analysedFeaturesOf, type TextFeatures } from '../src/detectors/text-features.js';
import { resolveRateJudgeConfig, sampleOf, TypicalReward, WindowedRate, type RateJudgeConfig } from '../src/detectors/windowed-rate.js';
import { DEFAULT_MAX_CHARS } from '../src/kernels/word-tokens.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface DegenerateOutputsConfig extends RateJudgeConfig {
  /**
   * Tags that must be balanced (as many `<tag>` as `</tag>`): a response that opens one and never
   * closes it is malformed. A response with none of them is balanced (an untagged answer is not
   * degenerate). Default `['think', 'reasoning', 'answer']`.
   */
  readonly tags?: readonly string[];
  /**
   * The completion length cap in the units of `RewardEvent.length` (tokens), when known: a
   * response at or beyond it that ends mid-word is truncated. Default: unknown (no truncation
   * check: without the cap, a response ending mid-word may just be terse).
   */
  readonly lengthCap?: number;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  /** Passed to `hysteresis()`. */
  readonly hysteresis?: HysteresisConfig;
}

/** The `metric` of degenerateOutputs's alerts. */
export const DEGENERATE_OUTPUTS_METRIC = 'response/degenerate';

/** A response ending in a letter or digit (any script) stops mid-word. */
const ENDS_MID_WORD = /[\p{L}\p{N}]$/u;

/** Why a response is degenerate, or `undefined` when it is not. */
export type DegenerateKind = 'empty' | 'malformed' | 'truncated';

/** C0 controls other than tab, line feed and carriage return, DEL, C1 controls, U+FFFD. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const MALFORMED_UNITS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/;
/** Anything but white space (`\s` is the set `String.prototype.trim` strips), found without a trimmed copy. */
const CONTENT = /\S/;
/** `/`, which makes a tag a closing one. */
const SLASH = 0x2f;

/**
 * The `<tag>`/`</tag>` needles of a tag list, built once instead of per response, and the checks
 * of one response. Empty and malformed units come free from the shared text pass when another
 * detector has already analysed the response (`analysedFeaturesOf`), else from native regex scans.
 */
class TagBalance {
  private readonly tags: readonly string[];
  private readonly opens: readonly string[];
  private readonly closes: readonly string[];
  /** The first code unit of each tag name. */
  private readonly firsts: Uint16Array;
  /** Openings minus closings of each tag in the response being scanned. */
  private readonly depth: Int32Array;

  constructor(tags: readonly string[]) {
    this.tags = [...tags];
    this.opens = tags.map((tag) => `<${tag}>`);
    this.closes = tags.map((tag) => `</${tag}>`);
    this.firsts = Uint16Array.from(tags, (tag) => tag.charCodeAt(0));
    this.depth = new Int32Array(tags.length);
  }

  /** Whether this was built for the same tag names, in the same order. */
  matches(tags: readonly string[]): boolean {
    return tags.length === this.tags.length && tags.every((tag, index) => tag === this.tags[index]);
  }

  /**
   * `empty` when `response` is all white space, `malformed` for a bad unit or an unbalanced tag.
   * `features` are the response's shared text features when already computed.
   */
  scan(response: string, features: TextFeatures | undefined): 'empty' | 'malformed' | undefined {
    // The tokenizer's flags describe the whole response only when it was analysed in full.
    const whole = features !== undefined && features.chars <= DEFAULT_MAX_CHARS ? features : undefined;
    if (whole === undefined ? !CONTENT.test(response) : !whole.hasContent) return 'empty';
    if (whole === undefined ? MALFORMED_UNITS.test(response) : whole.hasMalformedUnit) return 'malformed';
    return this.balanced(response) ? undefined : 'malformed';
  }

  /**
   * Whether every tag opens as often as it closes, from one pass over the response's `<`: a
   * needle starts with its only `<`, so its occurrences cannot overlap and are counted exactly
   * once each, as separate `indexOf` scans per needle would count them.
   */
  private balanced(response: string): boolean {
    const { opens, closes, firsts, depth } = this;
    depth.fill(0);
    for (let at = response.indexOf('<'); at >= 0; at = response.indexOf('<', at + 1)) {
      const closing = response.charCodeAt(at + 1) === SLASH;
      const needles = closing ? closes : opens;
      // The name's first unit rules out most tags before a full comparison.
      const first = response.charCodeAt(closing ? at + 2 : at + 1);
      for (let tag = 0; tag < needles.length; tag++) {
        if (first === firsts[tag] && response.startsWith(needles[tag]!, at)) depth[tag]! += closing ? -1 : 1;
      }
    }
    for (let tag = 0; tag < depth.length; tag++) if (depth[tag] !== 0) return false;
    return true;
  }
}

let lastBalance: TagBalance | undefined;

function classify(
  balance: TagBalance,
  response: string,
  features: TextFeatures | undefined,
  length: number | undefined,
  lengthCap: number | undefined,
): DegenerateKind | undefined {
  const kind = balance.scan(response, features);
  if (kind !== undefined) return kind;
  if (lengthCap !== undefined && length !== undefined && length >= lengthCap && ENDS_MID_WORD.test(response)) {
    return 'truncated';
  }
  return undefined;
}

/**
 * Classifies one response: `empty` (nothing but white space), `malformed` (control characters,
 * U+FFFD replacement characters from broken decoding, or an unbalanced configured tag),
 * `truncated` (`length >= lengthCap` and the text ends mid-word), else `undefined`. O(length)
 * native scans (regexes for empty and malformed units, `indexOf` for the `<` of tags), no
 * allocation per response (the tag needles are built once per tag list). `features`, the
 * response's shared text features (`textFeaturesOf`) when at hand, answer the empty and
 * malformed-unit checks without a scan.
 */
export function degenerateKind(
  response: string,
  length: number | undefined,
  tags: readonly string[],
  lengthCap: number | undefined,
  features?: TextFeatures,
): DegenerateKind | undefined {
  if (lastBalance?.matches(tags) !== true) lastBalance = new TagBalance(tags);
  return classify(lastBalance, response, features, length, lengthCap);
}

/**
 * Raw per-step `Condition`s of {@link degenerateOutputs} (before hysteresis). Validates the config
 * at call time.
 */
export function degenerateOutputsConditions(config: DegenerateOutputsConfig = {}): OperatorFunction<RewardEvent, Condition> {
  if (typeof config !== 'object') throw new TypeError('degenerateOutputs config must be an object');
  const judge = resolveRateJudgeConfig('degenerateOutputs', config);
  const tags = config.tags ?? ['think', 'reasoning', 'answer'];
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && /^[A-Za-z_][\w.-]*$/.test(tag))) {
    throw new TypeError('degenerateOutputs tags must be an array of tag names');
  }
  const lengthCap = config.lengthCap === undefined ? undefined : checkInteger('degenerateOutputs', 'lengthCap', config.lengthCap, 1);
  const severity = checkSeverity('degenerateOutputs', 'severity', config.severity ?? 'warning');

  return judgedConditions(() => {
    const typical = new TypicalReward();
    const paidDegenerate = new WindowedRate(judge.window);
    const balance = new TagBalance(tags);
    const counts = { empty: 0, malformed: 0, truncated: 0 };
    const paidShare = (flagged: number): number => (flagged === 0 ? 0 : Math.min(1, paidDegenerate.count / flagged));
    const score = (event: RewardEvent): number => {
      const response = event.response;
      if (typeof response !== 'string') return Number.NaN;
      const paid = typical.paid(event.reward);
      const kind = classify(balance, response, analysedFeaturesOf(event), event.length, lengthCap);
      // "Paid" means paid what sound responses typically get: once most responses are degenerate,
      // a typical reward over all of them would sink to the floor they are paid, and half of them
      // would count as paid at the floor.
      if (kind === undefined) typical.observe(event.reward);
      paidDegenerate.push(kind !== undefined && paid);
      if (kind === undefined) return 0;
      counts[kind]++;
      return 1;
    };
    return new RateDetector<RewardEvent>({
      detector: 'degenerateOutputs',
      metric: DEGENERATE_OUTPUTS_METRIC,
      judge,
      step: (event) => event.step,
      score,
      flagAt: 1,
      sample: (event, s) => sampleOf(event, s),
      severity,
      // Paid garbage is an exploit of the reward; unpaid garbage means the policy is breaking down.
      signal: (j) => (paidShare(j.flagged) >= 0.5 ? 'exploit' : 'collapse'),
      message: (j) => {
        const kinds = `run so far: ${counts.empty} empty, ${counts.malformed} malformed, ${counts.truncated} truncated`;
        return j.active
          ? `${pct(j.rate)} of the last ${j.samples} responses are degenerate (${kinds}); ${pct(paidShare(j.flagged))} of them ` +
              `paid at least the typical reward of sound responses (${fmt(typical.value)}); baseline ${pct(j.baseline)}, threshold ${pct(j.threshold)}`
          : `degenerate responses at ${pct(j.rate)} of the last ${j.samples} (baseline ${pct(j.baseline)}, threshold ${pct(j.threshold)})`;
      },
      stats: (j) => ({ ...counts, paidShare: paidShare(j.flagged), typicalReward: typical.value }),
    });
  });
}

/**
 * Flags a run that produces empty, malformed or truncated responses at a rate well above its own
 * baseline: `exploit` when most of them are paid at least the typical reward of sound
 * (non-degenerate) responses and above their floor (the reward is being fooled), `collapse` when
 * they are not (the policy is breaking down and learns nothing; garbage at the floor of a run that
 * pays nothing yet is not paid).
 *
 * Like `formatGaming`, a windowed rate of flagged responses judged per step; but it judges the
 * text itself, whatever the answer: control characters, U+FFFD from broken decoding, a tag opened
 * and never closed, or a response cut mid-word at the length cap. An untagged answer is not
 * degenerate.
 *
 * ```
 * step:      1   2   3   4   5   6
 * responses: ok  ok  ok  ""  ""  ""       (paid: exploit; at the floor: collapse)
 *            degenerateOutputs({ window: 64 })
 * output:    ------------------o------   o = onset (warning) after 2 judgements
 * ```
 *
 * @example
 * ```ts
 * import { degenerateOutputs } from 'goodhart/operators';
 * events$.pipe(degenerateOutputs({ lengthCap: 1024 })).subscribe((alert) => console.log(alert.message));
 * ```
 *
 * Statistic, defaults, warm-up and false alarms as for `formatGaming` (window 256, floor 20%,
 * rise 15 points over a baseline capped at 10%, Wilson z = 3, 2 judgements in a row). Healthy
 * simulated runs produce no degenerate response; the truncation check needs `lengthCap`, so a
 * terse answer is never called truncated. Evidence: the statistics (counts per kind, paid share,
 * typical reward) and 5 degenerate responses.
 * @see formatGaming
 */
export function degenerateOutputs(config: DegenerateOutputsConfig = {}): OperatorFunction<RewardEvent, Alert> {
  const conditions = degenerateOutputsConditions(config);
  const alerts = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, alerts);
}
