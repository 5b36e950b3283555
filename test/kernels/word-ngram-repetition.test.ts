import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordNgramRepetition } from '../../src/kernels/word-ngram-repetition.js';
import { WordTokenizer } from '../../src/kernels/word-tokens.js';
import { naiveWordStats } from './naive-text.js';

describe('WordNgramRepetition', () => {
  it('known values (hand-computed)', () => {
    const three = new WordNgramRepetition();
    // 9 words "i am fine" ×3 → 7 trigrams: (i am fine) (am fine i) (fine i am) ×2 + (i am fine)
    // → 3 distinct → 1 − 3/7 = 4/7; every occurrence is of a repeated trigram.
    expect(three.measure('I am fine. I am fine. I am fine.')).toBeCloseTo(4 / 7, 15);
    expect(three.total).toBe(7);
    expect(three.distinct).toBe(3);
    expect(three.repeatedShare).toBe(1);
    // Case and punctuation do not make trigrams different: "A b c; a B C" → abc bca cab abc: 3/4 distinct.
    expect(three.measure('A b c; a B C')).toBeCloseTo(1 / 4, 15);
    // All words different → 0.
    expect(three.measure('one two three four five')).toBe(0);
    // Distinct-n of the text (Li et al. 2016: distinct n-grams / total n-grams).
    const one = new WordNgramRepetition({ n: 1 });
    one.measure('the cat and the hat');
    expect(one.distinctRatio).toBeCloseTo(4 / 5, 15);
  });

  it('empty, short, whitespace-only and emoji-only texts have no n-grams', () => {
    const three = new WordNgramRepetition();
    for (const text of ['', 'two words', '   \n\t ', '😀 😀 😀 😀']) {
      expect(three.measure(text)).toBe(0);
      expect(three.total).toBe(0);
      expect(three.distinctRatio).toBe(1);
    }
  });

  it('measureTokens reuses a shared tokenizer pass', () => {
    const tokens = new WordTokenizer();
    const words = tokens.tokenize('go go go go');
    const two = new WordNgramRepetition({ n: 2 });
    // bigrams: (go go) ×3 → 1 − 1/3.
    expect(two.measureTokens(tokens.hashHi, words)).toBeCloseTo(2 / 3, 15);
  });

  it('rejects bad config at construction', () => {
    expect(() => new WordNgramRepetition({ n: 0 })).toThrow(RangeError);
    expect(() => new WordNgramRepetition({ maxChars: -1 })).toThrow(RangeError);
  });

  it('agrees with a string-word Map recomputation (barring hash collisions)', () => {
    const word = fc.constantFrom('the', 'The', 'cat', 'sat', 'on', 'mat', 'été', 'ÉTÉ', '42', 'x');
    const separator = fc.constantFrom(' ', ', ', '. ', '\n', '😀', ' - ');
    const text = fc.oneof(
      fc.array(fc.tuple(word, separator), { maxLength: 80 }).map((parts) => parts.map(([w, s]) => w + s).join('')),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 500 }), (sample, n, maxChars) => {
        const kernel = new WordNgramRepetition({ n, maxChars });
        const oracle = naiveWordStats(sample, n, maxChars);
        expect(kernel.measure(sample)).toBeCloseTo(oracle.repetition, 12);
        expect(kernel.total).toBe(oracle.total);
        expect(kernel.distinct).toBe(oracle.distinct);
        expect(kernel.repeatedShare).toBeCloseTo(oracle.repeatedShare, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('one kernel reused over texts long and short agrees with the recomputation on each (no count leaks between texts)', () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd', 'the', 'cat', 'Σ', '7');
    const text = fc.array(word, { maxLength: 300 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(fc.array(text, { minLength: 2, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (samples, n) => {
        const kernel = new WordNgramRepetition({ n });
        for (const sample of samples) {
          const oracle = naiveWordStats(sample, n);
          kernel.measure(sample);
          expect([kernel.total, kernel.distinct]).toEqual([oracle.total, oracle.distinct]);
          expect(kernel.repeatedShare).toBeCloseTo(oracle.repeatedShare, 12);
        }
      }),
      { numRuns: 200 },
    );
  });
});
