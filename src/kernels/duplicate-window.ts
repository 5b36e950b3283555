import { HashCountTable } from './hash-count-table.js';
import { hashText, type TextHashMode } from './text-hash.js';

export interface DuplicateWindowConfig {
  /** Number of responses in the window (the last `window` pushed). Required, integer ≥ 1. */
  readonly window: number;
  /**
   * `'exact'` (default) counts identical strings as duplicates; `'normalized'` also merges
   * responses that differ only in letter case and white space (see `hashText`).
   */
  readonly mode?: TextHashMode;
}

/**
 * Duplicate window: the unique-response ratio (distinct responses / responses) over the last
 * `window` responses, and its complement, the duplicate ratio.
 *
 * - Each response is reduced to a 64-bit `hashText` key; a key → count table and a ring of the
 *   window's keys make a push O(length) for the hash plus O(1) for the window.
 * - Before the window fills, the ratios are over the responses seen so far; an empty window has
 *   unique ratio 1. `lastCount` tells how many copies of the last response the window holds.
 * - A false duplicate needs two different responses to share both 32-bit halves: probability
 *   ≈ w²/2⁶⁵ per window state (≈ 3e-14 at w = 1000), against ≈ w²/2³³ ≈ 1e-4 for 32-bit keys.
 * - Allocation-free per push.
 *
 * @example
 * const duplicates = new DuplicateWindow({ window: 3 });
 * duplicates.push('42');  // 1
 * duplicates.push('42');  // 1 distinct of 2 → 0.5
 * duplicates.push('7');   // 2 of 3
 * duplicates.push('7');   // window ['42', '7', '7'] → 2 of 3
 */
export class DuplicateWindow {
  readonly window: number;
  readonly mode: TextHashMode;
  private readonly table: HashCountTable;
  private readonly ringHi: Uint32Array;
  private readonly ringLo: Uint32Array;
  private readonly key = new Uint32Array(2);
  private responses = 0;
  private oldest = 0;
  private last = 0;

  constructor(config: DuplicateWindowConfig) {
    const { window, mode = 'exact' } = config;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`DuplicateWindow window must be a positive integer, got ${window}`);
    if (!(['exact', 'normalized'] as readonly string[]).includes(mode)) {
      throw new TypeError(`DuplicateWindow mode must be 'exact' or 'normalized', got ${JSON.stringify(mode)}`);
    }
    this.window = window;
    this.mode = mode;
    this.table = new HashCountTable(2 * window);
    this.ringHi = new Uint32Array(window);
    this.ringLo = new Uint32Array(window);
  }

  /** Adds a response (evicting the oldest when full) and returns the unique-response ratio. */
  push(text: string): number {
    hashText(text, this.key, this.mode);
    return this.pushKey(this.key[0]!, this.key[1]!);
  }

  /** Same as `push` with a precomputed 64-bit response key (two 32-bit halves). */
  pushKey(hi: number, lo: number): number {
    if (this.responses === this.window) {
      this.table.decrement(this.ringHi[this.oldest]!, this.ringLo[this.oldest]!);
      this.oldest = (this.oldest + 1) % this.window;
      this.responses--;
    }
    const slot = (this.oldest + this.responses) % this.window;
    this.ringHi[slot] = hi;
    this.ringLo[slot] = lo;
    this.responses++;
    this.last = this.table.increment(hi, lo);
    return this.uniqueRatio;
  }

  /** Distinct responses / responses in the window (1 when empty). */
  get uniqueRatio(): number {
    return this.responses === 0 ? 1 : this.table.size / this.responses;
  }

  /** 1 − uniqueRatio: the share of the window that repeats a response also in the window. */
  get duplicateRatio(): number {
    return 1 - this.uniqueRatio;
  }

  /** Distinct responses in the window. */
  get distinct(): number {
    return this.table.size;
  }

  /** Responses in the window (≤ `window`). */
  get size(): number {
    return this.responses;
  }

  /** Copies of the last pushed response in the window, itself included (0 before any push). */
  get lastCount(): number {
    return this.last;
  }

  /** Empties the window in O(1). */
  reset(): void {
    this.table.clear();
    this.responses = 0;
    this.oldest = 0;
    this.last = 0;
  }
}
