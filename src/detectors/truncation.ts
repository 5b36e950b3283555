/**
 * The pure state behind `truncation()`: how many completions run into the length cap, and whether
 * the reward sits at its floor meanwhile.
 *
 * `TruncationDetector` judges one clip ratio at a time (a step record's `length/clip_ratio`, or the
 * share of a window of samples at the cap) with the reward beside it: active once the ratio is at
 * least `threshold` on `persistence` observations in a row. Reward floor: configured, or learnt as
 * the smallest reward seen once `minRewards` rewards were seen and they showed a range; the reward
 * is "at the floor" within `tolerance` of that range from it. Classification while active: at the
 * floor -> `collapse` (warning, critical from `critical` up: the TRL#5697 signature, every
 * completion clipped and the reward 0), otherwise warning `info` (context: "42% of completions hit
 * the 1024-token cap"). `LengthCapWindow` turns per-sample lengths and rewards into that clip ratio
 * and a window-mean reward, with a configured cap or one inferred from many samples sharing the
 * window's maximum length. Cost: O(1) per step record; O(log w) per sample.
 */
import type { Condition } from '../core/condition.js';
import { RollingMoments } from '../kernels/rolling-moments.js';
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { fmt, pct } from './select.js';

export interface TruncationOptions {
  readonly metric: string;
  readonly threshold: number;
  readonly critical: number;
  readonly persistence: number;
  readonly tolerance: number;
  readonly minRewards: number;
  readonly rewardFloor: number | undefined;
}

export interface TruncationContext {
  /** Length cap in force (configured or inferred), when known. */
  readonly cap?: number;
  /** Observations behind the ratio (samples in the window), when per sample. */
  readonly count?: number;
}

export class TruncationDetector {
  private readonly options: TruncationOptions;
  private minReward = Number.POSITIVE_INFINITY;
  private maxReward = Number.NEGATIVE_INFINITY;
  private rewards = 0;
  private streak = 0;
  private missingCount = 0;

  constructor(options: TruncationOptions) {
    this.options = options;
  }

  get missing(): number {
    return this.missingCount;
  }

  /** Records a reward observation for the learnt range (per sample: every sample's reward). */
  observeReward(reward: number): void {
    if (reward < this.minReward) this.minReward = reward;
    if (reward > this.maxReward) this.maxReward = reward;
    this.rewards++;
  }

  /** Judges one clip ratio with the reward level beside it (either may be missing). */
  next(clipRatio: number | undefined, reward: number | undefined, step: number, context: TruncationContext = {}): Condition | undefined {
    if (clipRatio === undefined) {
      this.missingCount++;
      return undefined;
    }
    const { threshold, persistence } = this.options;
    this.streak = clipRatio >= threshold ? this.streak + 1 : 0;
    return this.condition(this.streak >= persistence, clipRatio, reward, step, context);
  }

  /** Whether `reward` sits at the floor, and the floor and range used. */
  private floorOf(reward: number | undefined): { atFloor: boolean; floor: number; range: number } {
    const { rewardFloor, tolerance, minRewards } = this.options;
    const floor = rewardFloor ?? this.minReward;
    const range = this.maxReward - floor;
    if (reward === undefined || !Number.isFinite(floor)) return { atFloor: false, floor, range };
    if (rewardFloor === undefined && this.rewards < minRewards) return { atFloor: false, floor, range };
    if (range > 0) return { atFloor: reward - floor <= tolerance * range, floor, range };
    return { atFloor: rewardFloor !== undefined && reward <= rewardFloor, floor, range };
  }

  private condition(active: boolean, clipRatio: number, reward: number | undefined, step: number, context: TruncationContext): Condition {
    const { metric, threshold, critical } = this.options;
    const { atFloor, floor, range } = this.floorOf(reward);
    const capText = context.cap === undefined ? 'the length cap' : `the ${fmt(context.cap)}-token cap`;
    const ofText = context.count === undefined ? 'completions' : `the last ${context.count} completions`;
    const rewardText = reward === undefined ? '' : atFloor ? `, reward ${fmt(reward)} at its floor ${fmt(floor)}` : `, reward ${fmt(reward)}`;
    const message = active
      ? `${pct(clipRatio)} of ${ofText} hit ${capText} (threshold ${pct(threshold)})${rewardText}`
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
          ...(reward === undefined ? {} : { reward }),
          ...(Number.isFinite(floor) ? { rewardFloor: floor } : {}),
          ...(range > 0 ? { rewardRange: range } : {}),
          ...(context.cap === undefined ? {} : { cap: context.cap }),
          ...(context.count === undefined ? {} : { samples: context.count }),
          missing: this.missingCount,
        },
      },
    };
  }
}

/** Per-sample lengths and rewards -> the share of the window at the cap and the window-mean reward. */
export class LengthCapWindow {
  private readonly lengths: RollingQuantiles;
  private readonly rewardWindow: RollingMoments;
  private readonly maxLength: number | undefined;
  private readonly inferShare: number;
  private inferredCap: number | undefined;
  private longest = Number.NEGATIVE_INFINITY;

  constructor(window: number, maxLength: number | undefined, inferShare: number) {
    this.lengths = new RollingQuantiles(window);
    this.rewardWindow = new RollingMoments(window);
    this.maxLength = maxLength;
    this.inferShare = inferShare;
  }

  pushLength(length: number): void {
    if (length > this.longest) this.longest = length;
    this.lengths.push(length);
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
}
