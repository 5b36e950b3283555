// GRPO group statistics: see the GroupAccumulator doc comment below.
import { binaryExponent, RESCALE_MARGIN, SCALED_HIGH, SCALED_LOW, scaleByPowerOfTwo, targetExponent } from './binary-scale.js';

export interface GroupAccumulatorConfig {
  /** Expected group size G: a group closes by itself when it has this many members. Default: none (close explicitly). */
  readonly expectedSize?: number;
  /** Absolute tolerance of the zero-spread tests. Default 1e-8 (torch.isclose's atol). */
  readonly absoluteTolerance?: number;
  /** Relative tolerance of the zero-spread tests (× |mean| for zeroStd, × max |value| for allEqual). Default 0. */
  readonly relativeTolerance?: number;
  /** Reward ceiling for `allAtCeiling`. Default: none (`allAtCeiling` undefined). */
  readonly ceiling?: number;
  /** Reward floor for `allAtFloor`. Default: none (`allAtFloor` undefined). */
  readonly floor?: number;
  /** Absolute tolerance when comparing with the ceiling or floor. Default 1e-8. */
  readonly levelTolerance?: number;
}

/** The statistics of one closed group. */
export interface GroupSummary {
  readonly key: string;
  /** Events added, finite or not. */
  readonly members: number;
  /** Finite values. */
  readonly count: number;
  /** Mean of the finite values (NaN when there are none). */
  readonly mean: number;
  /** Sample standard deviation (n − 1), NaN for fewer than two values. */
  readonly std: number;
  /** Smallest finite value (NaN when there are none). */
  readonly min: number;
  /** Largest finite value (NaN when there are none). */
  readonly max: number;
  /** TRL's zero-std test: count ≥ 2 and std ≤ atol + rtol·|mean|. */
  readonly zeroStd: boolean;
  /** All finite values within tolerance of each other (true for a single value, false for none). */
  readonly allEqual: boolean;
  /** Every value at or above the configured ceiling (undefined without one). */
  readonly allAtCeiling: boolean | undefined;
  /** Every value at or below the configured floor (undefined without one). */
  readonly allAtFloor: boolean | undefined;
  /** Why the group closed. */
  readonly closedBy: 'size' | 'explicit';
}

/** True when the group has values and every one is ≥ level − tolerance. */
export function allAtLeast(summary: Pick<GroupSummary, 'count' | 'min'>, level: number, tolerance = 1e-8): boolean {
  return summary.count > 0 && summary.min >= level - tolerance;
}

/** True when the group has values and every one is ≤ level + tolerance. */
export function allAtMost(summary: Pick<GroupSummary, 'count' | 'max'>, level: number, tolerance = 1e-8): boolean {
  return summary.count > 0 && summary.max <= level + tolerance;
}

/**
 * Group accumulator: running count, mean, standard deviation (Welford), min and max per GRPO
 * group, closed explicitly (`close(key)`, `closeAll()` at step end) or automatically when a group
 * reaches its expected size G, returning a `GroupSummary` that says whether the group collapsed
 * (all rewards equal) and whether it sits at a ceiling or floor.
 *
 * - Welford's update (Welford 1962; Knuth TAOCP vol. 2, 4.2.2): mean += δ/n, M2 += δ·(x − mean);
 *   `std` is the sample standard deviation √(M2/(n − 1)) like `torch.Tensor.std` (Bessel's
 *   correction), NaN for a one-member group.
 * - Zero spread: TRL logs `frac_reward_zero_std` from `torch.isclose(std, zeros)`, i.e.
 *   |std| ≤ atol + rtol·0 with torch's defaults rtol = 1e-5, atol = 1e-8, so only atol matters.
 *   `zeroStd` reproduces that: count ≥ 2 and std ≤ `absoluteTolerance` (+ `relativeTolerance`·|mean|,
 *   which is 0 by default). A one-member group has std NaN and is not zeroStd, as in torch.
 *   `allEqual` is the range form, max − min ≤ absoluteTolerance + relativeTolerance·max(|min|, |max|),
 *   true for a single member.
 * - Ceiling / floor: pass `ceiling`/`floor` in the config to get `allAtCeiling` (every value
 *   ≥ ceiling − levelTolerance) and `allAtFloor` (every value ≤ floor + levelTolerance) in each
 *   summary; otherwise they are undefined and the caller decides later with `allAtLeast` /
 *   `allAtMost` against any level, e.g. the highest reward observed in the step.
 * - Scale: each group holds its values as `x · 2^−e` with a power-of-two exponent taken from its
 *   first non-zero value (moved when a value lies more than 2^256 away), as in {@link Moments}, so
 *   groups of rewards near 1e300 or 1e-300 get their true std instead of Infinity or 0; exact.
 * - Non-finite values count as members (so a group of G still closes at G) but not in the
 *   statistics; `count` is the finite members, `members` all of them.
 * - State: a `Map<string, slot>` into typed arrays; closed slots return to a free list and are
 *   reused, so adding a value allocates nothing; a summary object is allocated per closed group.
 * - Cost: O(1) expected per `add`/`close`; memory O(open groups).
 *
 * @example
 * const groups = new GroupAccumulator({ expectedSize: 4, ceiling: 1 });
 * groups.add('prompt-7', 1); groups.add('prompt-7', 1); groups.add('prompt-7', 1);
 * const summary = groups.add('prompt-7', 1); // closes at G = 4
 * summary?.zeroStd;       // true
 * summary?.allAtCeiling;  // true: every answer earned the maximum reward
 */

export class GroupAccumulator {
  readonly expectedSize: number | undefined;
  private readonly absoluteTolerance: number;
  private readonly relativeTolerance: number;
  private readonly ceiling: number | undefined;
  private readonly floor: number | undefined;
  private readonly levelTolerance: number;
  private readonly slots = new Map<string, number>();
  private members: Uint32Array;
  private counts: Uint32Array;
  private means: Float64Array;
  private m2s: Float64Array;
  /** Per slot: the scaled values are x · inverses[slot] = x · 2^−exponents[slot]. */
  private exponents: Int16Array;
  private inverses: Float64Array;
  private mins: Float64Array;
  private maxs: Float64Array;
  private free: Int32Array;
  private freeCount: number;

  constructor(config: GroupAccumulatorConfig = {}) {
    const {
      expectedSize,
      absoluteTolerance = 1e-8,
      relativeTolerance = 0,
      ceiling,
      floor,
      levelTolerance = 1e-8,
    } = config;
    if (expectedSize !== undefined && (!Number.isInteger(expectedSize) || expectedSize < 1)) {
      throw new RangeError(`GroupAccumulator expectedSize must be a positive integer, got ${expectedSize}`);
    }
    for (const [name, value] of [['absoluteTolerance', absoluteTolerance], ['relativeTolerance', relativeTolerance], ['levelTolerance', levelTolerance]] as const) {
      if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`GroupAccumulator ${name} must be a finite number ≥ 0, got ${value}`);
    }
    if (ceiling !== undefined && !Number.isFinite(ceiling)) throw new RangeError(`GroupAccumulator ceiling must be finite, got ${ceiling}`);
    if (floor !== undefined && !Number.isFinite(floor)) throw new RangeError(`GroupAccumulator floor must be finite, got ${floor}`);
    this.expectedSize = expectedSize;
    this.absoluteTolerance = absoluteTolerance;
    this.relativeTolerance = relativeTolerance;
    this.ceiling = ceiling;
    this.floor = floor;
    this.levelTolerance = levelTolerance;
    const capacity = 64;
    this.members = new Uint32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.means = new Float64Array(capacity);
    this.m2s = new Float64Array(capacity);
    this.exponents = new Int16Array(capacity);
    this.inverses = new Float64Array(capacity);
    this.mins = new Float64Array(capacity);
    this.maxs = new Float64Array(capacity);
    this.free = new Int32Array(capacity);
    this.freeCount = capacity;
    for (let index = 0; index < capacity; index++) this.free[index] = capacity - 1 - index;
  }

  /** Number of groups currently open. */
  get openGroups(): number {
    return this.slots.size;
  }

  /** True when the group has been opened and not yet closed. */
  has(key: string): boolean {
    return this.slots.has(key);
  }

  /**
   * Adds one member's value to its group; returns the group's summary if this member completed it
   * (`expectedSize` reached), otherwise undefined.
   */
  add(key: string, value: number): GroupSummary | undefined {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.open();
      this.slots.set(key, slot);
    }
    const members = ++this.members[slot]!;
    if (Number.isFinite(value)) {
      let scaled = value * this.inverses[slot]!;
      const size = Math.abs(scaled);
      if (size > SCALED_HIGH || (size < SCALED_LOW && size !== 0)) scaled = this.rescale(slot, value);
      const count = ++this.counts[slot]!;
      const mean = this.means[slot]!;
      const delta = scaled - mean;
      const nextMean = mean + delta / count;
      this.means[slot] = nextMean;
      this.m2s[slot] = this.m2s[slot]! + delta * (scaled - nextMean);
      if (value < this.mins[slot]!) this.mins[slot] = value;
      if (value > this.maxs[slot]!) this.maxs[slot] = value;
    }
    if (members === this.expectedSize) return this.finish(key, slot, 'size');
    return undefined;
  }

  /** Closes the group and returns its summary (undefined when no such group is open). */
  close(key: string): GroupSummary | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.finish(key, slot, 'explicit');
  }

  /** Closes every open group (e.g. at the end of a step), in the order they were opened. */
  closeAll(): GroupSummary[] {
    const summaries: GroupSummary[] = [];
    for (const [key, slot] of this.slots) summaries.push(this.finish(key, slot, 'explicit'));
    return summaries;
  }

  private finish(key: string, slot: number, closedBy: GroupSummary['closedBy']): GroupSummary {
    const count = this.counts[slot]!;
    const empty = count === 0;
    const scale = scaleByPowerOfTwo(1, this.exponents[slot]!);
    const mean = empty ? Number.NaN : this.means[slot]! * scale;
    const std = count < 2 ? Number.NaN : Math.sqrt(Math.max(0, this.m2s[slot]!) / (count - 1)) * scale;
    const min = empty ? Number.NaN : this.mins[slot]!;
    const max = empty ? Number.NaN : this.maxs[slot]!;
    const { absoluteTolerance, relativeTolerance, levelTolerance, ceiling, floor } = this;
    const summary: GroupSummary = {
      key,
      members: this.members[slot]!,
      count,
      mean,
      std,
      min,
      max,
      zeroStd: count >= 2 && std <= absoluteTolerance + relativeTolerance * Math.abs(mean),
      allEqual: !empty && max - min <= absoluteTolerance + relativeTolerance * Math.max(Math.abs(min), Math.abs(max)),
      allAtCeiling: ceiling === undefined ? undefined : !empty && min >= ceiling - levelTolerance,
      allAtFloor: floor === undefined ? undefined : !empty && max <= floor + levelTolerance,
      closedBy,
    };
    this.slots.delete(key);
    this.release(slot);
    return summary;
  }

  private open(): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount]!;
    this.members[slot] = 0;
    this.counts[slot] = 0;
    this.means[slot] = 0;
    this.m2s[slot] = 0;
    this.exponents[slot] = 0;
    this.inverses[slot] = 1;
    this.mins[slot] = Number.POSITIVE_INFINITY;
    this.maxs[slot] = Number.NEGATIVE_INFINITY;
    return slot;
  }

  /**
   * Moves a slot's scale for a value far from it (see {@link Moments}): to the larger of the
   * value's exponent and the state's own, unless within 2^128 of the current one. Returns the
   * value scaled by the exponent in force. O(1); runs only on scale changes.
   */
  private rescale(slot: number, value: number): number {
    const mean = this.means[slot]!;
    const m2 = this.m2s[slot]!;
    const current = this.exponents[slot]!;
    const stateSize = Math.max(Math.abs(mean), Math.sqrt(m2));
    const wanted = binaryExponent(value);
    const exponent = targetExponent(wanted, current, stateSize);
    if (stateSize === 0 || Math.abs(exponent - current) > RESCALE_MARGIN) {
      const shift = current - exponent;
      this.means[slot] = scaleByPowerOfTwo(mean, shift);
      this.m2s[slot] = scaleByPowerOfTwo(m2, 2 * shift);
      this.exponents[slot] = exponent;
      this.inverses[slot] = scaleByPowerOfTwo(1, -exponent);
    }
    return value * this.inverses[slot]!;
  }

  private release(slot: number): void {
    this.free[this.freeCount++] = slot;
  }

  private grow(): void {
    const old = this.members.length;
    const capacity = old * 2;
    const grown = <T extends Uint32Array | Int16Array | Float64Array>(array: T, make: (size: number) => T): T => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.members = grown(this.members, (size) => new Uint32Array(size));
    this.counts = grown(this.counts, (size) => new Uint32Array(size));
    this.means = grown(this.means, (size) => new Float64Array(size));
    this.m2s = grown(this.m2s, (size) => new Float64Array(size));
    this.exponents = grown(this.exponents, (size) => new Int16Array(size));
    this.inverses = grown(this.inverses, (size) => new Float64Array(size));
    this.mins = grown(this.mins, (size) => new Float64Array(size));
    this.maxs = grown(this.maxs, (size) => new Float64Array(size));
    this.free = new Int32Array(capacity);
    // Every old slot is in use (the free list was empty); the new ones are free.
    this.freeCount = old;
    for (let index = 0; index < old; index++) this.free[index] = capacity - 1 - index;
  }
}
