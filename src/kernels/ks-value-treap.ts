/**
 * Incremental two-sample Kolmogorov–Smirnov statistic over arbitrary real values: a treap keyed
 * by **distinct value**, each node holding the two samples' counts of that value.
 *
 * Node weight w = cntRef·a − cntRec·b with (a, b) ∝ (nRec, nRef); every subtree keeps the sum,
 * max prefix and min prefix of its in-order weights, so the root gives
 * D+ = maxPrefix / (a·nRef), D- = −minPrefix / (a·nRef), D = max(D+, D-) — scipy's `ks_2samp`
 * statistic with ties. Unlike the (value, sample)-keyed incremental KS of dos Reis, Flach,
 * Matwin & Batista (KDD 2016, doi 10.1145/2939672.2939836; River's `stats.KolmogorovSmirnov`),
 * tied values of the two samples share one node, so the ECDF gap is never read between tied
 * observations (there A = {1}, B = {1} gives 1; here 0), samples may differ in size, and no lazy
 * propagation is needed.
 *
 * As in {@link IntegerKsTree}, aggregates are kept for the weight pair they were built with and
 * rebuilt in O(u) only when a statistic is asked for after the size ratio changed.
 *
 * {@link ValueKsBlocks} keeps the same augmentation in sorted blocks of typed arrays and gives the
 * same results bit for bit, about twice as fast at drift-window sizes (w = 1000 each).
 *
 * Cost: insert/remove O(log u) expected (u = distinct values held), statistic O(1), memory
 * ~60 bytes per distinct value in typed arrays (grown by doubling; freed nodes are reused, so
 * steady-state sliding allocates nothing). Priorities come from a seeded xorshift generator, so
 * runs are reproducible. NaN and ±Infinity are refused; −0 and +0 are one value.
 *
 * @example
 * const ks = new ValueKsTreap();
 * ks.insertReference(1);
 * ks.insertRecent(1);
 * ks.statistic(); // 0
 */
export class ValueKsTreap {
  private capacity: number;
  private key: Float64Array;
  private priority: Uint32Array;
  private left: Int32Array;
  private right: Int32Array;
  private countRef: Int32Array;
  private countRec: Int32Array;
  private sum: Float64Array;
  private maxPrefix: Float64Array;
  private minPrefix: Float64Array;
  private root = 0;
  /** Head of the free list (linked through `left`); 0 = empty. */
  private free = 0;
  /** Next never-used node index (node 0 is the empty sentinel). */
  private fresh = 1;
  private nodes = 0;
  private nRef = 0;
  private nRec = 0;
  private weightRef = 0;
  private weightRec = 0;
  private seed: number;
  private rebuildCount = 0;
  /** Successful removals so far (the recursive remove bumps it when the value was present). */
  private removals = 0;

  constructor(initialCapacity = 1024, seed = 0x9e3779b9) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`ValueKsTreap initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.capacity = initialCapacity + 1;
    this.key = new Float64Array(this.capacity);
    this.priority = new Uint32Array(this.capacity);
    this.left = new Int32Array(this.capacity);
    this.right = new Int32Array(this.capacity);
    this.countRef = new Int32Array(this.capacity);
    this.countRec = new Int32Array(this.capacity);
    this.sum = new Float64Array(this.capacity);
    this.maxPrefix = new Float64Array(this.capacity);
    this.minPrefix = new Float64Array(this.capacity);
    this.maxPrefix[0] = Number.NEGATIVE_INFINITY;
    this.minPrefix[0] = Number.POSITIVE_INFINITY;
    this.seed = seed >>> 0 || 1;
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
    this.root = this.insert(this.root, x === 0 ? 0 : x, true);
    this.nRef++;
    return true;
  }

  /** Adds x to the recent sample; false (and no change) for non-finite x. */
  insertRecent(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    this.root = this.insert(this.root, x === 0 ? 0 : x, false);
    this.nRec++;
    return true;
  }

  /** Removes one x from the reference sample; false when it holds none. */
  removeReference(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    const before = this.removals;
    this.root = this.remove(this.root, x, true);
    if (this.removals === before) return false;
    this.nRef--;
    return true;
  }

  /** Removes one x from the recent sample; false when it holds none. */
  removeRecent(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    const before = this.removals;
    this.root = this.remove(this.root, x, false);
    if (this.removals === before) return false;
    this.nRec--;
    return true;
  }

  /** D = max |F_ref − F_rec|; NaN while either sample is empty. */
  statistic(): number {
    if (!this.prepare()) return Number.NaN;
    const greater = this.maxPrefix[this.root]!;
    const less = 0 - this.minPrefix[this.root]!; // +0, never -0
    return (greater > less ? greater : less) / (this.weightRef * this.nRef);
  }

  /** D+ = max (F_ref − F_rec), ≥ 0 (scipy `alternative='greater'` with the reference first). */
  greater(): number {
    if (!this.prepare()) return Number.NaN;
    const value = this.maxPrefix[this.root]!;
    return (value > 0 ? value : 0) / (this.weightRef * this.nRef);
  }

  /** D- = max (F_rec − F_ref), ≥ 0 (scipy `alternative='less'` with the reference first). */
  less(): number {
    if (!this.prepare()) return Number.NaN;
    const value = -this.minPrefix[this.root]!;
    return (value > 0 ? value : 0) / (this.weightRef * this.nRef);
  }

  /**
   * Wasserstein-1 distance between the two samples (area between the ECDFs) by an in-order walk:
   * O(u). NaN while either sample is empty.
   */
  wasserstein(): number {
    if (this.nRef === 0 || this.nRec === 0) return Number.NaN;
    const walk = { cumRef: 0, cumRec: 0, previous: Number.NaN, area: 0 };
    this.areaWalk(this.root, walk);
    return walk.area / (this.nRef * this.nRec);
  }

  /** Empties both samples (keeps the allocated capacity). */
  clear(): void {
    this.root = 0;
    this.free = 0;
    this.fresh = 1;
    this.nodes = 0;
    this.nRef = 0;
    this.nRec = 0;
  }

  private areaWalk(node: number, walk: { cumRef: number; cumRec: number; previous: number; area: number }): void {
    if (node === 0) return;
    this.areaWalk(this.left[node]!, walk);
    const value = this.key[node]!;
    if (!Number.isNaN(walk.previous)) {
      walk.area += Math.abs(walk.cumRef * this.nRec - walk.cumRec * this.nRef) * (value - walk.previous);
    }
    walk.cumRef += this.countRef[node]!;
    walk.cumRec += this.countRec[node]!;
    walk.previous = value;
    this.areaWalk(this.right[node]!, walk);
  }

  private insert(node: number, x: number, isRef: boolean): number {
    if (node === 0) {
      const created = this.allocate(x);
      if (isRef) this.countRef[created] = 1;
      else this.countRec[created] = 1;
      this.pull(created);
      return created;
    }
    const key = this.key[node]!;
    if (x === key) {
      if (isRef) this.countRef[node]!++;
      else this.countRec[node]!++;
    } else if (x < key) {
      const child = this.insert(this.left[node]!, x, isRef);
      this.left[node] = child;
      if (this.priority[child]! > this.priority[node]!) return this.rotateRight(node);
    } else {
      const child = this.insert(this.right[node]!, x, isRef);
      this.right[node] = child;
      if (this.priority[child]! > this.priority[node]!) return this.rotateLeft(node);
    }
    this.pull(node);
    return node;
  }

  private remove(node: number, x: number, isRef: boolean): number {
    if (node === 0) return 0;
    const key = this.key[node]!;
    if (x < key) {
      this.left[node] = this.remove(this.left[node]!, x, isRef);
    } else if (x > key) {
      this.right[node] = this.remove(this.right[node]!, x, isRef);
    } else {
      const counts = isRef ? this.countRef : this.countRec;
      if (counts[node] === 0) return node;
      counts[node]!--;
      this.removals++;
      if (this.countRef[node] === 0 && this.countRec[node] === 0) {
        const merged = this.merge(this.left[node]!, this.right[node]!);
        this.release(node);
        return merged;
      }
    }
    this.pull(node);
    return node;
  }

  /** Joins two treaps whose keys are all smaller in `low` than in `high`. */
  private merge(low: number, high: number): number {
    if (low === 0) return high;
    if (high === 0) return low;
    if (this.priority[low]! > this.priority[high]!) {
      this.right[low] = this.merge(this.right[low]!, high);
      this.pull(low);
      return low;
    }
    this.left[high] = this.merge(low, this.left[high]!);
    this.pull(high);
    return high;
  }

  private rotateRight(node: number): number {
    const child = this.left[node]!;
    this.left[node] = this.right[child]!;
    this.right[child] = node;
    this.pull(node);
    this.pull(child);
    return child;
  }

  private rotateLeft(node: number): number {
    const child = this.right[node]!;
    this.right[node] = this.left[child]!;
    this.left[child] = node;
    this.pull(node);
    this.pull(child);
    return child;
  }

  private pull(node: number): void {
    const left = this.left[node]!;
    const right = this.right[node]!;
    const through = this.sum[left]! + this.countRef[node]! * this.weightRef - this.countRec[node]! * this.weightRec;
    this.sum[node] = through + this.sum[right]!;
    const maxLeft = this.maxPrefix[left]!;
    const maxRight = through + this.maxPrefix[right]!;
    let max = through > maxRight ? through : maxRight;
    if (maxLeft > max) max = maxLeft;
    this.maxPrefix[node] = max;
    const minLeft = this.minPrefix[left]!;
    const minRight = through + this.minPrefix[right]!;
    let min = through < minRight ? through : minRight;
    if (minLeft < min) min = minLeft;
    this.minPrefix[node] = min;
  }

  private prepare(): boolean {
    if (this.nRef === 0 || this.nRec === 0) return false;
    if (this.weightRef === 0 || this.weightRef * this.nRef !== this.weightRec * this.nRec) {
      this.weightRef = this.nRec;
      this.weightRec = this.nRef;
      this.pullAll(this.root);
      this.rebuildCount++;
    }
    return true;
  }

  private pullAll(node: number): void {
    if (node === 0) return;
    this.pullAll(this.left[node]!);
    this.pullAll(this.right[node]!);
    this.pull(node);
  }

  private allocate(x: number): number {
    let node: number;
    if (this.free !== 0) {
      node = this.free;
      this.free = this.left[node]!;
    } else {
      if (this.fresh === this.capacity) this.grow();
      node = this.fresh++;
    }
    this.key[node] = x;
    this.priority[node] = this.nextPriority();
    this.left[node] = 0;
    this.right[node] = 0;
    this.countRef[node] = 0;
    this.countRec[node] = 0;
    this.nodes++;
    return node;
  }

  private release(node: number): void {
    this.left[node] = this.free;
    this.free = node;
    this.nodes--;
  }

  /** xorshift32 (Marsaglia 2003): cheap, seeded, never 0. */
  private nextPriority(): number {
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s >>> 0;
    return this.seed;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const widen = <T extends Float64Array | Int32Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.key = widen(this.key, (n) => new Float64Array(n));
    this.priority = widen(this.priority, (n) => new Uint32Array(n));
    this.left = widen(this.left, (n) => new Int32Array(n));
    this.right = widen(this.right, (n) => new Int32Array(n));
    this.countRef = widen(this.countRef, (n) => new Int32Array(n));
    this.countRec = widen(this.countRec, (n) => new Int32Array(n));
    this.sum = widen(this.sum, (n) => new Float64Array(n));
    this.maxPrefix = widen(this.maxPrefix, (n) => new Float64Array(n));
    this.minPrefix = widen(this.minPrefix, (n) => new Float64Array(n));
    this.capacity = capacity;
  }
}
