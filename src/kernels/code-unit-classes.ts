/**
 * Code-unit classes: tells, for one UTF-16 code unit, whether it belongs to a word, is white
 * space, or is something else, and gives its lower-case form — in O(1) by table lookup.
 *
 * Definitions (shared by every text kernel, so "word" means one thing across goodhart):
 * - A **word unit** is a BMP code unit in Unicode's `\p{L}` (letters), `\p{N}` (digits and other
 *   numbers) or `\p{M}` (combining marks, so "café" spelt with U+0301 stays one word). A word is a
 *   maximal run of word units; everything else separates words, so "don't" is two words.
 * - A **space unit** is a code unit matched by JavaScript's `/\s/u`.
 * - Surrogate code units (U+D800–U+DFFF) are neither: characters outside the BMP (emoji,
 *   CJK extension B and later, historic scripts) separate words. That keeps the lookup one array
 *   read; emoji spam is still caught by the character n-gram kernel.
 * - Lower-casing maps a code unit to `String.prototype.toLowerCase` of it when that is a single
 *   code unit ("İ" → "i̇" is two, so "İ" is kept), without locale or context (a final sigma stays σ).
 *
 * ASCII is decided inline by the callers; the BMP tables (64 Ki classes + 64 Ki lower-case units,
 * 192 KiB) are built on the first non-ASCII unit, which costs a few milliseconds once per process.
 *
 * @example
 * const { classes, lower } = codeUnitTables();
 * classes[0x00e9] === WORD_UNIT;    // "é"
 * lower[0x00c9] === 0x00e9;         // "É" → "é"
 */
export const OTHER_UNIT = 0;
export const WORD_UNIT = 1;
export const SPACE_UNIT = 2;

export interface CodeUnitTables {
  /** OTHER_UNIT, WORD_UNIT or SPACE_UNIT for every UTF-16 code unit. */
  readonly classes: Uint8Array;
  /** The single-unit lower-case form of every code unit (itself when there is none). */
  readonly lower: Uint16Array;
}

let tables: CodeUnitTables | undefined;

/** Returns the class and lower-case tables, building them on first use. */
export function codeUnitTables(): CodeUnitTables {
  tables ??= buildTables();
  return tables;
}

function buildTables(): CodeUnitTables {
  const classes = new Uint8Array(0x10000);
  const lower = new Uint16Array(0x10000);
  const word = /[\p{L}\p{N}\p{M}]/u;
  const space = /\s/u;
  for (let unit = 0; unit < 0x10000; unit++) {
    lower[unit] = unit;
    if (unit >= 0xd800 && unit <= 0xdfff) continue;
    const character = String.fromCharCode(unit);
    classes[unit] = word.test(character) ? WORD_UNIT : space.test(character) ? SPACE_UNIT : OTHER_UNIT;
    const lowered = character.toLowerCase();
    if (lowered.length === 1) lower[unit] = lowered.charCodeAt(0);
  }
  return { classes, lower };
}
