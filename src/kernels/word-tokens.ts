import { AsciiUnits } from './ascii-units.js';
import { SPACE_UNIT, WORD_UNIT, codeUnitTables } from './code-unit-classes.js';

/** FNV-1a 32-bit offset basis and prime (Fowler, Noll, Vo; IETF draft-eastlake-fnv). */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Seed and multiplier of the second, independent word hash (MurmurHash2's constant). */
const SECOND_SEED = 0x9747b28c | 0;
const SECOND_PRIME = 0x5bd1e995 | 0;

/** The inverse of an odd number modulo 2³² (Newton's iteration: each step doubles the bits). */
function inverseMod32(odd: number): number {
  let inverse = odd;
  for (let step = 0; step < 5; step++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return inverse;
}

/**
 * What a separator feeds each hash so that the next step lands on the seed:
 * `imul(0 ^ RESTART, PRIME) === SEED`. The scan keeps a hash through a word unit and zeroes it on a
 * separator (by a mask, not a branch), then takes one step: a word's hash then starts at its seed
 * with no branch on word boundaries, which arrive every few characters and mispredict.
 */
const RESTART_HI = Math.imul(FNV_OFFSET, inverseMod32(FNV_PRIME));
const RESTART_LO = Math.imul(SECOND_SEED, inverseMod32(SECOND_PRIME));

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

/**
 * Per ASCII byte, what the scan asks of its unit, each one table read instead of a few operations
 * on its `ASCII_UNITS` value (1.7 -> 1.36 µs per ~540-character response):
 * - what it feeds each hash: its lower-cased unit in a word, else the restart;
 * - the mask that keeps a hash through a word unit (-1) or zeroes it on a separator (0);
 * - a separator's `NON_SPACE | MALFORMED` bits (0 for a word unit).
 */
const ASCII_INPUT_HI = new Int32Array(0x80);
const ASCII_INPUT_LO = new Int32Array(0x80);
const ASCII_KEEP = new Int32Array(0x80);
const ASCII_SEPARATOR = new Int32Array(0x80);
for (let code = 0; code < 0x80; code++) {
  const unit = ASCII_UNITS[code]!;
  const word = unit >= FIRST_WORD_UNIT;
  ASCII_INPUT_HI[code] = word ? unit : RESTART_HI;
  ASCII_INPUT_LO[code] = word ? unit : RESTART_LO;
  ASCII_KEEP[code] = word ? -1 : 0;
  ASCII_SEPARATOR[code] = word ? 0 : unit;
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
 * resizable buffer). Measured: 2.5 -> 2.2 µs per ~550-character response. It must stay a `const`:
 * bundled as a `var`, as esbuild declares every top-level binding, the same scan took 2.9 µs, so
 * the CLI's build restores these (scripts/restore-const.ts). Longer texts (only under a larger
 * `maxChars`) are read unit by unit, like non-ASCII ones.
 */
const SHARED_ASCII = new AsciiUnits(DEFAULT_MAX_CHARS, DEFAULT_MAX_CHARS);
const SHARED_BYTES = SHARED_ASCII.bytes;

/**
 * A scan returns `words * SEPARATOR_KINDS + separators`: its word count, and the OR of its
 * separators' values (`NON_SPACE | MALFORMED` at most) below it.
 */
const SEPARATOR_KINDS = 4;

/**
 * The tokenizing pass over the first `length` bytes of `SHARED_BYTES`, read through the ASCII
 * tables (`ASCII_KEEP`, `ASCII_SEPARATOR`, the hash inputs), all module constants, so V8 folds
 * their base and length into the loop. `hashHi`/`hashLo` are arguments: a function of the module
 * rather than a method keeps V8 from inlining the loop into `tokenize`, where it ran at 2.9 µs per
 * ~540-character response instead of 1.7. Writes the words' hashes and returns the word count with the separators
 * (see `SEPARATOR_KINDS`).
 */
function scanSharedAscii(length: number, hashHi: Uint32Array, hashLo: Uint32Array): number {
  let words = 0;
  /** 1 while in a word. */
  let inWord = 0;
  let hi = FNV_OFFSET;
  let lo = SECOND_SEED;
  /** The OR of every separator's value: which kinds of separator occurred. */
  let separators = 0;
  for (let index = 0; index < length; index++) {
    const byte = SHARED_BYTES[index]!;
    const keep = ASCII_KEEP[byte]!;
    // The open word's hash, overwritten until a separator closes the word and counts it.
    hashHi[words] = hi;
    hashLo[words] = lo;
    words += inWord & (keep + 1);
    separators |= ASCII_SEPARATOR[byte]!;
    hi = Math.imul((hi & keep) ^ ASCII_INPUT_HI[byte]!, FNV_PRIME);
    lo = Math.imul((lo & keep) ^ ASCII_INPUT_LO[byte]!, SECOND_PRIME);
    inWord = keep & 1;
  }
  if (inWord === 1) {
    hashHi[words] = hi;
    hashLo[words] = lo;
    words++;
  }
  return words * SEPARATOR_KINDS + separators;
}

/**
 * The same pass over `length` UTF-16 code units of `source`, each classified by `units[code]` (the
 * BMP table), for texts not read as shared ASCII bytes: each hash's input is worked out from the
 * unit instead of read from a table. A test checks both passes give the same hashes.
 */
function scanUnits(source: Uint16Array, units: Uint16Array, length: number, hashHi: Uint32Array, hashLo: Uint32Array): number {
  let words = 0;
  let inWord = 0;
  let hi = FNV_OFFSET;
  let lo = SECOND_SEED;
  let separators = 0;
  for (let index = 0; index < length; index++) {
    const unit = units[source[index]!]!;
    const isWord = ((unit - FIRST_WORD_UNIT) >>> 31) ^ 1;
    const keep = -isWord;
    hashHi[words] = hi;
    hashLo[words] = lo;
    words += inWord & (isWord ^ 1);
    separators |= unit & ~keep;
    hi = Math.imul((hi & keep) ^ (unit & keep) ^ (RESTART_HI & ~keep), FNV_PRIME);
    lo = Math.imul((lo & keep) ^ (unit & keep) ^ (RESTART_LO & ~keep), SECOND_PRIME);
    inWord = isWord;
  }
  if (inWord === 1) {
    hashHi[words] = hi;
    hashLo[words] = lo;
    words++;
  }
  return words * SEPARATOR_KINDS + separators;
}

/**
 * Word tokenizer: splits a text into words in one pass and writes two independent 32-bit hashes
 * of each lower-cased word into reusable typed arrays, without allocating a string per word.
 *
 * - A word is a maximal run of letters, digits and combining marks (see `code-unit-classes.ts`:
 *   BMP `\p{L}\p{N}\p{M}`; characters outside the BMP such as emoji separate words).
 * - Words are lower-cased per code unit, by the same table read that classifies the unit.
 * - By-products of the pass: `hasContent` (a unit that is not white space) and `hasMalformedUnit`.
 * - `hashHi[i]` is FNV-1a over the word's lower-cased code units; `hashLo[i]` the same
 *   xor-multiply hash with another seed and prime (MurmurHash2's), so a word pair collides in both
 *   only with probability ≈ 2⁻⁶⁴ under the usual independence heuristic.
 * - The scan has no branch on word boundaries (see `RESTART_HI`): a branch per boundary, every
 *   few characters of prose and unpredictable, cost 2.4 µs per ~540-character response against
 *   1.4 µs without.
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
    let scanned: number;
    if (length <= SHARED_BYTES.length && SHARED_ASCII.copy(text, length)) {
      scanned = scanSharedAscii(length, this.hashHi, this.hashLo);
    } else {
      const codes = this.codeUnits(length);
      for (let index = 0; index < length; index++) codes[index] = text.charCodeAt(index);
      scanned = scanUnits(codes, (bmpUnits ??= buildBmpUnits()), length, this.hashHi, this.hashLo);
    }
    const separators = scanned % SEPARATOR_KINDS;
    const words = (scanned - separators) / SEPARATOR_KINDS;
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
