/**
 * Windowed rate of flagged observations, judged per trainer step against the run's own baseline
 * (or a fixed maximum), with persistence: the pure state behind the rate detectors (`repetition`,
 * `formatGaming`, `degenerateOutputs`, `diversityCollapse`'s duplicate share, `constraint`).
 *
 * - `WindowedRate`: the share of flagged observations among the last `window` (a ring of flags and
 *   a running count: O(1) per observation, no recount).
 * - `RateJudge`: observations arrive in step order; a step is judged when a later step arrives,
 *   when `judgeEvery` observations have accrued since the last judgement (a huge step still gets
 *   judged), or at the end of the stream (`flush`). A judgement is made once `warmup`
 *   observations have been seen and the window holds at least `minSamples`.
 *   - `baseline` mode: the rule holds when the window rate `r` is at least
 *     `threshold = max(minRate, b + minIncrease)`, where `b = min(baseline, maxBaseline)`, AND the
 *     rate is significantly above `b`: the Wilson score lower bound of `r` at `z` exceeds `b`
 *     (an effect-size floor and a significance test: with 10^6 samples everything is
 *     significant, with 20 nothing should be). The baseline starts at the rate of the warm-up
 *     window and follows the window rate by an EWMA (`baselineAlpha`) on judgements where the
 *     rule does not hold, so an exploit never becomes the baseline, a degenerate start decays,
 *     and `maxBaseline` keeps a run that starts hacked from calling its own hack normal.
 *   - `fixed` mode: the rule holds when `r > maxRate` (the baseline is not used).
 *   - The judgement is `active` once the rule has held on `persistence` judgements in a row.
 * - `TopSamples`: the up-to-5 highest-scoring flagged samples of the recent window (ties go to the
 *   newest), for alert evidence.
 *
 * False alarms: the per-observation flags of the text detectors are calibrated so ordinary text is
 * far from them (healthy flag rates ≈ 0), so a healthy window rate is ≈ 0 against a threshold of
 * at least `minRate` (default 0.2): a false judgement needs ≥ 20% flagged observations in a
 * window of healthy ones, `persistence` times in a row.
 */
import type { SampleRef } from '../core/types.js';
import { checkBetween, checkInteger, checkPositive } from './select.js';

/** Share of flagged observations among the last `window`. O(1) per push. */
export class WindowedRate {
  readonly window: number;
  private readonly flags: Uint8Array;
  private next = 0;
  private filled = 0;
  private flagged = 0;

  constructor(window: number) {
    this.window = checkInteger('WindowedRate', 'window', window, 1);
    this.flags = new Uint8Array(window);
  }

  /** Adds one observation, evicting the oldest when the window is full. */
  push(flag: boolean): void {
    const bit = flag ? 1 : 0;
    if (this.filled === this.window) this.flagged -= this.flags[this.next]!;
    else this.filled++;
    this.flags[this.next] = bit;
    this.flagged += bit;
    this.next = this.next + 1 === this.window ? 0 : this.next + 1;
  }

  /** Observations in the window. */
  get size(): number {
    return this.filled;
  }

  /** Flagged observations in the window. */
  get count(): number {
    return this.flagged;
  }

  /** Flagged / observations (0 when empty). */
  get rate(): number {
    return this.filled === 0 ? 0 : this.flagged / this.filled;
  }
}

/**
 * Wilson score interval lower bound for `successes` of `trials` at `z` standard normal quantiles
 * (Wilson 1927; e.g. z = 3 ≈ one-sided 99.87%). 0 when `trials` is 0.
 *
 * @example
 * wilsonLower(50, 100, 1.96); // 0.4038 (the 95% interval is [0.4038, 0.5962])
 */
export function wilsonLower(successes: number, trials: number, z: number): number {
  if (trials === 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - spread) / (1 + z2 / trials));
}

export interface RateJudgeConfig {
  /** Observations in the rate window. Default 256. */
  readonly window?: number;
  /** Fewest observations in the window for a judgement. Default 32. */
  readonly minSamples?: number;
  /** Observations before the first judgement (they seed the baseline). Default `window`. */
  readonly warmup?: number;
  /** Judge after this many observations within one step. Default `window`. */
  readonly judgeEvery?: number;
  /** Judgements in a row on which the rule must hold. Default 2. */
  readonly persistence?: number;
  /** `'baseline'` (default) or `'fixed'` (active above `maxRate`). */
  readonly mode?: 'baseline' | 'fixed';
  /** Baseline mode: the lowest threshold. Default 0.2. */
  readonly minRate?: number;
  /** Baseline mode: the least rise above the baseline. Default 0.15. */
  readonly minIncrease?: number;
  /** Baseline mode: the baseline used never exceeds this. Default 0.1. */
  readonly maxBaseline?: number;
  /** Baseline mode: z of the Wilson lower bound that must clear the baseline. Default 3. */
  readonly z?: number;
  /** Baseline mode: EWMA weight of a quiet judgement in the baseline. Default 0.05. */
  readonly baselineAlpha?: number;
  /** Fixed mode: the largest acceptable rate. Required in fixed mode, in [0, 1). */
  readonly maxRate?: number;
}

export const RATE_JUDGE_DEFAULTS = {
  window: 256,
  minSamples: 32,
  persistence: 2,
  minRate: 0.2,
  minIncrease: 0.15,
  maxBaseline: 0.1,
  z: 3,
  baselineAlpha: 0.05,
} as const;

/** A resolved, validated `RateJudgeConfig`. */
export type ResolvedRateJudgeConfig = Required<RateJudgeConfig>;

/** Validates a `RateJudgeConfig` for `detector`; throws RangeError/TypeError naming the field. */
export function resolveRateJudgeConfig(detector: string, config: RateJudgeConfig): ResolvedRateJudgeConfig {
  const d = RATE_JUDGE_DEFAULTS;
  const window = checkInteger(detector, 'window', config.window ?? d.window, 1);
  const modeName: string = config.mode ?? 'baseline';
  if (modeName !== 'baseline' && modeName !== 'fixed') throw new TypeError(`${detector} mode must be 'baseline' or 'fixed', got ${modeName}`);
  const mode: 'baseline' | 'fixed' = modeName;
  const minSamples = checkInteger(detector, 'minSamples', config.minSamples ?? Math.min(d.minSamples, window), 1);
  if (minSamples > window) throw new RangeError(`${detector} minSamples must be <= window (${window}), got ${minSamples}`);
  const maxRate = config.maxRate ?? 0;
  if (mode === 'fixed') {
    if (config.maxRate === undefined) throw new TypeError(`${detector} maxRate is required`);
    checkBetween(detector, 'maxRate', maxRate, 0, 1, 'low');
  }
  return {
    window,
    minSamples,
    warmup: checkInteger(detector, 'warmup', config.warmup ?? (mode === 'fixed' ? minSamples : window), 0),
    judgeEvery: checkInteger(detector, 'judgeEvery', config.judgeEvery ?? window, 1),
    persistence: checkInteger(detector, 'persistence', config.persistence ?? d.persistence, 1),
    mode,
    minRate: checkBetween(detector, 'minRate', config.minRate ?? d.minRate, 0, 1, 'high'),
    minIncrease: checkBetween(detector, 'minIncrease', config.minIncrease ?? d.minIncrease, 0, 1, 'both'),
    maxBaseline: checkBetween(detector, 'maxBaseline', config.maxBaseline ?? d.maxBaseline, 0, 1, 'both'),
    z: checkPositive(detector, 'z', config.z ?? d.z, true),
    baselineAlpha: checkBetween(detector, 'baselineAlpha', config.baselineAlpha ?? d.baselineAlpha, 0, 1, 'high'),
    maxRate,
  };
}

/** One judgement of a step (see `RateJudge`). */
export interface RateJudgement {
  readonly step: number;
  readonly active: boolean;
  /** Whether the rule held at this judgement (before persistence). */
  readonly rule: boolean;
  readonly rate: number;
  readonly flagged: number;
  readonly samples: number;
  /** Baseline used (capped at `maxBaseline`); `NaN` in fixed mode. */
  readonly baseline: number;
  /** Rate at or above which the rule holds (`maxRate` in fixed mode, exceeded strictly). */
  readonly threshold: number;
  /** Wilson lower bound of the rate at `z` (baseline mode), else the rate. */
  readonly lowerBound: number;
  /** Judgements in a row the rule has held. */
  readonly streak: number;
}

/**
 * When to judge: a step is judged when a later step arrives (before the new observation counts),
 * or once `judgeEvery` observations accrued since the last judgement.
 */
export class StepClock {
  private current = Number.NaN;
  private sinceJudged = 0;

  constructor(private readonly judgeEvery: number) {}

  /** Call before adding an observation at `step`: true when the previous step is due. */
  closes(step: number): boolean {
    const due = this.sinceJudged > 0 && step !== this.current;
    if (due) this.sinceJudged = 0;
    this.current = step;
    return due;
  }

  /** Call after adding the observation: true when `judgeEvery` observations accrued. */
  full(): boolean {
    this.sinceJudged++;
    if (this.sinceJudged < this.judgeEvery) return false;
    this.sinceJudged = 0;
    return true;
  }

  /** At the end of the stream: true when observations wait for a judgement. */
  pending(): boolean {
    const due = this.sinceJudged > 0;
    this.sinceJudged = 0;
    return due;
  }

  /** Step of the latest observation. */
  get step(): number {
    return this.current;
  }
}

/**
 * The rule of the module comment on (flagged, samples) counts: baseline (or fixed maximum),
 * significance, effect floor, persistence. O(1) per judgement.
 */
export class RateRule {
  readonly config: ResolvedRateJudgeConfig;
  private baseline = Number.NaN;
  private streak = 0;

  constructor(config: ResolvedRateJudgeConfig) {
    this.config = config;
  }

  /** Judges `flagged` of `samples` at `step`; `undefined` below `minSamples`. */
  judge(flagged: number, samples: number, step: number): RateJudgement | undefined {
    const { config } = this;
    if (samples < config.minSamples) return undefined;
    const rate = flagged / samples;
    if (config.mode === 'fixed') {
      const rule = rate > config.maxRate;
      this.streak = rule ? this.streak + 1 : 0;
      return {
        step, active: this.streak >= config.persistence, rule, rate, flagged, samples,
        baseline: Number.NaN, threshold: config.maxRate, lowerBound: rate, streak: this.streak,
      };
    }
    if (Number.isNaN(this.baseline)) this.baseline = rate;
    const baseline = Math.min(this.baseline, config.maxBaseline);
    const threshold = Math.max(config.minRate, baseline + config.minIncrease);
    const lowerBound = wilsonLower(flagged, samples, config.z);
    const rule = rate >= threshold && lowerBound > baseline;
    this.streak = rule ? this.streak + 1 : 0;
    if (!rule) this.baseline += config.baselineAlpha * (rate - this.baseline);
    return {
      step, active: this.streak >= config.persistence, rule, rate, flagged, samples,
      baseline, threshold, lowerBound, streak: this.streak,
    };
  }
}

/** A `WindowedRate` of flags judged per step by a `RateRule` (see the module comment). */
export class RateJudge {
  readonly config: ResolvedRateJudgeConfig;
  private readonly rate: WindowedRate;
  private readonly clock: StepClock;
  private readonly rule: RateRule;
  private seen = 0;

  constructor(config: ResolvedRateJudgeConfig) {
    this.config = config;
    this.rate = new WindowedRate(config.window);
    this.clock = new StepClock(config.judgeEvery);
    this.rule = new RateRule(config);
  }

  /**
   * Adds one observation at `step`; returns the judgement of the previous step when `step` closes
   * it (made before the new observation enters the window), or of the current one when
   * `judgeEvery` observations accrued; else `undefined`.
   */
  push(flag: boolean, step: number): RateJudgement | undefined {
    const previous = this.clock.step;
    const judgement = this.clock.closes(step) ? this.judge(previous) : undefined;
    this.rate.push(flag);
    this.seen++;
    if (this.clock.full() && judgement === undefined) return this.judge(step);
    return judgement;
  }

  /** Judges the observations since the last judgement, if any (at the end of the stream). */
  flush(): RateJudgement | undefined {
    return this.clock.pending() ? this.judge(this.clock.step) : undefined;
  }

  /** Observations in the rate window now. */
  get windowSize(): number {
    return this.rate.size;
  }

  private judge(step: number): RateJudgement | undefined {
    if (this.seen < this.config.warmup) return undefined;
    return this.rule.judge(this.rate.count, this.rate.size, step);
  }
}

/** A flagged item held as evidence, with its score and the observation index it arrived at. */
interface Held<S> {
  source: S;
  score: number;
  index: number;
}

/**
 * The up-to-`capacity` highest-scoring flagged items among the last `horizon` observations
 * (ties go to the newest), for alert evidence. It holds the items themselves and builds their
 * `SampleRef`s (`toSample`) only when `samples()` is asked: detectors offer on most events and
 * cite on few, so building evidence per offer was an allocation per event. O(capacity) per offer;
 * no allocation once full (held entries are overwritten in place).
 */
export class TopSamples<S> {
  private readonly held: Held<S>[] = [];
  private index = 0;

  constructor(
    private readonly horizon: number,
    private readonly toSample: (source: S, score: number) => SampleRef,
    private readonly capacity = 5,
  ) {}

  /** Counts one observation (flagged or not), for the horizon. */
  tick(): void {
    this.index++;
  }

  /** Offers a flagged item of the current observation; it is held if it beats the weakest held one or ties it. */
  offer(source: S, score: number): void {
    this.expire();
    if (this.held.length < this.capacity) {
      this.held.push({ source, score, index: this.index });
      return;
    }
    const weakest = this.held[this.weakest()]!;
    if (score < weakest.score) return;
    weakest.source = source;
    weakest.score = score;
    weakest.index = this.index;
  }

  /** The held items' evidence, highest score first (newest first among equals). */
  samples(): SampleRef[] {
    this.expire();
    return [...this.held].sort((a, b) => b.score - a.score || b.index - a.index).map((held) => this.toSample(held.source, held.score));
  }

  /** The held entry with the lowest score (the oldest among equals): the one a new item replaces. */
  private weakest(): number {
    let weakest = 0;
    for (let i = 1; i < this.held.length; i++) {
      const candidate = this.held[i]!;
      const current = this.held[weakest]!;
      if (candidate.score < current.score || (candidate.score === current.score && candidate.index < current.index)) weakest = i;
    }
    return weakest;
  }

  private expire(): void {
    // The last `horizon` observations are indices index - horizon + 1 .. index.
    const oldest = this.index - this.horizon;
    for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i]!.index <= oldest) this.held.splice(i, 1);
  }
}

/** A `SampleRef` of a reward event with a detector score (fields copied only when present). */
export function sampleOf(
  event: {
    readonly step: number;
    readonly group?: string;
    readonly reward?: number;
    readonly components?: Readonly<Record<string, number>>;
    readonly length?: number;
    readonly response?: string;
  },
  score: number,
  maxResponseChars = 2000,
): SampleRef {
  return {
    step: event.step,
    ...(event.group === undefined ? {} : { group: event.group }),
    ...(event.reward === undefined ? {} : { reward: event.reward }),
    ...(event.components === undefined ? {} : { components: event.components }),
    ...(event.length === undefined ? {} : { length: event.length }),
    ...(event.response === undefined
      ? {}
      : { response: event.response.length > maxResponseChars ? `${event.response.slice(0, maxResponseChars)}…` : event.response }),
    score,
  };
}

/**
 * The typical reward of the run so far: an exponentially weighted mean of every reward seen
 * (weight `alpha`, seeded by the first reward), the lowest reward seen (the run's floor), and
 * whether a reward is "paid": at or above the typical reward AND above the floor. Scale-free
 * (units and offsets never matter) and O(1) per reward.
 *
 * Why the floor: "paid" means the reward gave the response something, and a reward at the lowest
 * level the run ever pays gives nothing, whatever the average. Above the floor the typical reward
 * decides alone (a reward at or above a typical reward that lies above the floor is above the
 * floor too); the floor only matters when the typical reward sinks to it, as at the start of a run
 * that solves nothing yet (every reward 0, so 0 >= typical 0 would call every response paid).
 * A run that has only ever seen one reward level pays nothing distinguishable, so nothing is paid.
 */
export class TypicalReward {
  private mean = Number.NaN;
  private lowest = Number.POSITIVE_INFINITY;

  constructor(private readonly alpha = 1 / 256) {}

  /** Folds `reward` into the typical reward and the floor (missing/non-finite rewards are ignored). */
  observe(reward: number | undefined): void {
    if (reward === undefined || !Number.isFinite(reward)) return;
    this.mean = Number.isNaN(this.mean) ? reward : this.mean + this.alpha * (reward - this.mean);
    if (reward < this.lowest) this.lowest = reward;
  }

  /** Whether `reward` is at or above the typical reward and above the floor (false when either is unknown). */
  paid(reward: number | undefined): boolean {
    if (reward === undefined || !Number.isFinite(reward) || Number.isNaN(this.mean)) return false;
    // Relative tolerances: float noise (0.1 + 0.2 vs 0.3) neither pays nor unpays a reward.
    const aboveFloor = reward - this.lowest > 1e-9 * Math.max(Math.abs(reward), Math.abs(this.lowest));
    return aboveFloor && reward >= this.mean - 1e-9 * Math.max(1, Math.abs(this.mean));
  }

  /** The typical reward so far (`NaN` before any reward). */
  get value(): number {
    return this.mean;
  }

  /** The lowest reward so far (`NaN` before any reward). */
  get floor(): number {
    return Number.isFinite(this.lowest) ? this.lowest : Number.NaN;
  }
}
