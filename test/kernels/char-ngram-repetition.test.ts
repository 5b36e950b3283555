import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharNgramRepetition } from '../../src/kernels/char-ngram-repetition.js';
import { naiveCharStats } from './naive-text.js';

describe('CharNgramRepetition', () => {
  it('known values (hand-computed)', () => {
    const four = new CharNgramRepetition();
    // "abcabcabc": 9 units → 6 four-grams abca bcab cabc abca bcab cabc, 3 distinct → 1 − 3/6.
    expect(four.measure('abcabcabc')).toBe(0.5);
    expect(four.total).toBe(6);
    expect(four.distinct).toBe(3);
    expect(four.distinctRatio).toBe(0.5);
    expect(four.repeatedShare).toBe(1); // every occurrence belongs to a repeated 4-gram
    // "aaaaaaaaaa": 7 four-grams, all "aaaa" → 1 − 1/7.
    expect(four.measure('aaaaaaaaaa')).toBeCloseTo(6 / 7, 15);
    // "abcdefgh": 5 four-grams, all different → 0.
    expect(four.measure('abcdefgh')).toBe(0);
    expect(four.repeatedShare).toBe(0);
    const two = new CharNgramRepetition({ n: 2 });
    // "abab": ab ba ab → distinct 2 of 3 → repetition 1/3; repeated share: ab ×2 of 3 → 2/3.
    expect(two.measure('abab')).toBeCloseTo(1 / 3, 15);
    expect(two.repeatedShare).toBeCloseTo(2 / 3, 15);
  });

  it('texts shorter than n, empty and whitespace-only texts', () => {
    const four = new CharNgramRepetition();
    expect(four.measure('')).toBe(0);
    expect(four.total).toBe(0);
    expect(four.distinctRatio).toBe(1);
    expect(four.measure('abc')).toBe(0);
    expect(four.total).toBe(0);
    // Exactly n units: one 4-gram, nothing repeats.
    expect(four.measure('abcd')).toBe(0);
    expect(four.total).toBe(1);
    // Six spaces: 3 four-grams "    ", 1 distinct → 2/3 (white space is not skipped).
    expect(four.measure('      ')).toBeCloseTo(2 / 3, 15);
  });

  it('counts UTF-16 code units: an emoji is two units', () => {
    const two = new CharNgramRepetition({ n: 2 });
    // "😀😀" = D83D DE00 D83D DE00: bigrams (D83D,DE00) (DE00,D83D) (D83D,DE00) → 2 of 3 distinct.
    expect(two.measure('😀😀')).toBeCloseTo(1 / 3, 15);
    expect(two.total).toBe(3);
  });

  it('reads only the first maxChars units', () => {
    const capped = new CharNgramRepetition({ n: 2, maxChars: 4 });
    // Only "abcd" is read: ab bc cd, all different.
    expect(capped.measure('abcdabcdabcd')).toBe(0);
    expect(capped.total).toBe(3);
  });

  it('rejects bad config at construction', () => {
    expect(() => new CharNgramRepetition({ n: 0 })).toThrow(RangeError);
    expect(() => new CharNgramRepetition({ n: 2.5 })).toThrow(RangeError);
    expect(() => new CharNgramRepetition({ maxChars: 0 })).toThrow(RangeError);
  });

  it('agrees with a substring Map for any text, n and cap (barring hash collisions)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '😀', '\uD800'), maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 400 }), (sample, n, maxChars) => {
        const kernel = new CharNgramRepetition({ n, maxChars });
        const oracle = naiveCharStats(sample, n, maxChars);
        expect(kernel.measure(sample)).toBeCloseTo(oracle.repetition, 12);
        expect(kernel.total).toBe(oracle.total);
        expect(kernel.distinct).toBe(oracle.distinct);
        expect(kernel.repeatedShare).toBeCloseTo(oracle.repeatedShare, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('reuses its table across calls without leaking n-grams between texts', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('x', 'y', 'z'), maxLength: 60 }), { maxLength: 20 }), (texts) => {
        const kernel = new CharNgramRepetition({ n: 3 });
        for (const sample of texts) expect(kernel.measure(sample)).toBeCloseTo(naiveCharStats(sample, 3).repetition, 12);
      }),
    );
  });
});

describe('CharNgramRepetition exact path (n ≤ 4, units < 256) and its fallback', () => {
  // Latin-1 units, weighted towards a few letters so n-grams repeat; NUL, 0x7f–0xff exercise the
  // packed key's high bits (a 4-gram starting with a unit ≥ 0x80 is a negative int32 key).
  const latin1Unit = fc.oneof(
    fc.constantFrom('a', 'b', ' ', '\u0000', '\u00ff', '\u00e9', '\u0080'),
    fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
  );
  const latin1 = fc.string({ unit: latin1Unit, maxLength: 400 });
  const wideUnit = fc.constantFrom('\u0100', '\u4e2d', '\uD83D', '\uDE00', '\uffff');

  function expectOracle(kernel: CharNgramRepetition, sample: string, n: number, maxChars?: number): void {
    const oracle = naiveCharStats(sample, n, maxChars);
    expect(kernel.measure(sample)).toBe(oracle.repetition);
    expect(kernel.total).toBe(oracle.total);
    expect(kernel.distinct).toBe(oracle.distinct);
    expect(kernel.distinctRatio).toBe(oracle.total === 0 ? 1 : oracle.distinct / oracle.total);
    expect(kernel.repeatedShare).toBe(oracle.repeatedShare);
  }

  it('known values: keys that differ only in one unit\'s high bits stay apart', () => {
    const four = new CharNgramRepetition();
    // ÿ = 0xff: 4-grams "ÿÿÿÿ" (key −1) and "\u0080ÿÿÿ" (key 0x80ffffff)
    // are different; "ÿÿÿÿÿ" has 2 copies of "ÿÿÿÿ".
    expect(four.measure('\u0080ÿÿÿÿÿ')).toBeCloseTo(1 - 2 / 3, 15);
    expect(four.distinct).toBe(2);
    expect(four.repeatedShare).toBeCloseTo(2 / 3, 15);
    const two = new CharNgramRepetition({ n: 2 });
    // "\u0000a" and "a\u0000" and "\u0000\u0000": three different 2-grams (a zero unit still counts).
    expect(two.measure('\u0000a\u0000\u0000')).toBe(0);
    expect(two.distinct).toBe(3);
  });

  it('property: equals the substring Map exactly on Latin-1 text, n = 1..6', () => {
    fc.assert(
      fc.property(latin1, fc.integer({ min: 1, max: 6 }), (sample, n) => {
        expectOracle(new CharNgramRepetition({ n }), sample, n);
      }),
      { numRuns: 400 },
    );
  });

  it('property: a unit ≥ 256 anywhere (often late) switches to the hashed path with the same results', () => {
    const mixed = fc.tuple(latin1, wideUnit, fc.string({ unit: fc.oneof(latin1Unit, wideUnit), maxLength: 60 })).map(
      ([head, wide, tail]) => head + wide + tail,
    );
    fc.assert(
      fc.property(mixed, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 500 }), (sample, n, maxChars) => {
        // maxChars may cut the text before its wide unit: then the exact path serves it.
        expectOracle(new CharNgramRepetition({ n, maxChars }), sample, n, maxChars);
      }),
      { numRuns: 400 },
    );
  });

  it('property: one instance fed short, long, Latin-1 and mixed texts in turn stays exact', () => {
    // Long texts grow the packed table past its first 1024 slots; short ones then use a prefix.
    const long = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'ÿ'), minLength: 300, maxLength: 1500 });
    const text = fc.oneof(latin1, long, fc.tuple(latin1, wideUnit).map(([head, wide]) => head + wide));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (texts, n) => {
        const kernel = new CharNgramRepetition({ n });
        for (const sample of texts) expectOracle(kernel, sample, n);
      }),
      { numRuns: 100 },
    );
  });
});
