import { AsciiUnits } from './ascii-units.js';
import { SPACE_UNIT, WORD_UNIT, codeUnitTables } from './code-unit-classes.js';

/** FNV-1a 32-bit offset basis and prime (Fowler, Noll, Vo; IETF draft-eastlake-fnv). */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Seed and multiplier of the second, independent word hash (MurmurHash2's constant). */
const SECOND_SEED = 0x9747b28c;
const SECOND_PRIME = 0x5bd1e995;

/**
 * What one code unit is to the tokenizer, as one number: a word unit is its lower-cased code unit
 * (always >= 0x30); anything else is a separator whose two low bits say whether it is white
 * space (bit `NON_SPACE` clear) and whether it is a malformed unit (bit `MALFORMED`). One table
 * read classifies, lower-cases and flags a unit.
 */
const NON_SPACE = 1;
const MALFORMED = 2;
/** Values at or above this are word units; separators are 0..3. */
const FIRST_WORD_UNIT = 4;

/**
 * Malformed units: C0 controls other than tab, line feed and carriage return (vertical tab and
 * form feed are also white space), DEL, C1 controls, and U+FFFD, the replacement character of
 * broken decoding. The same set as `/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/`.
 */
function isMalformedUnit(code: number): boolean {
  return (code <= 0x1f && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f) || code === 0xfffd;
}

function unitValue(code: number, classes: Uint8Array, lower: Uint16Array): number {
  if (classes[code] === WORD_UNIT) return lower[code]!;
  return (classes[code] === SPACE_UNIT ? 0 : NON_SPACE) | (isMalformedUnit(code) ? MALFORMED : 0);
}

/** ASCII units, built at load from the same definitions as the BMP table. */
const ASCII_UNITS = new Uint8Array(0x80);
for (let code = 0; code < 0x80; code++) {
  const character = String.fromCharCode(code);
  const word = /[\p{L}\p{N}\p{M}]/u.test(character);
  ASCII_UNITS[code] = word
    ? character.toLowerCase().charCodeAt(0)
    : (/\s/u.test(character) ? 0 : NON_SPACE) | (isMalformedUnit(code) ? MALFORMED : 0);
}

/** Every BMP unit, built on the first non-ASCII unit (see `code-unit-classes.ts`). */
let bmpUnits: Uint16Array | undefined;

function buildBmpUnits(): Uint16Array {
  const { classes, lower } = codeUnitTables();
  const units = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code++) units[code] = unitValue(code, classes, lower);
  // ASCII units read the same on either path (the unit-by-unit one used ASCII_UNITS for them too).
  units.set(ASCII_UNITS);
  return units;
}

/** Default cap on analysed UTF-16 code units. */
export const DEFAULT_MAX_CHARS = 32_768;

/**
 * The bytes of ASCII texts of up to `DEFAULT_MAX_CHARS` units, one buffer shared by every
 * tokenizer: a `tokenize` call fills and reads it start to finish, and JavaScript runs one call at
 * a time. A module constant on purpose: V8 folds a constant typed array's base and length into the
 * scan loop, where an instance field's must be reloaded on every read (a typed array may sit on a
 * resizable buffer). Measured: 2.5 -> 2.2 µs per ~550-character response. Longer texts (only
 * under a larger `maxChars`) are read unit by unit, like non-ASCII ones.
 */
const SHARED_ASCII = new AsciiUnits(DEFAULT_MAX_CHARS, DEFAULT_MAX_CHARS);
const SHARED_BYTES = SHARED_ASCII.bytes;

/**
 * Word tokenizer: splits a text into words in one pass and writes two independent 32-bit hashes
 * of each lower-cased word into reusable typed arrays, without allocating a string per word.
 *
 * - A word is a maximal run of letters, digits and combining marks (see `code-unit-classes.ts`:
 *   BMP `\p{L}\p{N}\p{M}`; characters outside the BMP such as emoji separate words).
 * - Words are lower-cased per code unit, by the same table read that classifies the unit.
 * - By-products of the pass: `hasContent` (a unit that is not white space) and `hasMalformedUnit`.
 * - `hashHi[i]` is FNV-1a over the word's lower-cased code units; `hashLo[i]` a second
 *   multiplicative hash with another seed and prime, so a word pair collides in both only with
 *   probability ≈ 2⁻⁶⁴ under the usual independence heuristic.
 * - Only the first `maxChars` code units are read (a word cut by the cap counts as a word).
 * - Cost: O(length) time, one table read per unit (ASCII texts are copied to bytes by one native
 *   `TextEncoder#encodeInto` call first); the buffers grow to the largest text seen, then stay.
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
  /** The analysed part of the last text has a unit that is not white space (`/\S/`). */
  hasContent = false;
  /**
   * The analysed part of the last text has a malformed unit: a C0 control other than tab, line
   * feed and carriage return, DEL, a C1 control, or U+FFFD (the replacement character of broken
   * decoding). Found in the same pass, so `degenerateOutputs` needs no scan of its own.
   */
  hasMalformedUnit = false;
  readonly maxChars: number;
  /** Scratch for the code units of the texts not read as shared ASCII bytes. */
  private codes = new Uint16Array(0);

  constructor(maxChars: number = DEFAULT_MAX_CHARS, initialWords = 256) {
    if (!(maxChars >= 1)) throw new RangeError(`WordTokenizer maxChars must be at least 1, got ${maxChars}`);
    this.maxChars = maxChars;
    this.hashHi = new Uint32Array(Math.max(16, initialWords));
    this.hashLo = new Uint32Array(Math.max(16, initialWords));
  }

  /** Tokenizes `text` into `hashHi`/`hashLo` and returns the number of words. */
  tokenize(text: string): number {
    const length = Math.min(text.length, this.maxChars);
    // A text has at most one word per two units (rounded up): room for that is made here, so the
    // scan writes without a capacity check per word.
    if (this.hashHi.length <= length >> 1) this.grow(length);
    // ASCII text, the usual case, is read from bytes copied by one native call: a charCodeAt per
    // unit costs more, above all on strings built by concatenation. Other text, and ASCII text
    // longer than the shared bytes, is copied unit by unit and read through the BMP table.
    if (length <= SHARED_BYTES.length && SHARED_ASCII.copy(text, length)) return this.scanSharedAscii(length);
    const codes = this.codeUnits(length);
    for (let index = 0; index < length; index++) codes[index] = text.charCodeAt(index);
    return this.scan(codes, (bmpUnits ??= buildBmpUnits()), length);
  }

  /**
   * The pass of `scan` over `SHARED_BYTES` through `ASCII_UNITS`, both read as the module
   * constants they are, so their base and length are folded into the loop wherever V8 compiles it. Passed as
   * arguments they are folded only when `scan` is inlined into its caller, which V8 decides by
   * budget: when `analyzeText` inlined the word-counting kernel instead, the pass went from 2.2 to
   * 2.5 µs per ~550-character response. The same loop as `scan`, kept in step with it (a test
   * checks both give the same hashes).
   */
  private scanSharedAscii(length: number): number {
    const { hashHi, hashLo } = this;
    let words = 0;
    let inWord = false;
    let hi = FNV_OFFSET;
    let lo = SECOND_SEED;
    let separators = 0;
    for (let index = 0; index < length; index++) {
      const unit = ASCII_UNITS[SHARED_BYTES[index]!]!;
      if (unit >= FIRST_WORD_UNIT) {
        if (!inWord) {
          inWord = true;
          hi = FNV_OFFSET;
          lo = SECOND_SEED;
        }
        hi = Math.imul(hi ^ unit, FNV_PRIME);
        lo = Math.imul(lo ^ unit, SECOND_PRIME);
        lo ^= lo >>> 15;
      } else {
        separators |= unit;
        if (inWord) {
          inWord = false;
          hashHi[words] = hi;
          hashLo[words] = lo;
          words++;
        }
      }
    }
    return this.finish(words, inWord, hi, lo, separators);
  }

  /**
   * The tokenizing pass over `length` UTF-16 code units of `source`, each classified by
   * `units[code]` (the BMP table), for texts that are not read as shared ASCII bytes.
   */
  private scan(source: Uint16Array, units: Uint16Array, length: number): number {
    const { hashHi, hashLo } = this;
    let words = 0;
    let inWord = false;
    let hi = FNV_OFFSET;
    let lo = SECOND_SEED;
    /** The OR of every separator's value: which kinds of separator occurred. */
    let separators = 0;
    for (let index = 0; index < length; index++) {
      const unit = units[source[index]!]!;
      if (unit >= FIRST_WORD_UNIT) {
        if (!inWord) {
          inWord = true;
          hi = FNV_OFFSET;
          lo = SECOND_SEED;
        }
        hi = Math.imul(hi ^ unit, FNV_PRIME);
        lo = Math.imul(lo ^ unit, SECOND_PRIME);
        lo ^= lo >>> 15;
      } else {
        separators |= unit;
        if (inWord) {
          inWord = false;
          hashHi[words] = hi;
          hashLo[words] = lo;
          words++;
        }
      }
    }
    return this.finish(words, inWord, hi, lo, separators);
  }

  /** Ends a pass: stores the word still open at the end and the pass's by-products. */
  private finish(counted: number, inWord: boolean, hi: number, lo: number, separators: number): number {
    let words = counted;
    if (inWord) {
      this.hashHi[words] = hi;
      this.hashLo[words] = lo;
      words++;
    }
    this.count = words;
    this.hasContent = words > 0 || (separators & NON_SPACE) !== 0;
    this.hasMalformedUnit = (separators & MALFORMED) !== 0;
    return words;
  }

  /** Scratch for the code units of a non-ASCII text, at least `length` long. */
  private codeUnits(length: number): Uint16Array {
    if (this.codes.length < length) this.codes = new Uint16Array(Math.min(this.maxChars, Math.max(length, 2 * this.codes.length)));
    return this.codes;
  }

  /** Grows the hash buffers to hold the words of a `length`-unit text. */
  private grow(length: number): void {
    const size = Math.max(2 * this.hashHi.length, (length >> 1) + 1);
    this.hashHi = new Uint32Array(size);
    this.hashLo = new Uint32Array(size);
  }
}
