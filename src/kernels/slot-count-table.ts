import { homeSlot } from './hash-count-table.js';

/** `counts` value of a slot that has never held a key since the last rebuild. */
const EMPTY = -1;

/**
 * Slot count table: counts occurrences of 64-bit keys (two 32-bit halves) in an open-addressing
 * table whose slots stay put between rebuilds, so a sliding window can remember *where* each of
 * its keys is counted and later release it by slot, without hashing or probing again.
 *
 * - `add(hi, lo)` counts one occurrence and returns the key's slot; `release(slot)` removes one
 *   occurrence of whatever key that slot holds and returns its count. O(1) expected and O(1).
 * - A key whose count falls to zero keeps its slot as a reusable tombstone (the key returns to the
 *   same slot if it comes back, and `add` reuses the first tombstone on a new key's probe path)
 *   instead of a backward-shift delete (Knuth, TAOCP vol. 3, Algorithm 6.4R), which would move
 *   other keys' slots.
 * - Linear probing; home slot as in `HashCountTable` (Fibonacci hashing). Used slots (live keys
 *   plus tombstones) stay at most half the capacity: `reserve(extra)` rebuilds the table without
 *   tombstones, at load ≤ 1/4 after the `extra` keys, when that bound could be crossed, and
 *   reports it so the caller can map its remembered slots with `movedTo(slot)`. Rebuilds cost
 *   O(capacity) and come at most once per capacity/4 new keys: O(1) amortised.
 * - Counts are in their own array, apart from the keys: releasing touches 4 bytes per key.
 * - Allocation-free once grown: a rebuild at the same capacity swaps with spare arrays.
 *
 * @example
 * const table = new SlotCountTable();
 * table.reserve(2);          // false: nothing moved
 * const a = table.add(1, 2); // slot of key (1, 2), count 1
 * table.add(1, 2);           // same slot, count 2
 * table.size;                // 1 distinct key
 * table.release(a);          // 1 (count left)
 * table.release(a);          // 0: table.size is 0
 */
export class SlotCountTable {
  /** Count per slot; `EMPTY` when the slot has held no key since the last rebuild. */
  private counts: Int32Array;
  /** Keys, two words per slot: [hi, lo]. */
  private keys: Uint32Array;
  /** The arrays of the previous rebuild, reused when the capacity stays the same. */
  private spareCounts: Int32Array | undefined;
  private spareKeys: Uint32Array | undefined;
  /** After a rebuild: the new slot of each old slot holding a live key. */
  private moves: Int32Array = new Int32Array(0);
  private mask: number;
  /** 32 − log2(capacity), for Fibonacci hashing. */
  private shift: number;
  private live = 0;
  /** Slots holding a key, live or tombstone. */
  private used = 0;

  /** @param initialCapacity slots to start with (rounded up to a power of two, at least 16). */
  constructor(initialCapacity = 64) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`SlotCountTable initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    const capacity = powerOfTwoAtLeast(Math.max(16, initialCapacity));
    this.counts = new Int32Array(capacity).fill(EMPTY);
    this.keys = new Uint32Array(2 * capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  /** Number of distinct keys with a positive count. */
  get size(): number {
    return this.live;
  }

  /** Number of slots currently allocated. */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Makes room for `extra` more `add` calls of new keys. Returns true when it rebuilt the table,
   * which moves live keys to new slots (see `movedTo`) and drops every tombstone.
   */
  reserve(extra: number): boolean {
    if ((this.used + extra) * 2 <= this.mask + 1) return false;
    this.rebuild(powerOfTwoAtLeast(Math.max(16, (this.live + extra) * 4)));
    return true;
  }

  /**
   * The slot a live key held at `slot` before the last rebuild now occupies. Only meaningful for
   * slots that held a live key when `reserve` rebuilt.
   */
  movedTo(slot: number): number {
    return this.moves[slot]!;
  }

  /**
   * Adds one occurrence of the key and returns its slot. The caller must have reserved room
   * (`reserve`) for every new key since the last reserve.
   */
  add(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const { counts, keys, mask } = this;
    let slot = homeSlot(hi, lo, this.shift);
    let tombstone = -1;
    for (;;) {
      const count = counts[slot]!;
      if (count === EMPTY) break;
      if (keys[2 * slot] === hi && keys[2 * slot + 1] === lo) {
        if (count === 0) this.live++;
        counts[slot] = count + 1;
        return slot;
      }
      if (count === 0 && tombstone < 0) tombstone = slot;
      slot = (slot + 1) & mask;
    }
    // A new key: into the first tombstone of its probe path, else the empty slot that ended it.
    if (tombstone >= 0) slot = tombstone;
    else this.used++;
    keys[2 * slot] = hi;
    keys[2 * slot + 1] = lo;
    counts[slot] = 1;
    this.live++;
    return slot;
  }

  /**
   * Removes one occurrence of the key in `slot` (which must have a positive count) and returns
   * the key's new count.
   */
  release(slot: number): number {
    const { counts } = this;
    const left = --counts[slot]!;
    if (left !== 0) return left;
    this.live--;
    // A tombstone just before an empty slot ends every probe path through it, so it (and the
    // tombstones right before it) can become empty: no key moves, and few tombstones remain.
    if (counts[(slot + 1) & this.mask] === EMPTY) this.vacate(slot);
    return 0;
  }

  /** Current count of the key in `slot` (0 for a tombstone or an empty slot). */
  countAt(slot: number): number {
    return Math.max(0, this.counts[slot]!);
  }

  /** Current count of the key (0 when absent). O(1) expected. */
  count(hi: number, lo: number): number {
    const slot = this.slotOf(hi, lo);
    return slot < 0 ? 0 : this.counts[slot]!;
  }

  /** The slot of the key if its count is positive, else -1. O(1) expected. */
  slotOf(hi: number, lo: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const { counts, keys, mask } = this;
    for (let slot = homeSlot(hi, lo, this.shift); counts[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (keys[2 * slot] === hi && keys[2 * slot + 1] === lo) return counts[slot]! > 0 ? slot : -1;
    }
    return -1;
  }

  /** Forgets every key. O(capacity). */
  clear(): void {
    this.counts.fill(EMPTY);
    this.live = 0;
    this.used = 0;
  }

  /** Empties the tombstone at `slot` and the run of tombstones before it. */
  private vacate(slot: number): void {
    const { counts, mask } = this;
    let at = slot;
    do {
      counts[at] = EMPTY;
      this.used--;
      at = (at - 1) & mask;
    } while (counts[at] === 0);
  }

  private rebuild(capacity: number): void {
    const oldCounts = this.counts;
    const oldKeys = this.keys;
    const reuse = this.spareCounts !== undefined && this.spareCounts.length === capacity;
    const counts = reuse ? this.spareCounts! : new Int32Array(capacity);
    const keys = reuse ? this.spareKeys! : new Uint32Array(2 * capacity);
    counts.fill(EMPTY);
    if (this.moves.length < oldCounts.length) this.moves = new Int32Array(oldCounts.length);
    const { moves } = this;
    const mask = capacity - 1;
    const shift = 32 - Math.log2(capacity);
    for (let from = 0; from < oldCounts.length; from++) {
      const count = oldCounts[from]!;
      if (count <= 0) continue;
      const hi = oldKeys[2 * from]!;
      const lo = oldKeys[2 * from + 1]!;
      let slot = homeSlot(hi, lo, shift);
      while (counts[slot] !== EMPTY) slot = (slot + 1) & mask;
      counts[slot] = count;
      keys[2 * slot] = hi;
      keys[2 * slot + 1] = lo;
      moves[from] = slot;
    }
    this.spareCounts = oldCounts;
    this.spareKeys = oldKeys;
    this.counts = counts;
    this.keys = keys;
    this.mask = mask;
    this.shift = shift;
    this.used = this.live;
  }
}

function powerOfTwoAtLeast(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}
