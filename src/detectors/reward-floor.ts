/**
 * Whether a series of step rewards (one `reward/mean` per step record) has fallen to a floor and
 * sits there: the "nothing earned" half of `truncation`'s collapse.
 *
 * A running minimum is no floor: any noisy series sets a new minimum now and then, most often early
 * on, so "the reward equals its smallest value so far" is a coin flip on noise. A floor is a level
 * the reward fell to from clearly above and stays at, so a learnt floor needs all of:
 * - a fall out of the noise: each of the last `floorPersistence` rewards lies more than `margin`
 *   noise sd below the level the reward held before them (the median of the `LEVEL_WINDOW`
 *   rewards before them). Noise sd: the robust scale of the successive differences of the earlier
 *   rewards, divided by √2 (the difference of two independent draws has √2 times their sd).
 *   Differences cancel a learning curve's trend, which moves their median and not their spread,
 *   and a median absolute deviation ignores the odd jump, the fall itself included. For normal
 *   noise one reward lies 3 sd below its level with probability 0.13%, three in a row ~2·10⁻⁹.
 *   Three rather than two because the sd and the level are estimates themselves (a MAD of 50
 *   differences is good to ~±16%, a median of 10 rewards to ~0.4 sd): with the sd read 25% low,
 *   "3 sd" is 2.25 real ones, and three in a row still has odds ~2·10⁻⁶ where two would have
 *   ~1.5·10⁻⁴ per record, over thousands of records with lengths pinned at the cap;
 * - the bottom: the latest reward is no higher than the lowest reward held before the fall, within
 *   `tolerance` of the range seen (a fall back to where the run started counts, a fall to a level
 *   the run has always been above does not: it still earns more than it ever did at its worst).
 *   A bounded reward (pass/fail, accuracy) never goes below its floor, so a collapse to it passes;
 * - enough history: `minRewards` rewards before the fall (20: the estimates above need them).
 * While the reward sits at its floor it does not join the level and noise windows: a floor held for
 * long must not become the level it is judged against.
 *
 * A configured floor (e.g. 0 for a pass/fail reward) is known, so sitting there is enough: each of
 * the last `floorPersistence` rewards within `tolerance` of the range seen above the floor (at or
 * below it while nothing above was seen). Cost: O(log w) per reward, w = 50.
 */
import { RollingQuantiles } from '../kernels/rolling-quantiles.js';
import { DelayedRobustBaseline } from './robust-baseline.js';
import { fmt } from './select.js';

export interface RewardFloorOptions {
  /** Rewards in a row that must sit at the floor. */
  readonly floorPersistence: number;
  /** Share of the reward's observed range that still counts as at the floor. */
  readonly tolerance: number;
  /** A learnt floor lies more than this many noise sd below the level the reward held. */
  readonly margin: number;
  /** Rewards held before a learnt floor counts. */
  readonly minRewards: number;
  /** Known floor; undefined: learnt. */
  readonly rewardFloor: number | undefined;
}

/** What the reward beside a clip ratio says: at its floor or not, in words and numbers. */
export interface FloorReading {
  readonly atFloor: boolean;
  /** Clause for an active condition's message (`', reward 0 at its floor 0'`); empty without a reward. */
  readonly text: string;
  readonly stats: Readonly<Record<string, number>>;
}

/** The reading of an observation that carries no reward: nothing to say. */
export const NO_REWARD: FloorReading = { atFloor: false, text: '', stats: {} };

/** Rewards whose median is the level the reward held: short enough to follow a learning curve. */
const LEVEL_WINDOW = 10;
/** Successive differences behind the noise sd: enough for a MAD within ~20% of it. */
const NOISE_WINDOW = 50;

export class RewardFloor {
  private readonly options: RewardFloorOptions;
  /** The last `persistence` rewards, oldest first: the ones judged. */
  private readonly recent: number[] = [];
  /** Rewards held before the recent ones (never those at the floor). */
  private readonly level = new RollingQuantiles(LEVEL_WINDOW);
  private readonly noise = new DelayedRobustBaseline(NOISE_WINDOW, 0);
  private held = 0;
  private lastHeld = Number.NaN;
  private lowestHeld = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
  private atFloor = false;

  constructor(options: RewardFloorOptions) {
    this.options = options;
  }

  /** Takes one step's reward and judges it with the ones before. */
  push(reward: number): FloorReading {
    const { recent } = this;
    if (recent.length === this.options.floorPersistence) {
      const leaving = recent.shift()!;
      if (!this.atFloor) this.hold(leaving);
    }
    recent.push(reward);
    if (reward > this.highest) this.highest = reward;
    const reading = this.options.rewardFloor === undefined ? this.learnt(reward) : this.configured(reward, this.options.rewardFloor);
    this.atFloor = reading.atFloor;
    return reading;
  }

  private hold(reward: number): void {
    this.level.push(reward);
    if (this.held > 0) this.noise.push(reward - this.lastHeld);
    this.lastHeld = reward;
    if (reward < this.lowestHeld) this.lowestHeld = reward;
    this.held++;
  }

  private configured(reward: number, floor: number): FloorReading {
    const { tolerance, floorPersistence } = this.options;
    const range = this.highest - floor;
    const near = (r: number): boolean => (range > 0 ? r - floor <= tolerance * range : r <= floor);
    const atFloor = this.recent.length === floorPersistence && this.recent.every(near);
    return {
      atFloor,
      get text() {
        return atFloor ? `, reward ${fmt(reward)} at its floor ${fmt(floor)}` : `, reward ${fmt(reward)}`;
      },
      stats: { reward, rewardFloor: floor, ...(range > 0 ? { rewardRange: range } : {}) },
    };
  }

  private learnt(reward: number): FloorReading {
    const { tolerance, floorPersistence, margin, minRewards } = this.options;
    if (this.held < Math.max(2, minRewards) || this.recent.length < floorPersistence) {
      return {
        atFloor: false,
        get text() {
          return `, reward ${fmt(reward)}`;
        },
        stats: { reward },
      };
    }
    const level = this.level.median;
    const noise = this.noise.scale / Math.SQRT2;
    const highestRecent = Math.max(...this.recent);
    // Every recent reward strictly below the level by more than the margin (any fall when the
    // earlier rewards were constant: there is no noise to hide in).
    const fallen = highestRecent < level - margin * noise;
    const atBottom = reward - this.lowestHeld <= tolerance * (this.highest - this.lowestHeld);
    const atFloor = fallen && atBottom;
    return {
      atFloor,
      get text() {
        const fall = noise > 0 ? `, ${fmt((level - highestRecent) / noise)} noise sd for ${floorPersistence} records` : '';
        return atFloor ? `, reward ${fmt(reward)} at its floor (down from ${fmt(level)}${fall})` : `, reward ${fmt(reward)}`;
      },
      stats: { reward, rewardLevel: level, rewardNoise: noise, ...(atFloor ? { rewardFloor: reward } : {}) },
    };
  }
}

/**
 * Per sample, the floor is a reward level individual completions score (0 for a wrong answer): the
 * smallest reward seen once `minRewards` were (or the configured floor). The reward is at it when
 * the window's mean reward lies within `tolerance` of the observed range from it, and so do the
 * truncated completions' own rewards: the cut-off answers are what earns nothing (a window whose
 * truncated completions still earn is not the truncation signature, whatever the others score).
 * Unlike one step's mean touching the run's minimum, the mean of a window of completions (and of
 * the many truncated ones a high clip ratio means: 30% of 200 is 60) sits at the lowest single
 * reward only when nearly all of them score it, which noise on single rewards does not produce.
 */
export class TruncatedRewardFloor {
  private readonly options: Pick<RewardFloorOptions, 'tolerance' | 'minRewards' | 'rewardFloor'>;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
  private rewards = 0;

  constructor(options: Pick<RewardFloorOptions, 'tolerance' | 'minRewards' | 'rewardFloor'>) {
    this.options = options;
  }

  /** Records one sample's reward for the learnt range. */
  observe(reward: number): void {
    if (reward < this.lowest) this.lowest = reward;
    if (reward > this.highest) this.highest = reward;
    this.rewards++;
  }

  /** Judges the window's mean reward and the truncated completions' mean reward (undefined: none). */
  reading(windowMean: number | undefined, truncated: number | undefined): FloorReading {
    const { rewardFloor, tolerance, minRewards } = this.options;
    if (windowMean === undefined) return NO_REWARD;
    const floor = rewardFloor ?? this.lowest;
    const range = this.highest - floor;
    const near = (reward: number): boolean => (range > 0 ? reward - floor <= tolerance * range : reward <= floor);
    const judged = rewardFloor !== undefined || (this.rewards >= minRewards && range > 0);
    const atFloor = judged && truncated !== undefined && near(windowMean) && near(truncated);
    return {
      atFloor,
      get text() {
        const truncatedText = truncated === undefined ? '' : ` (the truncated ones ${fmt(truncated)})`;
        return atFloor ? `, reward ${fmt(windowMean)} at its floor ${fmt(floor)}${truncatedText}` : `, reward ${fmt(windowMean)}${truncatedText}`;
      },
      stats: {
        reward: windowMean,
        ...(truncated === undefined ? {} : { truncatedReward: truncated }),
        ...(Number.isFinite(floor) ? { rewardFloor: floor } : {}),
        ...(range > 0 ? { rewardRange: range } : {}),
      },
    };
  }
}
