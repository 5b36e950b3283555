import { AsciiUnits } from './ascii-units.js';
import { HashCountTable } from './hash-count-table.js';
import { ROLLING_BASE_HI, ROLLING_BASE_LO, rollingPower, substituteSymbol } from './rolling-hash.js';
import { DEFAULT_MAX_CHARS } from './word-tokens.js';

export interface CharNgramRepetitionConfig {
  /** Length of each n-gram in UTF-16 code units. Default 4. */
  readonly n?: number;
  /** Only the first `maxChars` code units are analysed. Default 32768. */
  readonly maxChars?: number;
}

/** n ≤ this, with every unit < 256, packs an n-gram exactly into one 32-bit key (8 bits a unit). */
const MAX_PACKED_N = 4;
/** The packed table has at least this many slots per n-gram, so probe runs stay short. */
const SLOTS_PER_NGRAM = 4;
const MIN_PACKED_SLOTS = 1024;
/** Longer texts take the hashed path, which needs less memory per n-gram (caps the table at 2 MiB). */
const MAX_PACKED_NGRAMS = 1 << 16;
/** Packed slots are two Int32 words, [tag, key], with tag = generation·2 + (key seen at least twice). */
const MAX_GENERATION = 2 ** 30 - 1;


/** Negative when x is 0, else ≥ 0, without a branch: (x − 1) & ~x has its sign bit set only for x = 0. */
function zeroSign(x: number): number {
  return (x - 1) & ~x;
}

/**
 * Character n-gram repetition: the share of a text's character n-grams that repeat an earlier
 * one, `1 − distinct / total`, in one pass with no substring.
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
 * - Exact path (n ≤ 4 and every unit < 256, i.e. Latin-1 text, the common case): the last n
 *   units packed 8 bits each are the key itself, counted in a private open-addressing table
 *   (Fibonacci hashing, linear probing, ≥ 4 slots per n-gram). A slot is [tag, key] with
 *   tag = generation·2 + (key seen at least twice): it is live only while its generation is the
 *   text's, so clearing between texts is one increment, and "seen twice" is all `repeatedShare`
 *   needs of a count. No hash collisions: the counts are exact.
 * - Hashed path (n > 4, more than 65,536 n-grams, or a unit ≥ 256 anywhere in the analysed
 *   prefix, found as the exact path reads it; the text is then re-read from its start): keys are
 *   2×32-bit Karp–Rabin rolling hashes (see `rolling-hash.ts`) in a {@link HashCountTable}; two
 *   different n-grams are merged with probability ≈ k²/2⁶⁵ for k distinct n-grams, so the result
 *   equals the exact substring count barring that.
 * - Cost: O(min(length, maxChars)) time, O(1) per unit; the tables grow to the largest text seen
 *   (the exact one to 4 slots × 8 bytes per n-gram, at most 2 MiB), after which a call
 *   allocates nothing.
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
  /** Exact path's table: a slot is live only while its tag's generation is `generation`. */
  private packed = new Int32Array(MIN_PACKED_SLOTS * 2);
  /** Exact path: the analysed units as bytes. */
  private readonly units: AsciiUnits;
  private generation = 0;
  private lastTotal = 0;
  private lastDistinct = 0;
  private lastRepeated = 0;

  constructor(config: CharNgramRepetitionConfig = {}) {
    const { n = 4, maxChars = DEFAULT_MAX_CHARS } = config;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`CharNgramRepetition n must be a positive integer, got ${n}`);
    if (!(maxChars >= 1)) throw new RangeError(`CharNgramRepetition maxChars must be at least 1, got ${maxChars}`);
    this.n = n;
    this.maxChars = maxChars;
    this.units = new AsciiUnits(maxChars);
    this.powerHi = rollingPower(ROLLING_BASE_HI, n);
    this.powerLo = rollingPower(ROLLING_BASE_LO, n);
  }

  /** Analyses `text` and returns its repetition rate in [0, 1). */
  measure(text: string): number {
    const length = Math.min(text.length, this.maxChars);
    this.lastTotal = Math.max(0, length - this.n + 1);
    const packable = this.n <= MAX_PACKED_N && this.lastTotal <= MAX_PACKED_NGRAMS;
    if (!packable || !this.measurePacked(text, length)) this.measureHashed(text, length);
    return this.repetition;
  }

  /** Number of n-grams in the last text. */
  get total(): number {
    return this.lastTotal;
  }

  /** Number of different n-grams in the last text. */
  get distinct(): number {
    return this.lastDistinct;
  }

  /** 1 − distinct/total for the last text (0 when it had no n-grams). */
  get repetition(): number {
    return this.lastTotal === 0 ? 0 : 1 - this.lastDistinct / this.lastTotal;
  }

  /** distinct/total for the last text (1 when it had no n-grams). */
  get distinctRatio(): number {
    return this.lastTotal === 0 ? 1 : this.lastDistinct / this.lastTotal;
  }

  /** Fraction of the last text's n-gram occurrences whose n-gram occurs at least twice. */
  get repeatedShare(): number {
    return this.lastTotal === 0 ? 0 : this.lastRepeated / this.lastTotal;
  }

  /**
   * The exact path; false (results untouched) when a unit ≥ 256 is among the analysed ones,
   * which leaves the text to {@link measureHashed}. The probe loop and the counters are branch-free
   * ({@link zeroSign}): whether an n-gram is new is a coin flip in real text, and a mispredicted
   * branch per unit would cost more than the rest of the loop.
   */
  private measurePacked(text: string, length: number): boolean {
    const { n } = this;
    if (!this.gatherLatin1(text, length)) return false;
    const units = this.units.bytes;
    const size = this.claimPackedSlots(this.lastTotal);
    const cells = this.packed;
    const liveTag = this.generation << 1;
    const mask = size - 1;
    const shift = Math.clz32(size) + 1; // 32 − log2(size): Fibonacci hashing keeps the top bits
    // 8n bits of key; for n = 4 the shift itself drops the oldest unit.
    const keyMask = n === MAX_PACKED_N ? -1 : (1 << (8 * n)) - 1;
    let key = 0;
    let index = 0;
    for (; index < n - 1 && index < length; index++) key = (key << 8) | units[index]!;
    let distinct = 0;
    let repeatedKeys = 0; // keys seen at least twice
    for (; index < length; index++) {
      key = ((key << 8) | units[index]!) & keyMask;
      let base = (Math.imul(key, 0x9e3779b1) >>> shift) << 1;
      // stale = 0: the slot is live in this text; other = 0: it holds this key.
      let tag = cells[base]!;
      let stale = (tag ^ liveTag) >>> 1;
      let other = cells[base + 1]! ^ key;
      while ((zeroSign(stale) & ~zeroSign(other)) < 0) {
        base = (base + 2) & (mask << 1);
        tag = cells[base]!;
        stale = (tag ^ liveTag) >>> 1;
        other = cells[base + 1]! ^ key;
      }
      const found = zeroSign(stale) >>> 31; // 1: live, so this key was seen before; 0: a free slot
      repeatedKeys += found & ~tag; // seen before, and not yet marked repeated
      distinct += 1 - found;
      cells[base] = liveTag | found;
      cells[base + 1] = key;
    }
    this.lastDistinct = distinct;
    // Occurrences of repeated keys = all occurrences minus the keys seen once.
    this.lastRepeated = this.lastTotal - (distinct - repeatedKeys);
    return true;
  }

  /**
   * Copies the first `length` units into `units` as bytes; false when one is ≥ 256. ASCII text,
   * the usual case, is copied by one native call ({@link AsciiUnits}); other text unit by unit.
   */
  private gatherLatin1(text: string, length: number): boolean {
    if (this.units.copy(text, length)) return true;
    const units = this.units.bytes;
    for (let index = 0; index < length; index++) {
      const unit = text.charCodeAt(index);
      if (unit > 0xff) return false;
      units[index] = unit;
    }
    return true;
  }

  /**
   * Starts a new generation of the packed table and returns how many slots this text uses: a
   * power of two ≥ 4 per n-gram, a prefix of the array (grown when too short), so short texts
   * touch few cache lines even after a long one grew the table.
   */
  private claimPackedSlots(ngrams: number): number {
    let size = MIN_PACKED_SLOTS;
    while (size < ngrams * SLOTS_PER_NGRAM) size *= 2;
    if (size * 2 > this.packed.length) {
      this.packed = new Int32Array(size * 2);
      this.generation = 0;
    }
    if (this.generation === MAX_GENERATION) {
      this.packed.fill(0);
      this.generation = 0;
    }
    this.generation++;
    return size;
  }

  /** The general path: 2×32-bit rolling hashes in the shared hash count table. */
  private measureHashed(text: string, length: number): void {
    const { n, table, powerHi, powerLo } = this;
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
    this.lastDistinct = table.size;
    this.lastRepeated = repeated;
  }
}
