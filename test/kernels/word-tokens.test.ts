import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordTokenizer } from '../../src/kernels/word-tokens.js';
import { naiveWords } from './naive-text.js';

/** Maps each word to an id by its hash pair, to compare the kernel's word sequence with strings. */
function hashSequence(tokens: WordTokenizer): string[] {
  const out: string[] = [];
  for (let index = 0; index < tokens.count; index++) out.push(`${tokens.hashHi[index]}:${tokens.hashLo[index]}`);
  return out;
}

/** True when two sequences have the same equality pattern (same positions equal). */
function samePattern(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) for (let j = 0; j < i; j++) if ((left[i] === left[j]) !== (right[i] === right[j])) return false;
  return true;
}

describe('WordTokenizer', () => {
  it('splits on punctuation, white space and emoji; lower-cases (hand-computed)', () => {
    const tokens = new WordTokenizer();
    // "The cat, the CAT!" → the cat the cat
    expect(tokens.tokenize('The cat, the CAT!')).toBe(4);
    expect(tokens.hashHi[0]).toBe(tokens.hashHi[2]);
    expect(tokens.hashLo[1]).toBe(tokens.hashLo[3]);
    expect(tokens.hashHi[0]).not.toBe(tokens.hashHi[1]);
    // "don't" → don, t; "x2y" → one word; "😀" separates; "Ünïcode" == "ünïcode".
    expect(tokens.tokenize("don't x2y😀x2y")).toBe(4);
    expect(tokens.hashHi[2]).toBe(tokens.hashHi[3]);
    tokens.tokenize('Ünïcode ünïcode ÜNÏCODE');
    expect(new Set([tokens.hashHi[0], tokens.hashHi[1], tokens.hashHi[2]]).size).toBe(1);
    // Combining acute (U+0301) keeps "cafe\u0301" one word.
    expect(tokens.tokenize('cafe\u0301 ok')).toBe(2);
    // Empty and white-space-only texts have no words.
    expect(tokens.tokenize('')).toBe(0);
    expect(tokens.tokenize(' \t\n\u00a0\u3000 ')).toBe(0);
  });

  it('FNV-1a hash of an ASCII word matches the published FNV-1a 32-bit value', () => {
    // Source: FNV test vectors (Fowler/Noll/Vo, isthe.com/chongo/tech/comp/fnv): FNV-1a 32 of
    // "a" is 0xe40c292c and of "foobar" 0xbf9cf968. ASCII code units equal the bytes.
    const tokens = new WordTokenizer();
    tokens.tokenize('a foobar');
    expect(tokens.hashHi[0]).toBe(0xe40c292c);
    expect(tokens.hashHi[1]).toBe(0xbf9cf968);
  });

  it('grows its buffers for long texts and honours maxChars', () => {
    const tokens = new WordTokenizer(Infinity, 16);
    expect(tokens.tokenize('w '.repeat(1000))).toBe(1000);
    const capped = new WordTokenizer(5);
    expect(capped.tokenize('abc defgh')).toBe(2); // "abc de" → abc, de
    // Text read unit by unit (not ASCII) grows its scratch too, and keeps to the cap.
    expect(tokens.tokenize('é '.repeat(3000))).toBe(3000);
    expect(new WordTokenizer(4001).tokenize('é '.repeat(3000))).toBe(2001);
  });

  it('hashes a word alike whether the text is read as ASCII bytes or as UTF-16 units', () => {
    const tokens = new WordTokenizer();
    const ascii = 'Alpha beta, GAMMA 42';
    tokens.tokenize(ascii);
    const asBytes = hashSequence(tokens);
    // One non-ASCII unit at the end sends the whole text down the unit-by-unit path.
    tokens.tokenize(`${ascii} é`);
    expect(hashSequence(tokens).slice(0, 4)).toEqual(asBytes);
    // Longer than the byte scratch (1024) and than the cap: only the first maxChars units count.
    const capped = new WordTokenizer(3000);
    expect(capped.tokenize('ab '.repeat(1500))).toBe(1000);
    expect(capped.tokenize(`${'ab '.repeat(999)}abc`)).toBe(1000);
  });

  it('reads ASCII texts past the shared byte scratch unit by unit, and keeps its words when another tokenizer runs', () => {
    const wide = new WordTokenizer(Infinity);
    // 40,000 units: longer than DEFAULT_MAX_CHARS, the shared scratch's size.
    expect(wide.tokenize('w '.repeat(20_000))).toBe(20_000);
    expect(wide.tokenize(`${'ab '.repeat(12_000)}end`)).toBe(12_001);
    const first = new WordTokenizer();
    first.tokenize('one two three');
    const words = hashSequence(first);
    new WordTokenizer().tokenize('four five six seven');
    expect(hashSequence(first)).toEqual(words);
    expect(new Set(words).size).toBe(3);
  });

  it('rejects a bad cap', () => {
    expect(() => new WordTokenizer(0)).toThrow(RangeError);
  });

  it('flags content and malformed units as /\\S/ and the degenerate-output control set do, for every BMP unit', () => {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
    const malformed = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/;
    const tokens = new WordTokenizer();
    for (let unit = 0; unit < 0x10000; unit++) {
      const text = String.fromCharCode(unit);
      tokens.tokenize(text);
      expect(tokens.hasContent).toBe(/\S/.test(text));
      expect(tokens.hasMalformedUnit).toBe(malformed.test(text));
    }
    // Only the analysed part counts: a control after the cap is not seen.
    const capped = new WordTokenizer(3);
    capped.tokenize('   \u0000');
    expect([capped.hasContent, capped.hasMalformedUnit]).toEqual([false, false]);
    capped.tokenize('ab\u0001');
    expect([capped.hasContent, capped.hasMalformedUnit]).toEqual([true, true]);
  });

  it('produces the same word sequence as a regex split (up to hash identity)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('a', 'B', 'b', ' ', 'É', 'é', '1', '.', '😀', '\u0301', 'Σ', 'σ'), maxLength: 200 }),
    );
    fc.assert(
      fc.property(text, (sample) => {
        const tokens = new WordTokenizer();
        tokens.tokenize(sample);
        expect(samePattern(hashSequence(tokens), naiveWords(sample))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
