/**
 * Hash count table: counts occurrences of 64-bit keys (given as two 32-bit halves) in an
 * open-addressing table on typed arrays, with O(1) clearing by a generation stamp.
 *
 * It is the shared store behind the n-gram, distinct-n, type-token and duplicate kernels: a JS
 * `Map<string, number>` would allocate a string per key; this table allocates nothing once it has
 * grown to the working-set size.
 *
 * - Linear probing, load factor kept at or below 1/2; the home slot is the top bits of
 *   ((hi·c) ⊕ lo)·2³²/φ (Fibonacci hashing), so callers may pass raw polynomial hashes whose low
 *   bits are poorly mixed. Each slot's stamp, key and count sit in 16 adjacent bytes.
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
  /** Interleaved slots, 4 words each: [stamp, key hi, key lo, count] — one cache line per probe. */
  private cells: Uint32Array;
  private mask: number;
  /** 32 − log2(capacity): Fibonacci hashing keeps the top bits of the product. */
  private shift: number;
  private generation = 1;
  private live = 0;

  /** @param initialCapacity slots to start with (rounded up to a power of two, at least 16). */
  constructor(initialCapacity = 64) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`HashCountTable initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    const capacity = powerOfTwoAtLeast(Math.max(16, initialCapacity));
    this.cells = new Uint32Array(capacity * 4);
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

  /** Forgets every key in O(1). */
  clear(): void {
    this.live = 0;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.cells.fill(0);
      this.generation = 1;
    }
  }

  /** Adds one occurrence of the key and returns its new count. */
  increment(hi: number, lo: number): number {
    if ((this.live + 1) * 2 > this.mask + 1) this.grow();
    hi >>>= 0;
    lo >>>= 0;
    const { cells, mask, generation } = this;
    let slot = homeSlot(hi, lo, this.shift);
    for (;;) {
      const base = slot << 2;
      if (cells[base] !== generation) {
        cells[base] = generation;
        cells[base + 1] = hi;
        cells[base + 2] = lo;
        cells[base + 3] = 1;
        this.live++;
        return 1;
      }
      if (cells[base + 1] === hi && cells[base + 2] === lo) return ++cells[base + 3]!;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Removes one occurrence of the key and returns its new count (the key is deleted at zero).
   * Returns -1, changing nothing, when the key is absent.
   */
  decrement(hi: number, lo: number): number {
    const slot = this.find(hi >>> 0, lo >>> 0);
    if (slot < 0) return -1;
    const remaining = --this.cells[(slot << 2) + 3]!;
    if (remaining === 0) this.remove(slot);
    return remaining;
  }

  /** Current count of the key (0 when absent). */
  count(hi: number, lo: number): number {
    const slot = this.find(hi >>> 0, lo >>> 0);
    return slot < 0 ? 0 : this.cells[(slot << 2) + 3]!;
  }

  private find(hi: number, lo: number): number {
    const { cells, mask, generation } = this;
    let slot = homeSlot(hi, lo, this.shift);
    while (cells[slot << 2] === generation) {
      const base = slot << 2;
      if (cells[base + 1] === hi && cells[base + 2] === lo) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** Backward-shift deletion: pulls later members of the probe run into the hole. */
  private remove(hole: number): void {
    const { cells, mask, generation, shift } = this;
    let gap = hole;
    let next = (gap + 1) & mask;
    while (cells[next << 2] === generation) {
      const from = next << 2;
      const home = homeSlot(cells[from + 1]!, cells[from + 2]!, shift);
      // `next` may move into `gap` only if its home is not cyclically inside (gap, next].
      const homeInside = gap <= next ? home > gap && home <= next : home > gap || home <= next;
      if (!homeInside) {
        const to = gap << 2;
        cells[to + 1] = cells[from + 1]!;
        cells[to + 2] = cells[from + 2]!;
        cells[to + 3] = cells[from + 3]!;
        gap = next;
      }
      next = (next + 1) & mask;
    }
    cells[gap << 2] = 0;
    this.live--;
  }

  private grow(): void {
    const old = this.cells;
    const oldGeneration = this.generation;
    const capacity = (this.mask + 1) * 2;
    this.cells = new Uint32Array(capacity * 4);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.generation = 1;
    const { cells, mask, shift } = this;
    for (let from = 0; from < old.length; from += 4) {
      if (old[from] !== oldGeneration) continue;
      const hi = old[from + 1]!;
      const lo = old[from + 2]!;
      let slot = homeSlot(hi, lo, shift);
      while (cells[slot << 2] === 1) slot = (slot + 1) & mask;
      const to = slot << 2;
      cells[to] = 1;
      cells[to + 1] = hi;
      cells[to + 2] = lo;
      cells[to + 3] = old[from + 3]!;
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

/**
 * Fibonacci hashing (Knuth, TAOCP vol. 3, 6.4): the top bits of (hi·c₁ ⊕ lo)·2³²/φ depend on
 * every input bit, so raw polynomial hashes with weak low bits still spread; one more multiply
 * is far cheaper than a full finaliser.
 */
export function homeSlot(hi: number, lo: number, shift: number): number {
  return Math.imul(Math.imul(hi, 0x85ebca6b) ^ lo, 0x9e3779b1) >>> shift;
}

function powerOfTwoAtLeast(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}
