/**
 * Hash count table: counts occurrences of 64-bit keys (given as two 32-bit halves) in an
 * open-addressing table on typed arrays, with O(1) clearing by a generation stamp.
 *
 * It is the shared store behind the n-gram, distinct-n, type-token and duplicate kernels: a JS
 * `Map<string, number>` would allocate a string per key; this table allocates nothing once it has
 * grown to the working-set size.
 *
 * - Linear probing, load factor kept at or below 1/2; the home slot is `fmix32(lo ^ hi·φ)`, so
 *   callers may pass raw polynomial hashes whose low bits are poorly mixed.
 * - `clear()` bumps a generation stamp instead of wiping the arrays: a slot is live only when its
 *   stamp equals the current generation. The arrays are wiped once every 2³² − 1 clears.
 * - `decrement()` to zero deletes by backward shift (Knuth, TAOCP vol. 3, Algorithm 6.4R), so no
 *   tombstones accumulate in sliding-window use.
 * - Cost: O(1) expected per operation; memory 16 bytes per slot, capacity a power of two ≥ 2·size.
 *
 * Keys are the caller's hashes, so two different items collide only if both 32-bit halves agree;
 * for k distinct items with independent uniform halves that happens with probability ≈ k²/2⁶⁵
 * (about 3e-14 at k = 10³), against ≈ k²/2³³ (1.2e-4 at k = 10³) for a single 32-bit key.
 *
 * @example
 * const table = new HashCountTable();
 * table.increment(1, 2); // 1
 * table.increment(1, 2); // 2
 * table.size;            // 1 distinct key
 * table.clear();         // O(1)
 */
export class HashCountTable {
  private keysHi: Uint32Array;
  private keysLo: Uint32Array;
  private counts: Uint32Array;
  private stamps: Uint32Array;
  private mask: number;
  private generation = 1;
  private live = 0;

  /** @param initialCapacity slots to start with (rounded up to a power of two, at least 16). */
  constructor(initialCapacity = 64) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`HashCountTable initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    const capacity = powerOfTwoAtLeast(Math.max(16, initialCapacity));
    this.keysHi = new Uint32Array(capacity);
    this.keysLo = new Uint32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.stamps = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Number of distinct keys with a positive count. */
  get size(): number {
    return this.live;
  }

  /** Number of slots currently allocated. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Forgets every key in O(1). */
  clear(): void {
    this.live = 0;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** Adds one occurrence of the key and returns its new count. */
  increment(hi: number, lo: number): number {
    if ((this.live + 1) * 2 > this.mask + 1) this.grow();
    hi >>>= 0;
    lo >>>= 0;
    const { keysHi, keysLo, counts, stamps, mask, generation } = this;
    let slot = homeSlot(hi, lo) & mask;
    while (stamps[slot] === generation) {
      if (keysHi[slot] === hi && keysLo[slot] === lo) return ++counts[slot]!;
      slot = (slot + 1) & mask;
    }
    stamps[slot] = generation;
    keysHi[slot] = hi;
    keysLo[slot] = lo;
    counts[slot] = 1;
    this.live++;
    return 1;
  }

  /**
   * Removes one occurrence of the key and returns its new count (the key is deleted at zero).
   * Returns -1, changing nothing, when the key is absent.
   */
  decrement(hi: number, lo: number): number {
    const slot = this.find(hi >>> 0, lo >>> 0);
    if (slot < 0) return -1;
    const remaining = --this.counts[slot]!;
    if (remaining === 0) this.remove(slot);
    return remaining;
  }

  /** Current count of the key (0 when absent). */
  count(hi: number, lo: number): number {
    const slot = this.find(hi >>> 0, lo >>> 0);
    return slot < 0 ? 0 : this.counts[slot]!;
  }

  private find(hi: number, lo: number): number {
    const { keysHi, keysLo, stamps, mask, generation } = this;
    let slot = homeSlot(hi, lo) & mask;
    while (stamps[slot] === generation) {
      if (keysHi[slot] === hi && keysLo[slot] === lo) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** Backward-shift deletion: pulls later members of the probe run into the hole. */
  private remove(hole: number): void {
    const { keysHi, keysLo, counts, stamps, mask, generation } = this;
    let gap = hole;
    let next = (gap + 1) & mask;
    while (stamps[next] === generation) {
      const home = homeSlot(keysHi[next]!, keysLo[next]!) & mask;
      // `next` may move into `gap` only if its home is not cyclically inside (gap, next].
      const homeInside = gap <= next ? home > gap && home <= next : home > gap || home <= next;
      if (!homeInside) {
        keysHi[gap] = keysHi[next]!;
        keysLo[gap] = keysLo[next]!;
        counts[gap] = counts[next]!;
        gap = next;
      }
      next = (next + 1) & mask;
    }
    stamps[gap] = 0;
    this.live--;
  }

  private grow(): void {
    const oldHi = this.keysHi;
    const oldLo = this.keysLo;
    const oldCounts = this.counts;
    const oldStamps = this.stamps;
    const oldGeneration = this.generation;
    const capacity = (this.mask + 1) * 2;
    this.keysHi = new Uint32Array(capacity);
    this.keysLo = new Uint32Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.stamps = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.generation = 1;
    const { keysHi, keysLo, counts, stamps, mask } = this;
    for (let old = 0; old < oldStamps.length; old++) {
      if (oldStamps[old] !== oldGeneration) continue;
      const hi = oldHi[old]!;
      const lo = oldLo[old]!;
      let slot = homeSlot(hi, lo) & mask;
      while (stamps[slot] === 1) slot = (slot + 1) & mask;
      stamps[slot] = 1;
      keysHi[slot] = hi;
      keysLo[slot] = lo;
      counts[slot] = oldCounts[old]!;
    }
  }
}

/** MurmurHash3's 32-bit finaliser (Appleby): spreads every input bit over the low bits. */
export function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function homeSlot(hi: number, lo: number): number {
  return fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
}

function powerOfTwoAtLeast(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}
