import { ROLLING_BASE_HI, rollingPower } from './rolling-hash.js';
import { DEFAULT_MAX_CHARS, WordTokenizer } from './word-tokens.js';

/** Fewest count slots a text gets. */
const MIN_SLOTS = 64;
/** Fibonacci hashing multiplier (2^32 / golden ratio): a key's home slot is the top bits of key × this. */
const FIBONACCI = 0x9e3779b1;
/** A slot's mark is its text's generation times 4 plus how often its key occurred (1, 2, or 3 for more). */
const SEEN_BITS = 3;
/** Generations wrap (and the slots are wiped) before the mark would overflow 31 bits. */
const MAX_GENERATION = (1 << 29) - 1;

export interface WordNgramRepetitionConfig {
  /** Number of consecutive words per n-gram. Default 3. */
  readonly n?: number;
  /** Only the first `maxChars` UTF-16 code units are analysed. Default 32768. */
  readonly maxChars?: number;
}

/**
 * Word n-gram repetition: the share of a text's word n-grams that repeat an earlier one,
 * `1 − distinct / total`, from one tokenizing pass that hashes each word and a rolling mix of n
 * consecutive word hashes — no string per word or per n-gram.
 *
 * - Words are maximal runs of BMP letters, digits and combining marks, lower-cased
 *   (`word-tokens.ts`); punctuation, white space and emoji separate them.
 * - total = max(0, words − n + 1); repetition = 1 − distinct/total (0 when there are no
 *   n-grams); `distinctRatio` = distinct/total is the distinct-n of the text (Li et al., 2016,
 *   "A Diversity-Promoting Objective Function for Neural Conversation Models", NAACL);
 *   `repeatedShare` is the fraction of occurrences whose n-gram occurs more than once.
 * - Keys: the Karp–Rabin rolling hash (`rolling-hash.ts`) of the n words' first 32-bit hashes
 *   (FNV-1a). The count is private to one text, so 32 bits suffice: two of its k n-grams share a
 *   key by chance with probability ≈ k²/2³³ (1e-6 for a 100-word answer, 0.03 for the 16,000
 *   n-grams of a text at the 32,768-character cap), and such a merge moves the rate by 1/k. The
 *   64-bit keys this had before cost a third more time per text for nothing a rate can show.
 *   Keys that outlive a text (`DistinctNWindow`, duplicate keys) keep both halves.
 * - Counting: an open-addressing table private to the text (linear probing, Fibonacci home slot),
 *   a prefix of one array sized to at least four times the text's n-grams (at load 1/2 a new key
 *   met an occupied slot often enough that the probe loop's branch mispredicted: 0.95 µs per
 *   ~100-word text, against 0.7 at load 1/4), each slot [mark, key] with
 *   the mark = generation × 4 + occurrences (1, 2, 3 = more), so a new text clears it by a new
 *   generation: no load checks, deletions or growth while counting.
 * - Cost: O(min(length, maxChars)) time; allocation-free once the buffers have grown.
 *
 * @example
 * const repetition = new WordNgramRepetition({ n: 3 });
 * repetition.measure('I am fine. I am fine. I am fine.'); // 7 trigrams, 3 distinct → 4/7
 */
export class WordNgramRepetition {
  readonly n: number;
  private readonly tokenizer: WordTokenizer;
  /** Per-text count slots, 2 words each: [mark, key]. */
  private cells = new Int32Array(2 * MIN_SLOTS);
  private generation = 0;
  /** Slots in use for the current text (a power of two). */
  private slotCount = MIN_SLOTS;
  /** B^(n−1): the weight of the word leaving the window. */
  private readonly power: number;
  private lastTotal = 0;
  private lastRepeated = 0;
  private lastDistinct = 0;

  constructor(config: WordNgramRepetitionConfig = {}) {
    const { n = 3, maxChars = DEFAULT_MAX_CHARS } = config;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`WordNgramRepetition n must be a positive integer, got ${n}`);
    if (!(maxChars >= 1)) throw new RangeError(`WordNgramRepetition maxChars must be at least 1, got ${maxChars}`);
    this.n = n;
    this.tokenizer = new WordTokenizer(maxChars);
    this.power = rollingPower(ROLLING_BASE_HI, n);
  }

  /** Analyses `text` and returns its word n-gram repetition rate in [0, 1). */
  measure(text: string): number {
    const words = this.tokenizer.tokenize(text);
    return this.measureTokens(this.tokenizer.hashHi, words);
  }

  /**
   * Same as `measure` on words already hashed (a shared `WordTokenizer`'s `hashHi`), so one pass
   * over the text can feed several kernels.
   */
  measureTokens(wordHashes: Uint32Array, words: number): number {
    const { n, power } = this;
    const ngrams = Math.max(0, words - n + 1);
    this.claimSlots(ngrams);
    const { cells } = this;
    const stamp = this.generation << 2;
    const mask = this.slotCount - 1;
    const shift = 32 - Math.log2(this.slotCount);
    let key = 0;
    let distinct = 0;
    let repeated = 0;
    for (let index = 0; index < words; index++) {
      if (index >= n) key = (key - Math.imul(wordHashes[index - n]!, power)) | 0;
      key = (Math.imul(key, ROLLING_BASE_HI) + wordHashes[index]!) | 0;
      if (index < n - 1) continue;
      // Linear probing in this text's slots: a new key takes the first slot of another generation.
      for (let probe = Math.imul(key, FIBONACCI) >>> shift; ; probe = (probe + 1) & mask) {
        const base = probe << 1;
        const mark = cells[base]!;
        if ((mark & ~SEEN_BITS) !== stamp) {
          cells[base] = stamp | 1;
          cells[base + 1] = key;
          distinct++;
          break;
        }
        if (cells[base + 1] === key) {
          // The second occurrence makes both count as repeated; later ones add themselves.
          const seen = mark & SEEN_BITS;
          repeated += seen === 1 ? 2 : 1;
          if (seen < SEEN_BITS) cells[base] = mark + 1;
          break;
        }
      }
    }
    this.lastTotal = ngrams;
    this.lastDistinct = distinct;
    this.lastRepeated = repeated;
    return this.repetition;
  }

  /**
   * Starts a new generation in a prefix of the slot array sized for this text (a power of two at
   * least four times its n-grams), growing the array when too short: a short text touches few cache
   * lines even after a long one, and nothing is wiped between texts.
   */
  private claimSlots(ngrams: number): void {
    let size = MIN_SLOTS;
    while (size < 4 * ngrams) size *= 2;
    if (size * 2 > this.cells.length) {
      this.cells = new Int32Array(size * 2);
      this.generation = 0;
    }
    this.generation++;
    if (this.generation > MAX_GENERATION) {
      this.cells.fill(0);
      this.generation = 1;
    }
    this.slotCount = size;
  }

  /** Number of word n-grams in the last text. */
  get total(): number {
    return this.lastTotal;
  }

  /** Number of different word n-grams in the last text. */
  get distinct(): number {
    return this.lastDistinct;
  }

  /** 1 − distinct/total for the last text (0 when it had no n-grams). */
  get repetition(): number {
    return this.lastTotal === 0 ? 0 : 1 - this.lastDistinct / this.lastTotal;
  }

  /** distinct/total for the last text: its distinct-n (1 when it had no n-grams). */
  get distinctRatio(): number {
    return this.lastTotal === 0 ? 1 : this.lastDistinct / this.lastTotal;
  }

  /** Fraction of the last text's n-gram occurrences whose n-gram occurs at least twice. */
  get repeatedShare(): number {
    return this.lastTotal === 0 ? 0 : this.lastRepeated / this.lastTotal;
  }
}
