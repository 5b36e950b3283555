import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctNWindow } from '../../src/kernels/distinct-n-window.js';
import { WordTokenizer } from '../../src/kernels/word-tokens.js';
import { naiveDistinctN } from './naive-text.js';

describe('DistinctNWindow', () => {
  it('distinct-1 and distinct-2 across responses (Li et al. 2016 definition, hand-computed)', () => {
    // Li et al.: distinct-n = number of distinct n-grams / total number of n-grams generated.
    const one = new DistinctNWindow({ window: 3, n: 1 });
    const two = new DistinctNWindow({ window: 3, n: 2 });
    for (const response of ['i do not know', 'i do not know', 'i like cats']) {
      one.push(response);
      two.push(response);
    }
    // unigrams: 4 + 4 + 3 = 11 tokens; distinct {i, do, not, know, like, cats} = 6.
    expect(one.ratio).toBeCloseTo(6 / 11, 15);
    // bigrams: 3 + 3 + 2 = 8; distinct {i do, do not, not know, i like, like cats} = 5.
    expect(two.ratio).toBeCloseTo(5 / 8, 15);
    expect(two.total).toBe(8);
    expect(two.distinct).toBe(5);
    // Window of 3: pushing a 4th evicts the first "i do not know".
    two.push('cats cats');
    // bigrams now: 3 (i do not know) + 2 (i like cats) + 1 (cats cats) = 6; distinct 6.
    expect(two.ratio).toBe(1);
    expect(two.size).toBe(3);
  });

  it('n-grams do not cross response boundaries', () => {
    const two = new DistinctNWindow({ window: 5, n: 2 });
    two.push('a');
    two.push('b');
    expect(two.total).toBe(0);
    expect(two.ratio).toBe(1);
  });

  it('empty and whitespace-only responses take a window place but add no n-gram', () => {
    const one = new DistinctNWindow({ window: 2, n: 1 });
    one.push('x x');
    one.push('   ');
    expect(one.ratio).toBe(0.5);
    one.push('');
    // window = ['   ', ''] → no token.
    expect(one.total).toBe(0);
    expect(one.ratio).toBe(1);
  });

  it('reset empties the window', () => {
    const one = new DistinctNWindow({ window: 4 });
    one.push('a a a');
    one.reset();
    expect(one.size).toBe(0);
    expect(one.push('b c')).toBe(1);
  });

  it('pushTokens takes a shared tokenizer pass', () => {
    const tokens = new WordTokenizer();
    const one = new DistinctNWindow({ window: 2 });
    const words = tokens.tokenize('Echo echo ECHO');
    expect(one.pushTokens(tokens.hashHi, tokens.hashLo, words)).toBeCloseTo(1 / 3, 15);
  });

  it('rejects bad config at construction', () => {
    expect(() => new DistinctNWindow({ window: 0 })).toThrow(RangeError);
    expect(() => new DistinctNWindow({ window: 3, n: 0 })).toThrow(RangeError);
    expect(() => new DistinctNWindow({ window: 3, maxChars: 0 })).toThrow(RangeError);
  });

  it('equals a recount over the last w responses after every push', () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd', 'the', 'The', 'é');
    const response = fc.array(word, { maxLength: 30 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(fc.array(response, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), (responses, window, n) => {
        const kernel = new DistinctNWindow({ window, n });
        responses.forEach((text, index) => {
          const ratio = kernel.push(text);
          const oracle = naiveDistinctN(responses.slice(Math.max(0, index + 1 - window), index + 1), n);
          expect(ratio).toBeCloseTo(oracle.ratio, 12);
          expect(kernel.distinct).toBe(oracle.distinct);
          expect(kernel.total).toBe(oracle.total);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('equals a recount while many n-grams come and go (the count table rebuilds and its slots move)', () => {
    const word = fc.integer({ min: 0, max: 300 }).map((index) => `w${index}`);
    const response = fc.array(word, { minLength: 10, maxLength: 40, size: 'max' }).map((words) => words.join(' '));
    fc.assert(
      fc.property(fc.array(response, { minLength: 30, maxLength: 80 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 2 }), (responses, window, n) => {
        const kernel = new DistinctNWindow({ window, n });
        responses.forEach((text, index) => {
          kernel.push(text);
          const oracle = naiveDistinctN(responses.slice(Math.max(0, index + 1 - window), index + 1), n);
          expect(kernel.distinct).toBe(oracle.distinct);
          expect(kernel.total).toBe(oracle.total);
        });
      }),
      { numRuns: 60 },
    );
  });
});
