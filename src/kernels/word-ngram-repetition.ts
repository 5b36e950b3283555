import { homeSlot } from './hash-count-table.js';
import { ROLLING_BASE_HI, ROLLING_BASE_LO, rollingPower, substituteSymbol } from './rolling-hash.js';
import { DEFAULT_MAX_CHARS, WordTokenizer } from './word-tokens.js';

/** Fewest count slots a text gets. */
const MIN_SLOTS = 64;

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
 * - Keys: each word is two 32-bit hashes; n of them are combined by the Karp–Rabin rolling hash of
 *   `rolling-hash.ts`, so collisions need both 32-bit halves to agree (≈ k²/2⁶⁵ for k n-grams).
 * - Counting: an open-addressing table private to the text (linear probing, Fibonacci home slot
 *   as in `hash-count-table.ts`), a prefix of one array sized to at least twice the text's n-grams
 *   and cleared by a generation stamp: no load checks, deletions or growth while counting.
 * - Cost: O(min(length, maxChars)) time; allocation-free once the buffers have grown.
 *
 * @example
 * const repetition = new WordNgramRepetition({ n: 3 });
 * repetition.measure('I am fine. I am fine. I am fine.'); // 7 trigrams, 3 distinct → 4/7
 */
export class WordNgramRepetition {
  readonly n: number;
  private readonly tokenizer: WordTokenizer;
  /** Per-text count slots, 4 words each: [generation, key hi, key lo, count]. */
  private cells = new Uint32Array(4 * MIN_SLOTS);
  private generation = 0;
  /** Slots in use for the current text (a power of two). */
  private slotCount = MIN_SLOTS;
  private readonly powerHi: number;
  private readonly powerLo: number;
  /** The substituted low-half symbols of the last n words, so each word is substituted once. */
  private readonly symbols: Uint32Array;
  private lastTotal = 0;
  private lastRepeated = 0;
  private lastDistinct = 0;

  constructor(config: WordNgramRepetitionConfig = {}) {
    const { n = 3, maxChars = DEFAULT_MAX_CHARS } = config;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`WordNgramRepetition n must be a positive integer, got ${n}`);
    if (!(maxChars >= 1)) throw new RangeError(`WordNgramRepetition maxChars must be at least 1, got ${maxChars}`);
    this.n = n;
    this.tokenizer = new WordTokenizer(maxChars);
    this.powerHi = rollingPower(ROLLING_BASE_HI, n);
    this.powerLo = rollingPower(ROLLING_BASE_LO, n);
    this.symbols = new Uint32Array(n);
  }

  /** Analyses `text` and returns its word n-gram repetition rate in [0, 1). */
  measure(text: string): number {
    const words = this.tokenizer.tokenize(text);
    return this.measureTokens(this.tokenizer.hashHi, this.tokenizer.hashLo, words);
  }

  /**
   * Same as `measure` on words already hashed (e.g. by a shared `WordTokenizer`), so one pass
   * over the text can feed several kernels.
   */
  measureTokens(wordHi: Uint32Array, wordLo: Uint32Array, words: number): number {
    const { n, powerHi, powerLo, symbols } = this;
    const ngrams = Math.max(0, words - n + 1);
    this.claimSlots(ngrams);
    const { cells, generation } = this;
    const mask = this.slotCount - 1;
    const shift = 32 - Math.log2(this.slotCount);
    let slot = 0;
    let hi = 0;
    let lo = 0;
    let distinct = 0;
    let repeated = 0;
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
        // Linear probing in this text's slots: a new key takes the first slot of another generation.
        const keyHi = hi >>> 0;
        const keyLo = lo >>> 0;
        for (let probe = homeSlot(keyHi, keyLo, shift); ; probe = (probe + 1) & mask) {
          const base = probe << 2;
          if (cells[base] !== generation) {
            cells[base] = generation;
            cells[base + 1] = keyHi;
            cells[base + 2] = keyLo;
            cells[base + 3] = 1;
            distinct++;
            break;
          }
          if (cells[base + 1] === keyHi && cells[base + 2] === keyLo) {
            // The second occurrence makes both count as repeated; later ones add themselves.
            repeated += ++cells[base + 3]! === 2 ? 2 : 1;
            break;
          }
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
   * least twice its n-grams), growing the array when too short: a short text touches few cache
   * lines even after a long one, and nothing is wiped between texts.
   */
  private claimSlots(ngrams: number): void {
    let size = MIN_SLOTS;
    while (size < 2 * ngrams) size *= 2;
    if (size * 4 > this.cells.length) {
      this.cells = new Uint32Array(size * 4);
      this.generation = 0;
    }
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
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
