import { WORD_UNIT, codeUnitTables } from './code-unit-classes.js';

/** FNV-1a 32-bit offset basis and prime (Fowler, Noll, Vo; IETF draft-eastlake-fnv). */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Seed and multiplier of the second, independent word hash (MurmurHash2's constant). */
const SECOND_SEED = 0x9747b28c;
const SECOND_PRIME = 0x5bd1e995;

/**
 * ASCII word units by code: the lower-cased unit for letters and digits, 0 for separators. One
 * table read replaces the range tests in the tokenizer's inner loop.
 */
const ASCII_WORD = new Uint8Array(0x80);
for (let unit = 0x30; unit <= 0x39; unit++) ASCII_WORD[unit] = unit;
for (let unit = 0x61; unit <= 0x7a; unit++) {
  ASCII_WORD[unit] = unit;
  ASCII_WORD[unit - 0x20] = unit;
}

/** Default cap on analysed UTF-16 code units. */
export const DEFAULT_MAX_CHARS = 32_768;

/**
 * Word tokenizer: splits a text into words in one pass and writes two independent 32-bit hashes
 * of each lower-cased word into reusable typed arrays, without allocating a string per word.
 *
 * - A word is a maximal run of letters, digits and combining marks (see `code-unit-classes.ts`:
 *   BMP `\p{L}\p{N}\p{M}`; characters outside the BMP such as emoji separate words).
 * - Words are lower-cased per code unit (ASCII by a bit flip, the rest of the BMP by table).
 * - `hashHi[i]` is FNV-1a over the word's lower-cased code units; `hashLo[i]` a second
 *   multiplicative hash with another seed and prime, so a word pair collides in both only with
 *   probability ≈ 2⁻⁶⁴ under the usual independence heuristic.
 * - Only the first `maxChars` code units are read (a word cut by the cap counts as a word).
 * - Cost: O(length) time; the buffers grow to the largest word count seen, then stay.
 *
 * @example
 * const tokens = new WordTokenizer();
 * tokens.tokenize('The cat, the CAT!'); // 4
 * tokens.hashHi[0] === tokens.hashHi[2] && tokens.hashHi[1] === tokens.hashHi[3]; // true
 */
export class WordTokenizer {
  /** First hash of each word of the last text (valid up to the returned count). */
  hashHi: Uint32Array;
  /** Second hash of each word of the last text. */
  hashLo: Uint32Array;
  /** Number of words in the last text. */
  count = 0;
  readonly maxChars: number;

  constructor(maxChars: number = DEFAULT_MAX_CHARS, initialWords = 256) {
    if (!(maxChars >= 1)) throw new RangeError(`WordTokenizer maxChars must be at least 1, got ${maxChars}`);
    this.maxChars = maxChars;
    this.hashHi = new Uint32Array(Math.max(16, initialWords));
    this.hashLo = new Uint32Array(Math.max(16, initialWords));
  }

  /** Tokenizes `text` into `hashHi`/`hashLo` and returns the number of words. */
  tokenize(text: string): number {
    const length = Math.min(text.length, this.maxChars);
    let words = 0;
    let inWord = false;
    let hi = FNV_OFFSET;
    let lo = SECOND_SEED;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      let unit: number;
      if (code < 0x80) {
        unit = ASCII_WORD[code]!;
      } else {
        const { classes, lower } = codeUnitTables();
        // U+0000 never reaches here, so 0 is free to mean "not a word unit".
        unit = classes[code] === WORD_UNIT ? lower[code]! : 0;
      }
      if (unit !== 0) {
        if (!inWord) {
          inWord = true;
          hi = FNV_OFFSET;
          lo = SECOND_SEED;
        }
        hi = Math.imul(hi ^ unit, FNV_PRIME);
        lo = Math.imul(lo ^ unit, SECOND_PRIME);
        lo ^= lo >>> 15;
      } else if (inWord) {
        inWord = false;
        this.push(words++, hi, lo);
      }
    }
    if (inWord) this.push(words++, hi, lo);
    this.count = words;
    return words;
  }

  private push(index: number, hi: number, lo: number): void {
    if (index === this.hashHi.length) {
      const grownHi = new Uint32Array(index * 2);
      const grownLo = new Uint32Array(index * 2);
      grownHi.set(this.hashHi);
      grownLo.set(this.hashLo);
      this.hashHi = grownHi;
      this.hashLo = grownLo;
    }
    this.hashHi[index] = hi;
    this.hashLo[index] = lo;
  }
}
