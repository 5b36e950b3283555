import { HashCountTable } from './hash-count-table.js';
import { ROLLING_BASE_HI, ROLLING_BASE_LO, rollingPower, substituteSymbol } from './rolling-hash.js';
import { DEFAULT_MAX_CHARS } from './word-tokens.js';

export interface CharNgramRepetitionConfig {
  /** Length of each n-gram in UTF-16 code units. Default 4. */
  readonly n?: number;
  /** Only the first `maxChars` code units are analysed. Default 32768. */
  readonly maxChars?: number;
}

/**
 * Character n-gram repetition: the share of a text's character n-grams that repeat an earlier
 * one, `1 − distinct / total`, in one pass with a Karp–Rabin rolling hash and no substring.
 *
 * - Units are UTF-16 code units, exactly as `text.slice(i, i + n)` would cut them: an emoji is two
 *   units, an n-gram may split a surrogate pair, and nothing is lower-cased or normalised.
 * - total = max(0, min(length, maxChars) − n + 1); distinct = number of different n-grams.
 * - repetition = 1 − distinct/total, i.e. the fraction of n-gram occurrences that are not the
 *   first occurrence of their n-gram. "aaaa…" → (total − 1)/total, all-different text → 0, and a
 *   text shorter than n (no n-grams) → 0: there is no evidence of repetition.
 * - `distinctRatio` = distinct/total (1 when there are no n-grams) is the character distinct-n of
 *   the text. `repeatedShare` is the alternative definition: the fraction of occurrences whose
 *   n-gram occurs more than once, first occurrences included ("abab", n=2 → 2/3 against 1/3).
 * - Keys are 2×32-bit rolling hashes (see `rolling-hash.ts`): two different n-grams are merged
 *   with probability ≈ k²/2⁶⁵ for k distinct n-grams, so the result equals the exact
 *   substring count barring that.
 * - Cost: O(min(length, maxChars)) time, O(1) per unit; the hash table grows to the largest
 *   text seen, after which a call allocates nothing.
 *
 * @example
 * const repetition = new CharNgramRepetition({ n: 4 });
 * repetition.measure('abcabcabc'); // 6 four-grams, 3 distinct → 0.5
 */
export class CharNgramRepetition {
  readonly n: number;
  readonly maxChars: number;
  private readonly table = new HashCountTable(1024);
  private readonly powerHi: number;
  private readonly powerLo: number;
  private lastTotal = 0;
  private lastRepeated = 0;

  constructor(config: CharNgramRepetitionConfig = {}) {
    const { n = 4, maxChars = DEFAULT_MAX_CHARS } = config;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`CharNgramRepetition n must be a positive integer, got ${n}`);
    if (!(maxChars >= 1)) throw new RangeError(`CharNgramRepetition maxChars must be at least 1, got ${maxChars}`);
    this.n = n;
    this.maxChars = maxChars;
    this.powerHi = rollingPower(ROLLING_BASE_HI, n);
    this.powerLo = rollingPower(ROLLING_BASE_LO, n);
  }

  /** Analyses `text` and returns its repetition rate in [0, 1). */
  measure(text: string): number {
    const { n, table, powerHi, powerLo } = this;
    const length = Math.min(text.length, this.maxChars);
    table.clear();
    let hi = 0;
    let lo = 0;
    let repeated = 0;
    for (let index = 0; index < length; index++) {
      const unit = text.charCodeAt(index);
      if (index >= n) {
        const leaving = text.charCodeAt(index - n);
        hi = (hi - Math.imul(leaving, powerHi)) | 0;
        lo = (lo - Math.imul(substituteSymbol(leaving), powerLo)) | 0;
      }
      hi = (Math.imul(hi, ROLLING_BASE_HI) + unit) | 0;
      lo = (Math.imul(lo, ROLLING_BASE_LO) + substituteSymbol(unit)) | 0;
      if (index >= n - 1) {
        const seen = table.increment(hi, lo);
        // Second occurrence: both it and the first become "repeated"; later ones add one each.
        if (seen === 2) repeated += 2;
        else if (seen > 2) repeated++;
      }
    }
    this.lastTotal = Math.max(0, length - n + 1);
    this.lastRepeated = repeated;
    return this.repetition;
  }

  /** Number of n-grams in the last text. */
  get total(): number {
    return this.lastTotal;
  }

  /** Number of different n-grams in the last text. */
  get distinct(): number {
    return this.table.size;
  }

  /** 1 − distinct/total for the last text (0 when it had no n-grams). */
  get repetition(): number {
    return this.lastTotal === 0 ? 0 : 1 - this.table.size / this.lastTotal;
  }

  /** distinct/total for the last text (1 when it had no n-grams). */
  get distinctRatio(): number {
    return this.lastTotal === 0 ? 1 : this.table.size / this.lastTotal;
  }

  /** Fraction of the last text's n-gram occurrences whose n-gram occurs at least twice. */
  get repeatedShare(): number {
    return this.lastTotal === 0 ? 0 : this.lastRepeated / this.lastTotal;
  }
}
