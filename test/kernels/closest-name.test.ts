import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../src/kernels/closest-name.js';

/** Full-matrix optimal string alignment distance, the textbook recurrence. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours as one edit each', () => {
    expect(editDistance('threshhold', 'threshold')).toBe(1);
    expect(editDistance('tagz', 'tags')).toBe(1);
    expect(editDistance('ca', 'ac')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('matches the full-matrix recurrence', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 9 });
    fc.assert(fc.property(word, word, (a, b) => editDistance(a, b) === reference(a, b)));
  });
});

describe('closestName', () => {
  const settings = ['window', 'threshold', 'maxChars', 'severity', 'hysteresis'];

  it('suggests the known name a typo was meant to be, ignoring case', () => {
    expect(closestName('threshhold', settings)).toBe('threshold');
    expect(closestName('Severty', settings)).toBe('severity');
    expect(closestName('MeanShift', ['meanShift', 'trend'])).toBe('meanShift');
  });

  it('suggests nothing for a word that is not close to any', () => {
    expect(closestName('nope', settings)).toBeUndefined();
    expect(closestName('tags', settings)).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
