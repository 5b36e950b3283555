import { SPACE_UNIT, codeUnitTables } from './code-unit-classes.js';
import { fmix32 } from './hash-count-table.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SECOND_SEED = 0x9747b28c;
const SECOND_PRIME = 0x5bd1e995;
const SPACE = 0x20;

/** How `hashText` reads a text: exactly, or with case and white space normalised. */
export type TextHashMode = 'exact' | 'normalized';

/**
 * Text hash: a 64-bit fingerprint of a whole response, written as two 32-bit halves into
 * `out[0]` and `out[1]`, in one pass without allocating.
 *
 * - `'exact'`: every UTF-16 code unit, plus the length; equal strings hash equal.
 * - `'normalized'` (a cheap near-duplicate signal): runs of white space (`/\s/u`) count as one
 *   space, leading and trailing white space is ignored, and code units are lower-cased (ASCII
 *   by bit flip, the rest of the BMP by table, see `code-unit-classes.ts`). So "Hello  World\n"
 *   and "hello world" agree; "hello, world" and "hello world" do not (punctuation is kept).
 *   It catches copy-paste with re-spacing or re-casing, not paraphrase (use distinct-n for that).
 * - Halves: FNV-1a and a second multiplicative hash with its own seed and prime, each finished
 *   with MurmurHash3's fmix32; two different texts agree on both with probability ≈ 2⁻⁶⁴
 *   (heuristically), so a window of w responses has a false duplicate with probability ≈ w²/2⁶⁵.
 * - Cost: O(length).
 *
 * @example
 * const key = new Uint32Array(2);
 * hashText('Hello  World', key, 'normalized'); // same key as for 'hello world'
 */
export function hashText(text: string, out: Uint32Array, mode: TextHashMode = 'exact'): void {
  let hi = FNV_OFFSET;
  let lo = SECOND_SEED;
  let fed = 0;
  const length = text.length;
  if (mode === 'exact') {
    for (let index = 0; index < length; index++) {
      const unit = text.charCodeAt(index);
      hi = Math.imul(hi ^ unit, FNV_PRIME);
      lo = Math.imul(lo ^ unit, SECOND_PRIME);
      lo ^= lo >>> 15;
    }
    fed = length;
  } else {
    let pendingSpace = false;
    for (let index = 0; index < length; index++) {
      let unit = text.charCodeAt(index);
      let isSpace: boolean;
      if (unit < 0x80) {
        isSpace = unit === SPACE || (unit >= 0x09 && unit <= 0x0d);
        if (unit >= 0x41 && unit <= 0x5a) unit |= 0x20;
      } else {
        const { classes, lower } = codeUnitTables();
        isSpace = classes[unit] === SPACE_UNIT;
        unit = lower[unit]!;
      }
      if (isSpace) {
        pendingSpace = fed > 0;
        continue;
      }
      if (pendingSpace) {
        hi = Math.imul(hi ^ SPACE, FNV_PRIME);
        lo = Math.imul(lo ^ SPACE, SECOND_PRIME);
        lo ^= lo >>> 15;
        fed++;
        pendingSpace = false;
      }
      hi = Math.imul(hi ^ unit, FNV_PRIME);
      lo = Math.imul(lo ^ unit, SECOND_PRIME);
      lo ^= lo >>> 15;
      fed++;
    }
  }
  out[0] = fmix32(hi ^ fed);
  out[1] = fmix32(lo + Math.imul(fed, 0x9e3779b1));
}
