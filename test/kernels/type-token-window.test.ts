import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TypeTokenWindow } from '../../src/kernels/type-token-window.js';
import { naiveWords } from './naive-text.js';

describe('TypeTokenWindow', () => {
  it('known values (hand-computed)', () => {
    const ttr = new TypeTokenWindow({ window: 2 });
    expect(ttr.push('the cat sat')).toBe(1); // 3 types / 3 tokens
    expect(ttr.push('The cat ran')).toBeCloseTo(4 / 6, 15); // the cat sat ran / 6
    expect(ttr.types).toBe(4);
    expect(ttr.tokens).toBe(6);
    expect(ttr.push('a dog')).toBe(1); // window ['The cat ran', 'a dog']: 5 / 5
    expect(ttr.size).toBe(2);
  });

  it('handles empty, emoji-only and repeated responses', () => {
    const ttr = new TypeTokenWindow({ window: 3 });
    expect(ttr.push('')).toBe(1);
    expect(ttr.push('🎉🎉🎉')).toBe(1);
    expect(ttr.push('yes yes yes yes')).toBe(0.25);
    ttr.reset();
    expect(ttr.tokens).toBe(0);
  });

  it('rejects bad config at construction', () => {
    expect(() => new TypeTokenWindow({ window: -1 })).toThrow(RangeError);
  });

  it('equals types/tokens recomputed over the last w responses', () => {
    const word = fc.constantFrom('we', 'We', 'can', 'do', 'it', 'ça', 'Ça', '7');
    const response = fc.array(word, { maxLength: 40 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(fc.array(response, { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (responses, window) => {
        const ttr = new TypeTokenWindow({ window });
        responses.forEach((text, index) => {
          const tokens = responses.slice(Math.max(0, index + 1 - window), index + 1).flatMap((r) => naiveWords(r));
          const expected = tokens.length === 0 ? 1 : new Set(tokens).size / tokens.length;
          expect(ttr.push(text)).toBeCloseTo(expected, 12);
          expect(ttr.tokens).toBe(tokens.length);
        });
      }),
      { numRuns: 150 },
    );
  });
});
