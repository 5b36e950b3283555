import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateWindow } from '../../src/kernels/duplicate-window.js';
import { naiveNormalize } from './naive-text.js';

describe('DuplicateWindow', () => {
  it('known values (hand-computed)', () => {
    const duplicates = new DuplicateWindow({ window: 3 });
    expect(duplicates.uniqueRatio).toBe(1); // empty
    expect(duplicates.push('42')).toBe(1);
    expect(duplicates.push('42')).toBe(0.5); // 1 distinct of 2
    expect(duplicates.lastCount).toBe(2);
    expect(duplicates.push('7')).toBeCloseTo(2 / 3, 15);
    expect(duplicates.push('7')).toBeCloseTo(2 / 3, 15); // window ['42', '7', '7']
    expect(duplicates.push('7')).toBeCloseTo(1 / 3, 15); // window ['7', '7', '7']
    expect(duplicates.duplicateRatio).toBeCloseTo(2 / 3, 15);
    expect(duplicates.lastCount).toBe(3);
    duplicates.reset();
    expect(duplicates.size).toBe(0);
    expect(duplicates.push('7')).toBe(1);
  });

  it('normalized mode merges case and white-space variants; exact mode does not', () => {
    const exact = new DuplicateWindow({ window: 4 });
    const near = new DuplicateWindow({ window: 4, mode: 'normalized' });
    for (const text of ['The answer is 4', 'the  answer is 4\n', '', '   ']) {
      exact.push(text);
      near.push(text);
    }
    expect(exact.distinct).toBe(4);
    expect(near.distinct).toBe(2); // "the answer is 4" and ""
  });

  it('rejects bad config at construction', () => {
    expect(() => new DuplicateWindow({ window: 0 })).toThrow(RangeError);
    expect(() => new DuplicateWindow({ window: 2, mode: 'fuzzy' as never })).toThrow(TypeError);
  });

  it('equals distinct/size recomputed over the last w responses (both modes)', () => {
    const response = fc.oneof(
      fc.constantFrom('yes', 'Yes', 'yes ', 'no', ' NO', '', '😀', '42'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(response, { maxLength: 80 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (responses, window, normalized) => {
        const kernel = new DuplicateWindow({ window, mode: normalized ? 'normalized' : 'exact' });
        responses.forEach((text, index) => {
          const last = responses.slice(Math.max(0, index + 1 - window), index + 1).map((r) => (normalized ? naiveNormalize(r) : r));
          expect(kernel.push(text)).toBeCloseTo(new Set(last).size / last.length, 12);
          expect(kernel.lastCount).toBe(last.filter((r) => r === last[last.length - 1]).length);
        });
      }),
      { numRuns: 200 },
    );
  });
});
