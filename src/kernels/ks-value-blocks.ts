import { ksFromPrefixExtremes, ksGreaterFromPrefix, ksLessFromPrefix } from './ks-statistic.js';

/** Most distinct values one block holds; a full block splits in two on the next new value. */
const BLOCK = 64;
/** A block left with fewer values than this merges into a neighbour when the two fit in 3/4 of a block. */
const MERGE_BELOW = BLOCK / 4;
const MERGE_FIT = (BLOCK * 3) / 4;
/** Prefix sums stay below this in size while nRef·nRec does: then they are summed as int32. */
const INT_PREFIX_LIMIT = 2 ** 30;

/**
 * Incremental two-sample Kolmogorov–Smirnov statistic over arbitrary real values: the distinct
 * values in sorted order, cut into blocks of at most 64, each value holding the two samples'
 * counts, each block its weight sum and max and min prefix sums, and a segment tree over the
 * blocks combining those.
 *
 * Value weight w = cntRef·a − cntRec·b with (a, b) ∝ (nRec, nRef), so the prefix sum after a
 * value is a·nRef·(F_ref − F_rec) there, and D+ = max prefix / (a·nRef), D- = −min prefix /
 * (a·nRef), D = max(D+, D-): scipy's `ks_2samp` statistic with ties. Tied copies of a value, from
 * either sample, share one entry, so the ECDF gap is read only after the last copy (A = {1},
 * B = {1} gives 0) and a tie never straddles two blocks. It is the prefix-sum augmentation of a
 * balanced search tree, laid out on sorted typed arrays instead of tree nodes: an update is a binary
 * search for the block, one in the block and a shift of at most 64 entries; a query
 * re-summarises the blocks changed since the last one (O(64) each, integer prefix sums while
 * nRef·nRec < 2³⁰, whose max and min need no branch) and their O(log blocks) tree paths. At a
 * drift window's size (2000 distinct values) that was about twice as fast in V8 as the randomized
 * search tree (treap) it replaced.
 * All sums are integers below 2⁵³, so results equal the plain merge walk's
 * ({@link ksStatisticsSorted}) bit for bit.
 *
 * A value that loses its last copy stays as a zero-weight entry until its block fills up or runs
 * low on live values (see `remove`), and the last removal's place is remembered, so the usual
 * slide, where a value leaves the recent window and enters the reference, moves a count without
 * searching twice or shifting entries out and back in. Summaries are kept for the weight pair
 * they were built with and rebuilt in O(u) only when a statistic is asked for after the size
 * ratio changed.
 *
 * Cost: insert/remove O(log u + B) with B = 64, statistic O(B + log u) per block changed since
 * the last query, memory ~16–32 bytes per distinct value in typed arrays (grown by doubling;
 * steady-state sliding allocates nothing). NaN and ±Infinity are refused; −0 and +0 are one
 * value.
 *
 * @example
 * const ks = new ValueKsBlocks();
 * ks.insertReference(1);
 * ks.insertRecent(1);
 * ks.statistic(); // 0
 */
export class ValueKsBlocks {
  /** Values and counts of block id k live at [k·BLOCK, k·BLOCK + size[k]), sorted ascending. */
  private keys: Float64Array;
  private countRef: Int32Array;
  private countRec: Int32Array;
  /** Per block id: values held, and the summary of its weights (valid unless dirty). */
  private size: Int32Array;
  /** Per block id: entries with at least one copy (the others are zero-weight, see `remove`). */
  private live: Int32Array;
  private sum: Float64Array;
  private maxPrefix: Float64Array;
  private minPrefix: Float64Array;
  private dirty: Uint8Array;
  /** Block ids in value order; positions [0, blocks). Only the sole block may be empty. */
  private order: Int32Array;
  private blocks = 1;
  /** Block ids not in use (a stack). */
  private freeIds: Int32Array;
  private freeCount = 0;
  /** Block ids whose summary must be recomputed before the next query. */
  private dirtyIds: Int32Array;
  private dirtyCount = 0;
  private capacity = 0;
  private nodes = 0;
  private nRef = 0;
  private nRec = 0;
  private weightRef = 0;
  private weightRec = 0;
  private rebuildCount = 0;
  /** The last value removed and where it was (checked before use: entries move). */
  private lastRemoved = Number.NaN;
  private lastRemovedId = 0;
  private lastRemovedSlot = 0;
  /** Where each block id sits in `order`; valid unless `reshaped`. */
  private positionOf: Int32Array;
  /**
   * Segment tree over block positions (node 1 the root, leaf p at `leaves + p`): sum, max and
   * min prefix of the blocks below, so the statistic is read at the root.
   */
  private treeSum: Float64Array;
  private treeMax: Float64Array;
  private treeMin: Float64Array;
  private leaves = 1;
  /** Blocks were split, merged or re-weighted since the tree was built: rebuild it whole. */
  private reshaped = true;
  /** Summaries and tree are up to date. */
  private fresh = false;

  /** @param initialCapacity distinct values to make room for before the first growth. */
  constructor(initialCapacity = 1024) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`ValueKsBlocks initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    // Blocks mostly hold BLOCK/4 to BLOCK entries: 4u/BLOCK ids to start with, more when needed.
    const ids = Math.ceil((4 * initialCapacity) / BLOCK) + 2;
    this.keys = new Float64Array(0);
    this.countRef = new Int32Array(0);
    this.countRec = new Int32Array(0);
    this.size = new Int32Array(0);
    this.live = new Int32Array(0);
    this.sum = new Float64Array(0);
    this.maxPrefix = new Float64Array(0);
    this.minPrefix = new Float64Array(0);
    this.dirty = new Uint8Array(0);
    this.order = new Int32Array(0);
    this.freeIds = new Int32Array(0);
    this.dirtyIds = new Int32Array(0);
    this.positionOf = new Int32Array(0);
    this.treeSum = new Float64Array(0);
    this.treeMax = new Float64Array(0);
    this.treeMin = new Float64Array(0);
    this.grow(ids);
    this.clear();
  }

  get referenceSize(): number {
    return this.nRef;
  }

  get recentSize(): number {
    return this.nRec;
  }

  /** Distinct values currently held. */
  get distinctValues(): number {
    return this.nodes;
  }

  /** O(u) rebuilds done so far because the size ratio changed between queries. */
  get rebuilds(): number {
    return this.rebuildCount;
  }

  /** Adds x to the reference sample; false (and no change) for non-finite x. */
  insertReference(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    this.insert(x === 0 ? 0 : x, true);
    this.nRef++;
    return true;
  }

  /** Adds x to the recent sample; false (and no change) for non-finite x. */
  insertRecent(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    this.insert(x === 0 ? 0 : x, false);
    this.nRec++;
    return true;
  }

  /** Removes one x from the reference sample; false when it holds none. */
  removeReference(x: number): boolean {
    if (!Number.isFinite(x) || !this.remove(x, true)) return false;
    this.nRef--;
    return true;
  }

  /** Removes one x from the recent sample; false when it holds none. */
  removeRecent(x: number): boolean {
    if (!Number.isFinite(x) || !this.remove(x, false)) return false;
    this.nRec--;
    return true;
  }

  /** D = max |F_ref − F_rec|; NaN while either sample is empty. */
  statistic(): number {
    return this.prepare() ? ksFromPrefixExtremes(this.treeMax[1]!, this.treeMin[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /** D+ = max (F_ref − F_rec), ≥ 0 (scipy `alternative='greater'` with the reference first). */
  greater(): number {
    return this.prepare() ? ksGreaterFromPrefix(this.treeMax[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /** D- = max (F_rec − F_ref), ≥ 0 (scipy `alternative='less'` with the reference first). */
  less(): number {
    return this.prepare() ? ksLessFromPrefix(this.treeMin[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /**
   * Wasserstein-1 distance between the two samples (area between the ECDFs) by one pass over the
   * values in order: O(u). NaN while either sample is empty.
   */
  wasserstein(): number {
    if (this.nRef === 0 || this.nRec === 0) return Number.NaN;
    const { keys, countRef, countRec, nRef, nRec } = this;
    let cumRef = 0;
    let cumRec = 0;
    let previous = Number.NaN;
    let area = 0;
    for (let position = 0; position < this.blocks; position++) {
      const base = this.order[position]! * BLOCK;
      const end = base + this.size[this.order[position]!]!;
      for (let slot = base; slot < end; slot++) {
        if (countRef[slot] === 0 && countRec[slot] === 0) continue;
        const value = keys[slot]!;
        if (!Number.isNaN(previous)) area += Math.abs(cumRef * nRec - cumRec * nRef) * (value - previous);
        cumRef += countRef[slot]!;
        cumRec += countRec[slot]!;
        previous = value;
      }
    }
    return area / (nRef * nRec);
  }

  /** Empties both samples (keeps the allocated capacity). */
  clear(): void {
    this.blocks = 1;
    this.order[0] = 0;
    this.size[0] = 0;
    this.live[0] = 0;
    this.freeCount = 0;
    for (let id = this.capacity - 1; id >= 1; id--) this.freeIds[this.freeCount++] = id;
    this.dirty.fill(0);
    this.dirtyCount = 0;
    this.markDirty(0);
    this.reshaped = true;
    this.nodes = 0;
    this.nRef = 0;
    this.nRec = 0;
    this.lastRemoved = Number.NaN;
  }

  private insert(x: number, isRef: boolean): void {
    if (x === this.lastRemoved) {
      // The slide re-inserts the value just removed from the other window: if it is still where
      // `remove` found it (values are unique, so its key there proves it), skip both searches.
      const id = this.lastRemovedId;
      const slot = this.lastRemovedSlot;
      if (slot < id * BLOCK + this.size[id]! && this.keys[slot] === x) {
        this.addCopy(id, slot, isRef);
        return;
      }
    }
    let position = this.findBlock(x);
    let id = this.order[position]!;
    let slot = this.lowerBound(id, x);
    if (slot < id * BLOCK + this.size[id]! && this.keys[slot] === x) {
      this.addCopy(id, slot, isRef);
      return;
    }
    if (this.size[id] === BLOCK && this.live[id]! < BLOCK) {
      this.compact(id);
      slot = this.lowerBound(id, x);
    }
    if (this.size[id] === BLOCK) {
      this.split(position);
      // Offsets up to BLOCK/2 stay in the left half (BLOCK/2 appends to it); the rest move right.
      const offset = slot - id * BLOCK;
      if (offset > BLOCK / 2) {
        position++;
        id = this.order[position]!;
        slot = id * BLOCK + offset - BLOCK / 2;
      }
    }
    // Read the arrays only now: a split may have grown (replaced) them.
    const { keys, countRef, countRec } = this;
    // A loop, not copyWithin: three built-in calls cost more than moving a few dozen entries.
    for (let at = id * BLOCK + this.size[id]!; at > slot; at--) {
      keys[at] = keys[at - 1]!;
      countRef[at] = countRef[at - 1]!;
      countRec[at] = countRec[at - 1]!;
    }
    keys[slot] = x;
    countRef[slot] = isRef ? 1 : 0;
    countRec[slot] = isRef ? 0 : 1;
    this.size[id]!++;
    this.revived(id);
    this.markDirty(id);
  }

  /**
   * Takes one x out of the reference (`isRef`) or recent sample. A value left with no copies stays in place as a zero-weight
   * entry (it changes no prefix extreme: the prefix before the first value is 0, and so is the
   * total), so the usual slide, where a value leaves the recent window and enters the reference,
   * moves a count instead of shifting entries out and back in. Zero entries are dropped when
   * their block is full or has few live values left.
   */
  private remove(x: number, isRef: boolean): boolean {
    const counts = isRef ? this.countRef : this.countRec;
    const position = this.findBlock(x);
    const id = this.order[position]!;
    const slot = this.lowerBound(id, x);
    if (slot === id * BLOCK + this.size[id]! || this.keys[slot] !== x || counts[slot] === 0) return false;
    counts[slot]!--;
    this.markDirty(id);
    this.lastRemoved = x;
    this.lastRemovedId = id;
    this.lastRemovedSlot = slot;
    if (this.countRef[slot] === 0 && this.countRec[slot] === 0) {
      this.live[id]!--;
      this.nodes--;
      if (this.live[id]! < MERGE_BELOW && this.blocks > 1) this.mergeSmall(position);
    }
    return true;
  }

  /** One more copy of the value at `slot` of block `id`. */
  private addCopy(id: number, slot: number, isRef: boolean): void {
    if (this.countRef[slot] === 0 && this.countRec[slot] === 0) this.revived(id);
    (isRef ? this.countRef : this.countRec)[slot]!++;
    this.markDirty(id);
  }

  /** A value of block `id` went from no copies to one. */
  private revived(id: number): void {
    this.live[id]!++;
    this.nodes++;
  }

  /** Drops block `id`'s zero-weight entries. */
  private compact(id: number): void {
    const { keys, countRef, countRec } = this;
    const end = id * BLOCK + this.size[id]!;
    let kept = id * BLOCK;
    for (let slot = kept; slot < end; slot++) {
      if (countRef[slot] === 0 && countRec[slot] === 0) continue;
      keys[kept] = keys[slot]!;
      countRef[kept] = countRef[slot]!;
      countRec[kept] = countRec[slot]!;
      kept++;
    }
    this.size[id] = kept - id * BLOCK;
    this.markDirty(id);
  }

  /** Position (in `order`) of the last block whose first value is ≤ x, or 0. */
  private findBlock(x: number): number {
    const { keys, order } = this;
    let low = 0;
    let high = this.blocks - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (keys[order[middle]! * BLOCK]! <= x) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** First slot of block `id` whose value is ≥ x (its end when none is). */
  private lowerBound(id: number, x: number): number {
    const keys = this.keys;
    let low = id * BLOCK;
    let high = low + this.size[id]!;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (keys[middle]! < x) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Moves the upper half of the full block at `position` into a new block right after it. */
  private split(position: number): void {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const id = this.order[position]!;
    const right = this.freeIds[--this.freeCount]!;
    const from = id * BLOCK + BLOCK / 2;
    const to = id * BLOCK + BLOCK;
    this.keys.copyWithin(right * BLOCK, from, to);
    this.countRef.copyWithin(right * BLOCK, from, to);
    this.countRec.copyWithin(right * BLOCK, from, to);
    // Only a compacted block splits, so every entry is live.
    this.size[id] = BLOCK / 2;
    this.size[right] = BLOCK / 2;
    this.live[id] = BLOCK / 2;
    this.live[right] = BLOCK / 2;
    this.order.copyWithin(position + 2, position + 1, this.blocks);
    this.order[position + 1] = right;
    this.blocks++;
    this.reshaped = true;
    this.markDirty(id);
    this.markDirty(right);
  }

  /**
   * Folds the block at `position`, short of live values, and a neighbour into one when their
   * live values fit in 3/4 of a block (always when one has none left).
   */
  private mergeSmall(position: number): void {
    const left = position + 1 < this.blocks ? position : position - 1;
    const leftId = this.order[left]!;
    const rightId = this.order[left + 1]!;
    const leftLive = this.live[leftId]!;
    const rightLive = this.live[rightId]!;
    if (leftLive + rightLive > MERGE_FIT && leftLive !== 0 && rightLive !== 0) return;
    this.compact(leftId);
    this.compact(rightId);
    const { keys, countRef, countRec } = this;
    let to = leftId * BLOCK + leftLive;
    for (let from = rightId * BLOCK; from < rightId * BLOCK + rightLive; from++, to++) {
      keys[to] = keys[from]!;
      countRef[to] = countRef[from]!;
      countRec[to] = countRec[from]!;
    }
    this.size[leftId] = leftLive + rightLive;
    this.live[leftId] = leftLive + rightLive;
    this.size[rightId] = 0;
    this.live[rightId] = 0;
    this.order.copyWithin(left + 1, left + 2, this.blocks);
    this.blocks--;
    this.reshaped = true;
    this.freeIds[this.freeCount++] = rightId;
  }

  private markDirty(id: number): void {
    this.fresh = false;
    if (this.dirty[id] === 1) return;
    this.dirty[id] = 1;
    this.dirtyIds[this.dirtyCount++] = id;
  }

  /** Recomputes block `id`'s weight sum and max/min prefix sums with the current weights. */
  private summarise(id: number): void {
    const { countRef, countRec, weightRef, weightRec } = this;
    const base = id * BLOCK;
    const end = base + this.size[id]!;
    let running = 0;
    let max: number;
    let min: number;
    if (weightRef * this.nRef < INT_PREFIX_LIMIT) {
      // Every prefix sum is an integer in (−2³⁰, 2³⁰) (at most nRef·nRec in size), so it fits an
      // int32, and so does the difference of two: max and min by sign masks, without the branch
      // a double comparison needs, which the prefix walk of random data mispredicts half the time.
      max = -INT_PREFIX_LIMIT;
      min = INT_PREFIX_LIMIT;
      for (let slot = base; slot < end; slot++) {
        running = (running + Math.imul(countRef[slot]!, weightRef) - Math.imul(countRec[slot]!, weightRec)) | 0;
        const above = (running - max) | 0;
        max = (max + (above & ~(above >> 31))) | 0;
        const below = (running - min) | 0;
        min = (min + (below & (below >> 31))) | 0;
      }
    } else {
      max = Number.NEGATIVE_INFINITY;
      min = Number.POSITIVE_INFINITY;
      for (let slot = base; slot < end; slot++) {
        running += countRef[slot]! * weightRef - countRec[slot]! * weightRec;
        if (running > max) max = running;
        if (running < min) min = running;
      }
    }
    this.sum[id] = running;
    this.maxPrefix[id] = max;
    this.minPrefix[id] = min;
  }

  /** Brings the summaries of changed blocks and the tree over them up to date; false while a sample is empty. */
  private prepare(): boolean {
    if (this.nRef === 0 || this.nRec === 0) return false;
    if (this.weightRef === 0 || this.weightRef * this.nRef !== this.weightRec * this.nRec) {
      this.weightRef = this.nRec;
      this.weightRec = this.nRef;
      for (let position = 0; position < this.blocks; position++) this.markDirty(this.order[position]!);
      this.reshaped = true;
      this.rebuildCount++;
    }
    if (this.fresh) return true;
    const reshaped = this.reshaped;
    if (reshaped) for (let position = 0; position < this.blocks; position++) this.positionOf[this.order[position]!] = position;
    for (let index = 0; index < this.dirtyCount; index++) {
      const id = this.dirtyIds[index]!;
      this.dirty[id] = 0;
      // A block freed by a merge after it was marked has nothing to summarise.
      if (this.size[id] === 0) continue;
      this.summarise(id);
      if (!reshaped) this.updatePath(this.positionOf[id]!, id);
    }
    this.dirtyCount = 0;
    if (reshaped) this.buildTree();
    this.reshaped = false;
    this.fresh = true;
    return true;
  }

  /** Copies block `id`'s summary into leaf `position` and recombines the nodes above it: O(log blocks). */
  private updatePath(position: number, id: number): void {
    let node = this.leaves + position;
    this.treeSum[node] = this.sum[id]!;
    this.treeMax[node] = this.maxPrefix[id]!;
    this.treeMin[node] = this.minPrefix[id]!;
    for (node >>= 1; node >= 1; node >>= 1) this.combine(node);
  }

  /** Refills every leaf from the blocks in order (empty leaves: sum 0, no prefix) and every node above. */
  private buildTree(): void {
    const { leaves, treeSum, treeMax, treeMin } = this;
    for (let position = 0; position < leaves; position++) {
      const id = position < this.blocks ? this.order[position]! : -1;
      treeSum[leaves + position] = id < 0 ? 0 : this.sum[id]!;
      treeMax[leaves + position] = id < 0 ? Number.NEGATIVE_INFINITY : this.maxPrefix[id]!;
      treeMin[leaves + position] = id < 0 ? Number.POSITIVE_INFINITY : this.minPrefix[id]!;
    }
    for (let node = leaves - 1; node >= 1; node--) this.combine(node);
  }

  /** A node's prefix extremes: those of its left half, or the left sum plus those of its right half. */
  private combine(node: number): void {
    const { treeSum, treeMax, treeMin } = this;
    const left = 2 * node;
    const right = left + 1;
    const leftSum = treeSum[left]!;
    treeSum[node] = leftSum + treeSum[right]!;
    const maxLeft = treeMax[left]!;
    const maxRight = leftSum + treeMax[right]!;
    treeMax[node] = maxLeft > maxRight ? maxLeft : maxRight;
    const minLeft = treeMin[left]!;
    const minRight = leftSum + treeMin[right]!;
    treeMin[node] = minLeft < minRight ? minLeft : minRight;
  }

  /** Grows the per-block arrays to `ids` block ids, keeping contents; new ids go on the free stack. */
  private grow(ids: number): void {
    const old = this.capacity;
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(array: T, make: (n: number) => T, per: number): T => {
      const next = make(ids * per);
      next.set(array);
      return next;
    };
    this.keys = widen(this.keys, (n) => new Float64Array(n), BLOCK);
    this.countRef = widen(this.countRef, (n) => new Int32Array(n), BLOCK);
    this.countRec = widen(this.countRec, (n) => new Int32Array(n), BLOCK);
    this.size = widen(this.size, (n) => new Int32Array(n), 1);
    this.live = widen(this.live, (n) => new Int32Array(n), 1);
    this.sum = widen(this.sum, (n) => new Float64Array(n), 1);
    this.maxPrefix = widen(this.maxPrefix, (n) => new Float64Array(n), 1);
    this.minPrefix = widen(this.minPrefix, (n) => new Float64Array(n), 1);
    this.dirty = widen(this.dirty, (n) => new Uint8Array(n), 1);
    this.order = widen(this.order, (n) => new Int32Array(n), 1);
    this.freeIds = widen(this.freeIds, (n) => new Int32Array(n), 1);
    this.dirtyIds = widen(this.dirtyIds, (n) => new Int32Array(n), 1);
    this.positionOf = widen(this.positionOf, (n) => new Int32Array(n), 1);
    while (this.leaves < ids) this.leaves *= 2;
    this.treeSum = new Float64Array(2 * this.leaves);
    this.treeMax = new Float64Array(2 * this.leaves);
    this.treeMin = new Float64Array(2 * this.leaves);
    this.reshaped = true;
    for (let id = ids - 1; id >= old; id--) this.freeIds[this.freeCount++] = id;
    this.capacity = ids;
  }
}
