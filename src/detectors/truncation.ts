/**
 * The pure state behind `truncation()`: how many completions run into the length cap, and whether
 * the reward sits at its floor meanwhile.
 *
 * `TruncationDetector` judges one clip ratio at a time (a step record's `length/clip_ratio`, or the
 * share of a window of samples at the cap) with a reading of the reward beside it (see
 * `reward-floor.ts`: per step, the reward fallen from clearly above to a floor and staying there;
 * per sample, the truncated completions scoring the lowest reward): active once the ratio is at
 * least `threshold` on `persistence` observations in a row. Classification while active: reward
 * at its floor -> `collapse` (warning, critical from `critical` up: the TRL#5697 signature, every
 * completion clipped and the reward 0), otherwise warning `info` (context: "42% of completions
 * hit the 1024-token cap"). `LengthCapWindow` turns per-sample lengths and rewards into that clip
 * ratio, the window-mean reward and the truncated completions' mean reward, with a configured cap
 * or one inferred from many samples sharing the window's maximum length, and holds up to 5
 * truncated completions as the evidence of an active condition. Cost: O(log w) per step
 * record; O(log w) per sample (O(w) when an inferred cap changes).
 */
import type { Condition } from '../core/condition.js';
import type { SampleRef } from '../core/types.js';
import { RollingMoments } from '../kernels/rolling-moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import type { FloorReading } from './reward-floor.js';
import { fmt, pct } from './select.js';
import { TopSamples } from './windowed-rate.js';

export interface TruncationOptions {
  readonly metric: string;
  readonly threshold: number;
  readonly critical: number;
  readonly persistence: number;
}

export interface TruncationContext {
  /** Length cap in force (configured or inferred), when known. */
  readonly cap?: number;
  /** Observations behind the ratio (samples in the window), when per sample. */
  readonly count?: number;
  /** Up to 5 truncated completions, when per sample; read only for an active condition. */
  readonly samples?: () => readonly SampleRef[];
}

export class TruncationDetector {
  private readonly options: TruncationOptions;
  private streak = 0;
  private missingCount = 0;

  constructor(options: TruncationOptions) {
    this.options = options;
  }

  get missing(): number {
    return this.missingCount;
  }

  /** Judges one clip ratio (may be missing) with the reading of the reward beside it. */
  next(clipRatio: number | undefined, reward: FloorReading, step: number, context: TruncationContext = {}): Condition | undefined {
    const active = this.advance(clipRatio);
    return active === undefined ? undefined : this.condition(active, clipRatio!, reward, step, context);
  }

  /**
   * The first half of `next`: counts one clip ratio into the streak and says whether the
   * condition is active (undefined when the ratio is missing). For a caller that emits only some
   * conditions and builds the reward reading and the condition (`condition`) only for those.
   */
  advance(clipRatio: number | undefined): boolean | undefined {
    if (clipRatio === undefined) {
      this.missingCount++;
      return undefined;
    }
    const { threshold, persistence } = this.options;
    this.streak = clipRatio >= threshold ? this.streak + 1 : 0;
    return this.streak >= persistence;
  }

  /** The condition of the clip ratio last counted by `advance`. */
  condition(active: boolean, clipRatio: number, reward: FloorReading, step: number, context: TruncationContext): Condition {
    const { metric, threshold, critical } = this.options;
    const { atFloor } = reward;
    const samples = active && context.samples !== undefined ? context.samples() : [];
    // A cap is a token count: named exactly (1024, not fmt's 3 significant digits "1020").
    const capText = context.cap === undefined ? 'the length cap' : `the ${Number.isInteger(context.cap) ? String(context.cap) : fmt(context.cap)}-token cap`;
    const ofText = context.count === undefined ? 'completions' : `the last ${context.count} completions`;
    const message = active
      ? `${pct(clipRatio)} of ${ofText} hit ${capText} (threshold ${pct(threshold)})${reward.text}`
      : `${pct(clipRatio)} of ${ofText} hit ${capText}`;
    return {
      detector: 'truncation',
      metric,
      step,
      active,
      severity: atFloor ? (clipRatio >= critical ? 'critical' : 'warning') : 'warning',
      signal: atFloor ? 'collapse' : 'info',
      message,
      value: clipRatio,
      threshold,
      evidence: {
        stats: {
          clipRatio,
          streak: this.streak,
          atFloor: atFloor ? 1 : 0,
          ...reward.stats,
          ...(context.cap === undefined ? {} : { cap: context.cap }),
          ...(context.count === undefined ? {} : { samples: context.count }),
          missing: this.missingCount,
        },
        ...(samples.length > 0 ? { samples } : {}),
      },
    };
  }
}

/**
 * Per-sample lengths and rewards -> the share of the window at the cap, the window-mean reward,
 * the mean reward of the window's completions at the cap, and up to 5 of them as evidence.
 */
export class LengthCapWindow<S> {
  private readonly lengths: RollingQuantiles;
  private readonly rewardWindow: RollingMoments;
  private readonly maxLength: number | undefined;
  private readonly inferShare: number;
  private inferredCap: number | undefined;
  private longest = Number.NEGATIVE_INFINITY;
  /** The window's lengths and their samples' rewards (NaN: none) in arrival order, beside `lengths`. */
  private readonly ringLengths: Float64Array;
  private readonly ringRewards: Float64Array;
  private head = 0;
  /** The cap that `cappedSum`/`cappedCount` count completions at (undefined: not counted yet). */
  private countedCap: number | undefined;
  private cappedSum = 0;
  private cappedCount = 0;
  private sinceRecount = 0;
  /** The longest completions of the window, newest first among equals: the truncated ones once a cap is known. */
  private readonly longestSamples: TopSamples<S>;

  /** `toSample` builds the evidence of a held completion (its source as given to `pushLength`), only when cited. */
  constructor(window: number, maxLength: number | undefined, inferShare: number, toSample: (source: S, length: number) => SampleRef) {
    this.lengths = new RollingQuantiles(window);
    this.rewardWindow = new RollingMoments(window);
    this.ringLengths = new Float64Array(window);
    this.ringRewards = new Float64Array(window);
    this.longestSamples = new TopSamples(window, toSample);
    this.maxLength = maxLength;
    this.inferShare = inferShare;
  }

  /**
   * Adds one completion's length and, when it has one, its reward (rewards also go to
   * `pushReward`); `source` is what its evidence is built from, if it is ever cited.
   */
  pushLength(length: number, reward: number | undefined, source?: S): void {
    if (length > this.longest) this.longest = length;
    const full = this.lengths.count === this.lengths.window;
    this.lengths.push(length);
    const cap = this.countedCap;
    const { ringLengths, ringRewards, head } = this;
    if (full && cap !== undefined && ringLengths[head]! >= cap && !Number.isNaN(ringRewards[head]!)) {
      this.cappedSum -= ringRewards[head]!;
      this.cappedCount--;
    }
    ringLengths[head] = length;
    ringRewards[head] = reward ?? Number.NaN;
    this.head = head + 1 === ringLengths.length ? 0 : head + 1;
    if (cap !== undefined && length >= cap && reward !== undefined) {
      this.cappedSum += reward;
      this.cappedCount++;
    }
    // A running sum that adds and subtracts drifts by rounding: recount exactly once per window.
    if (++this.sinceRecount >= ringLengths.length) this.countedCap = undefined;
    // Evidence: completions at the cap once it is known; before, those at the longest length seen
    // (the cap it may turn out to be). Scored by length, so ones at the cap displace shorter ones.
    this.longestSamples.tick();
    const candidateAt = this.maxLength ?? this.inferredCap ?? this.longest;
    if (source !== undefined && length >= candidateAt) this.longestSamples.offer(source, length);
  }

  /** Up to 5 of the window's completions at or above `cap`, newest first (none while no cap is known). */
  truncatedSamples(cap: number | undefined): SampleRef[] {
    if (cap === undefined) return [];
    return this.longestSamples.samples().filter((held) => held.length !== undefined && held.length >= cap);
  }

  pushReward(reward: number): void {
    this.rewardWindow.push(reward);
  }

  get count(): number {
    return this.lengths.count;
  }

  /**
   * The cap: configured, else inferred once at least `inferShare` of a full window (and 3 samples)
   * share exactly the longest length ever seen (a cap is a bound nothing exceeds); an inferred cap
   * is kept (a model can stop hitting it).
   */
  get cap(): number | undefined {
    if (this.maxLength !== undefined) return this.maxLength;
    const { lengths } = this;
    if (lengths.count === lengths.window) {
      const max = lengths.max;
      const atMax = lengths.countAtLeast(max);
      if (max === this.longest && atMax >= 3 && atMax >= this.inferShare * lengths.count && (this.inferredCap === undefined || max > this.inferredCap)) {
        this.inferredCap = max;
      }
    }
    return this.inferredCap;
  }

  /** Share of the window at or above the cap (0 while no cap is known). */
  clipRatio(cap: number | undefined): number {
    return cap === undefined || this.lengths.count === 0 ? 0 : this.lengths.countAtLeast(cap) / this.lengths.count;
  }

  /** Mean reward of the window; undefined before any reward. */
  get meanReward(): number | undefined {
    return this.rewardWindow.count === 0 ? undefined : this.rewardWindow.mean;
  }

  /** Mean reward of the window's completions at or above `cap` that have a reward; undefined when none. */
  truncatedReward(cap: number | undefined): number | undefined {
    if (cap === undefined) return undefined;
    if (cap !== this.countedCap) this.recount(cap);
    return this.cappedCount === 0 ? undefined : this.cappedSum / this.cappedCount;
  }

  private recount(cap: number): void {
    const { ringLengths, ringRewards } = this;
    const size = this.lengths.count;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < size; i++) {
      const reward = ringRewards[i]!;
      if (ringLengths[i]! >= cap && !Number.isNaN(reward)) {
        sum += reward;
        count++;
      }
    }
    this.cappedSum = sum;
    this.cappedCount = count;
    this.countedCap = cap;
    this.sinceRecount = 0;
  }
}
