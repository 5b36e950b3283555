import { ROLLING_BASE_HI, ROLLING_BASE_LO, rollingPower, substituteSymbol } from './rolling-hash.js';
import { SlotCountTable } from './slot-count-table.js';
import { DEFAULT_MAX_CHARS, WordTokenizer } from './word-tokens.js';

export interface DistinctNWindowConfig {
  /** Number of responses in the window (the last `window` pushed). Required, integer ≥ 1. */
  readonly window: number;
  /** Words per n-gram. Default 1 (distinct-1, i.e. the type-token ratio of the window). */
  readonly n?: number;
  /** Only the first `maxChars` UTF-16 code units of each response are read. Default 32768. */
  readonly maxChars?: number;
}

/**
 * Distinct-n over a sliding window of responses: distinct word n-grams divided by total word
 * n-grams across the last `window` responses (Li, Galley, Brockett, Gao, Dolan, "A
 * Diversity-Promoting Objective Function for Neural Conversation Models", NAACL 2016, which
 * reports distinct-1 and distinct-2 this way over a set of responses).
 *
 * - N-grams never cross a response boundary; words as in `word-tokens.ts` (lower-cased).
 * - Before the window has filled, the ratio is over the responses seen so far; with no n-gram in
 *   the window the ratio is 1 (no evidence of collapse). `reset()` empties the window.
 * - State: an n-gram-key → count table (`SlotCountTable`) plus a FIFO ring of the table slot of
 *   every n-gram in the window, so evicting the oldest response decrements exactly its own n-grams,
 *   by slot, without hashing or probing them again.
 * - Cost: O(n-grams in + n-grams out) per response, O(1) each; memory O(n-grams in the window).
 *   Allocation-free once the ring and table have grown to the working set.
 * - Keys are 2×32-bit hashes: a false merge of two n-grams has probability ≈ k²/2⁶⁵ for k
 *   distinct n-grams in the window.
 *
 * @example
 * const distinct2 = new DistinctNWindow({ window: 2, n: 2 });
 * distinct2.push('a b c'); // 2 bigrams, 2 distinct → 1
 * distinct2.push('a b d'); // 4 bigrams: ab, bc, ab, bd → 3/4
 */
export class DistinctNWindow {
  readonly window: number;
  readonly n: number;
  private readonly tokenizer: WordTokenizer;
  private readonly table = new SlotCountTable(256);
  private readonly powerHi: number;
  private readonly powerLo: number;
  /** The substituted low-half symbols of the last n words, so each word is substituted once. */
  private readonly symbols: Uint32Array;
  /** N-gram count of each response in the window, as a ring indexed by push order. */
  private readonly perResponse: Uint32Array;
  private responses = 0;
  private oldest = 0;
  /** FIFO ring of the table slots of the window's n-grams: `ringLength` from `ringStart`, wrapping. */
  private ring = new Int32Array(1024);
  private ringStart = 0;
  private ringLength = 0;

  constructor(config: DistinctNWindowConfig) {
    const { window, n = 1, maxChars = DEFAULT_MAX_CHARS } = config;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`DistinctNWindow window must be a positive integer, got ${window}`);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`DistinctNWindow n must be a positive integer, got ${n}`);
    if (!(maxChars >= 1)) throw new RangeError(`DistinctNWindow maxChars must be at least 1, got ${maxChars}`);
    this.window = window;
    this.n = n;
    this.tokenizer = new WordTokenizer(maxChars);
    this.powerHi = rollingPower(ROLLING_BASE_HI, n);
    this.powerLo = rollingPower(ROLLING_BASE_LO, n);
    this.symbols = new Uint32Array(n);
    this.perResponse = new Uint32Array(window);
  }

  /** Adds a response (evicting the oldest when the window is full) and returns the ratio. */
  push(text: string): number {
    const words = this.tokenizer.tokenize(text);
    return this.pushTokens(this.tokenizer.hashHi, this.tokenizer.hashLo, words);
  }

  /** Same as `push` on a response already split into word hashes (e.g. by `WordTokenizer`). */
  pushTokens(wordHi: Uint32Array, wordLo: Uint32Array, words: number): number {
    const { n, table, powerHi, powerLo, symbols } = this;
    let slot = 0;
    const ngrams = Math.max(0, words - n + 1);
    this.reserve(ngrams);
    const { ring } = this;
    const mask = ring.length - 1;
    let write = (this.ringStart + this.ringLength) & mask;
    let hi = 0;
    let lo = 0;
    for (let index = 0; index < words; index++) {
      // The low half's symbol of the word leaving the window sits in the slot the new one takes.
      const symbol = substituteSymbol(wordLo[index]!);
      if (index >= n) {
        hi = (hi - Math.imul(wordHi[index - n]!, powerHi)) | 0;
        lo = (lo - Math.imul(symbols[slot]!, powerLo)) | 0;
      }
      symbols[slot] = symbol;
      slot = slot + 1 === n ? 0 : slot + 1;
      hi = (Math.imul(hi, ROLLING_BASE_HI) + wordHi[index]!) | 0;
      lo = (Math.imul(lo, ROLLING_BASE_LO) + symbol) | 0;
      if (index >= n - 1) {
        ring[write] = table.add(hi, lo);
        write = (write + 1) & mask;
      }
    }
    this.ringLength += ngrams;
    // Evict after adding: an n-gram the new response shares with the oldest (common in natural
    // text) then stays in the table instead of being deleted and re-inserted. The counts that
    // remain are the same in either order.
    if (this.responses === this.window) this.evictOldest();
    this.perResponse[(this.oldest + this.responses) % this.window] = ngrams;
    this.responses++;
    return this.ratio;
  }

  /** Distinct n-grams / total n-grams over the window (1 when the window holds no n-gram). */
  get ratio(): number {
    return this.ringLength === 0 ? 1 : this.table.size / this.ringLength;
  }

  /** Number of different n-grams in the window. */
  get distinct(): number {
    return this.table.size;
  }

  /** Number of n-gram occurrences in the window. */
  get total(): number {
    return this.ringLength;
  }

  /** Number of responses in the window (≤ `window`). */
  get size(): number {
    return this.responses;
  }

  /** Empties the window. O(table capacity). */
  reset(): void {
    this.table.clear();
    this.responses = 0;
    this.oldest = 0;
    this.ringStart = 0;
    this.ringLength = 0;
  }

  private evictOldest(): void {
    const count = this.perResponse[this.oldest]!;
    const { table, ring } = this;
    const mask = ring.length - 1;
    let read = this.ringStart;
    for (let evicted = 0; evicted < count; evicted++) {
      table.release(ring[read]!);
      read = (read + 1) & mask;
    }
    this.ringStart = read;
    this.ringLength -= count;
    this.oldest = (this.oldest + 1) % this.window;
    this.responses--;
  }

  /**
   * Makes room for `extra` more n-grams: in the table (mapping the ring's slots when it rebuilds)
   * and in the ring (growing it, keeping FIFO order).
   */
  private reserve(extra: number): void {
    const mask = this.ring.length - 1;
    if (this.table.reserve(extra)) {
      const { ring, table } = this;
      for (let index = 0; index < this.ringLength; index++) {
        const at = (this.ringStart + index) & mask;
        ring[at] = table.movedTo(ring[at]!);
      }
    }
    const needed = this.ringLength + extra;
    if (needed <= this.ring.length) return;
    let capacity = this.ring.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Int32Array(capacity);
    for (let index = 0; index < this.ringLength; index++) grown[index] = this.ring[(this.ringStart + index) & mask]!;
    this.ring = grown;
    this.ringStart = 0;
  }
}
