import { ksFromPrefixExtremes, ksGreaterFromPrefix, ksLessFromPrefix } from './ks-statistic.js';

/** Settings of an {@link IntegerKsTree}. */
export interface IntegerKsTreeConfig {
  /** Initial value domain [0, domain): leaves allocated up front (rounded up to a power of 2). Default 4096. */
  readonly domain?: number;
  /**
   * Largest domain the tree grows to when a value at or above the current domain arrives
   * (doubling, O(domain) each time). Values >= maxDomain are clamped to maxDomain - 1 and
   * counted in `clamped`. Default 2**20.
   */
  readonly maxDomain?: number;
}

/**
 * Incremental two-sample Kolmogorov–Smirnov statistic over small non-negative integers (response
 * lengths): a segment tree over the value domain whose leaves hold the two samples' counts.
 *
 * With the leaf weight w(v) = cntRef(v)·a − cntRec(v)·b and (a, b) ∝ (nRec, nRef), every node
 * keeps (sum, max prefix, min prefix) of its leaves' weights, so the root gives
 * D+ = maxPrefix / (a·nRef), D- = −minPrefix / (a·nRef) and D = max(D+, D-): exactly scipy's
 * `ks_2samp` statistic with ties (ECDFs right-continuous, evaluated at every pooled value).
 * Weights are integers below 2**53, so prefixes are exact.
 *
 * The weights depend on the sample sizes. The tree keeps the (a, b) it was built with and, when a
 * statistic is asked for while (nRec, nRef) is no longer proportional to (a, b), rebuilds once in
 * O(M). Two windows of fixed sizes (or equal sizes, even while filling) never rebuild; a fixed
 * reference with a filling recent window rebuilds on each query until the window is full.
 *
 * Updates are lazy: insert/remove change a leaf count and note the leaf (O(1)); the next query
 * brings the aggregates of the noted leaves and their ancestors up to date, each node once, level
 * by level. A sliding window queried once per trainer step (a few hundred updates, many to the
 * same lengths) pays a fraction of an eager O(log M) per update, and the integer weights make
 * the result the same whatever the order of the updates.
 *
 * Cost: insert/remove O(1); statistic O(min(k·log M, M)) after k updates (O(1) with none, O(M)
 * after a size-ratio change); memory 2M counts + 6M doubles + 3M bytes/ints of bookkeeping.
 * Values are floored to integers; negative values count as 0.
 * Source: ALGORITHMS.md ("KS, lengths"); the value-keyed fix of the (value, sample)-keyed
 * incremental KS of dos Reis et al., KDD 2016, whose ties across samples overstate D.
 *
 * @example
 * const ks = new IntegerKsTree({ domain: 4096 });
 * for (const v of [1, 2, 3]) ks.insertReference(v);
 * for (const v of [2, 3, 4]) ks.insertRecent(v);
 * ks.statistic(); // 1/3, as scipy.stats.ks_2samp([1, 2, 3], [2, 3, 4])
 */
export class IntegerKsTree {
  readonly maxDomain: number;
  private size: number;
  private countRef: Int32Array;
  private countRec: Int32Array;
  private sum: Float64Array;
  private maxPrefix: Float64Array;
  private minPrefix: Float64Array;
  private nRef = 0;
  private nRec = 0;
  /** Weight pair (a, b) the node aggregates were computed with. */
  private weightRef = 0;
  private weightRec = 0;
  private clampedCount = 0;
  private rebuildCount = 0;
  /** Nodes whose aggregate is stale: `stale` marks them, `staleNodes[0, staleCount)` lists the leaves. */
  private stale: Uint8Array;
  private staleNodes: Int32Array;
  private staleCount = 0;

  constructor(config: IntegerKsTreeConfig = {}) {
    const { domain = 4096, maxDomain = 2 ** 20 } = config;
    if (!Number.isInteger(maxDomain) || maxDomain < 1 || maxDomain > 2 ** 26) {
      throw new RangeError(`IntegerKsTree maxDomain must be an integer in [1, 2**26], got ${maxDomain}`);
    }
    if (!Number.isInteger(domain) || domain < 1 || domain > maxDomain) {
      throw new RangeError(`IntegerKsTree domain must be an integer in [1, maxDomain], got ${domain}`);
    }
    this.maxDomain = maxDomain;
    this.size = nextPowerOfTwo(domain);
    this.countRef = new Int32Array(this.size);
    this.countRec = new Int32Array(this.size);
    this.sum = new Float64Array(2 * this.size);
    this.maxPrefix = new Float64Array(2 * this.size);
    this.minPrefix = new Float64Array(2 * this.size);
    this.stale = new Uint8Array(2 * this.size);
    this.staleNodes = new Int32Array(this.size);
  }

  get referenceSize(): number {
    return this.nRef;
  }

  get recentSize(): number {
    return this.nRec;
  }

  /** Leaves currently allocated (a power of two, grows up to maxDomain). */
  get domain(): number {
    return this.size;
  }

  /** Insertions whose value was clamped to maxDomain - 1. */
  get clamped(): number {
    return this.clampedCount;
  }

  /** O(M) rebuilds done so far because the size ratio changed between queries. */
  get rebuilds(): number {
    return this.rebuildCount;
  }

  /** Adds x to the reference sample; false (and no change) for non-finite x. */
  insertReference(x: number): boolean {
    return this.change(x, 1, 0);
  }

  /** Adds x to the recent sample; false (and no change) for non-finite x. */
  insertRecent(x: number): boolean {
    return this.change(x, 0, 1);
  }

  /** Removes one x from the reference sample; false when it holds none. */
  removeReference(x: number): boolean {
    return this.change(x, -1, 0);
  }

  /** Removes one x from the recent sample; false when it holds none. */
  removeRecent(x: number): boolean {
    return this.change(x, 0, -1);
  }

  /** D = max |F_ref − F_rec|; NaN while either sample is empty. */
  statistic(): number {
    return this.prepare() ? ksFromPrefixExtremes(this.maxPrefix[1]!, this.minPrefix[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /** D+ = max (F_ref − F_rec), ≥ 0 (scipy `alternative='greater'` with the reference first). */
  greater(): number {
    return this.prepare() ? ksGreaterFromPrefix(this.maxPrefix[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /** D- = max (F_rec − F_ref), ≥ 0 (scipy `alternative='less'` with the reference first). */
  less(): number {
    return this.prepare() ? ksLessFromPrefix(this.minPrefix[1]!, this.weightRef * this.nRef) : Number.NaN;
  }

  /**
   * Wasserstein-1 distance between the two samples (area between the ECDFs), by one scan of
   * the leaves: O(M). NaN while either sample is empty.
   */
  wasserstein(): number {
    if (this.nRef === 0 || this.nRec === 0) return Number.NaN;
    let cumRef = 0;
    let cumRec = 0;
    let area = 0;
    let previous = -1;
    for (let v = 0; v < this.size; v++) {
      if (this.countRef[v] === 0 && this.countRec[v] === 0) continue;
      if (previous >= 0) area += Math.abs(cumRef * this.nRec - cumRec * this.nRef) * (v - previous);
      cumRef += this.countRef[v]!;
      cumRec += this.countRec[v]!;
      previous = v;
    }
    return area / (this.nRef * this.nRec);
  }

  /** Empties both samples (keeps the allocated domain). */
  clear(): void {
    this.countRef.fill(0);
    this.countRec.fill(0);
    this.sum.fill(0);
    this.maxPrefix.fill(0);
    this.minPrefix.fill(0);
    this.nRef = 0;
    this.nRec = 0;
    this.stale.fill(0);
    this.staleCount = 0;
  }

  private change(x: number, deltaRef: number, deltaRec: number): boolean {
    if (!Number.isFinite(x)) return false;
    let v = x < 0 ? 0 : Math.floor(x);
    if (v >= this.size) {
      if (v >= this.maxDomain) {
        v = this.maxDomain - 1;
        if (deltaRef + deltaRec > 0) this.clampedCount++;
      }
      if (v >= this.size) {
        if (deltaRef + deltaRec < 0) return false; // never inserted: nothing to remove
        this.grow(v + 1);
      }
    }
    const ref = this.countRef[v]! + deltaRef;
    const rec = this.countRec[v]! + deltaRec;
    if (ref < 0 || rec < 0) return false;
    this.countRef[v] = ref;
    this.countRec[v] = rec;
    this.nRef += deltaRef;
    this.nRec += deltaRec;
    const leaf = this.size + v;
    if (this.stale[leaf] === 0) {
      this.stale[leaf] = 1;
      this.staleNodes[this.staleCount++] = leaf;
    }
    return true;
  }

  private pull(node: number): void {
    const left = 2 * node;
    const right = left + 1;
    const leftSum = this.sum[left]!;
    this.sum[node] = leftSum + this.sum[right]!;
    const maxLeft = this.maxPrefix[left]!;
    const maxRight = leftSum + this.maxPrefix[right]!;
    this.maxPrefix[node] = maxLeft > maxRight ? maxLeft : maxRight;
    const minLeft = this.minPrefix[left]!;
    const minRight = leftSum + this.minPrefix[right]!;
    this.minPrefix[node] = minLeft < minRight ? minLeft : minRight;
  }

  /** Makes the aggregates valid for the current sizes; false while a sample is empty. */
  private prepare(): boolean {
    if (this.nRef === 0 || this.nRec === 0) return false;
    if (this.weightRef === 0 || this.weightRef * this.nRef !== this.weightRec * this.nRec) {
      this.weightRef = this.nRec;
      this.weightRec = this.nRef;
      this.rebuild();
      this.rebuildCount++;
    } else if (this.staleCount > 0) {
      this.refresh();
    }
    return true;
  }

  /**
   * Recomputes the stale leaves, then their parents one level at a time (all stale leaves sit at
   * the same depth, so a level's nodes only read the level below, already fresh). The list is
   * rewritten in place with each level's distinct parents.
   */
  private refresh(): void {
    const { stale, staleNodes, sum, maxPrefix, minPrefix, countRef, countRec, weightRef, weightRec, size } = this;
    let count = this.staleCount;
    for (let i = 0; i < count; i++) {
      const node = staleNodes[i]!;
      stale[node] = 0;
      const weight = countRef[node - size]! * weightRef - countRec[node - size]! * weightRec;
      sum[node] = weight;
      maxPrefix[node] = weight;
      minPrefix[node] = weight;
    }
    while (count > 0 && staleNodes[0]! > 1) {
      let parents = 0;
      for (let i = 0; i < count; i++) {
        const parent = staleNodes[i]! >> 1;
        if (stale[parent] === 0) {
          stale[parent] = 1;
          staleNodes[parents++] = parent;
        }
      }
      for (let i = 0; i < parents; i++) {
        const node = staleNodes[i]!;
        stale[node] = 0;
        this.pull(node);
      }
      count = parents;
    }
    this.staleCount = 0;
  }

  private rebuild(): void {
    const size = this.size;
    for (let i = 0; i < this.staleCount; i++) this.stale[this.staleNodes[i]!] = 0;
    this.staleCount = 0;
    for (let v = 0; v < size; v++) {
      const weight = this.countRef[v]! * this.weightRef - this.countRec[v]! * this.weightRec;
      this.sum[size + v] = weight;
      this.maxPrefix[size + v] = weight;
      this.minPrefix[size + v] = weight;
    }
    for (let node = size - 1; node >= 1; node--) this.pull(node);
  }

  private grow(needed: number): void {
    const size = Math.min(nextPowerOfTwo(needed), nextPowerOfTwo(this.maxDomain));
    const countRef = new Int32Array(size);
    const countRec = new Int32Array(size);
    countRef.set(this.countRef);
    countRec.set(this.countRec);
    this.size = size;
    this.countRef = countRef;
    this.countRec = countRec;
    this.sum = new Float64Array(2 * size);
    this.maxPrefix = new Float64Array(2 * size);
    this.minPrefix = new Float64Array(2 * size);
    this.stale = new Uint8Array(2 * size);
    this.staleNodes = new Int32Array(size);
    this.staleCount = 0;
    this.rebuild();
  }
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}
