import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashText } from '../../src/kernels/text-hash.js';
import { naiveNormalize } from './naive-text.js';

function key(text: string, mode: 'exact' | 'normalized' = 'exact'): string {
  const out = new Uint32Array(2);
  hashText(text, out, mode);
  return `${out[0]}:${out[1]}`;
}

describe('hashText', () => {
  it('exact mode separates any change, including case and spacing (hand-picked)', () => {
    expect(key('hello world')).toBe(key('hello world'));
    expect(key('hello world')).not.toBe(key('Hello world'));
    expect(key('hello world')).not.toBe(key('hello  world'));
    expect(key('')).not.toBe(key(' '));
    expect(key('\u0000')).not.toBe(key(''));
  });

  it('normalized mode merges case and white-space variants only', () => {
    expect(key('  Hello \t\n World\u00a0', 'normalized')).toBe(key('hello world', 'normalized'));
    expect(key('ÉTÉ', 'normalized')).toBe(key('été', 'normalized'));
    expect(key('hello, world', 'normalized')).not.toBe(key('hello world', 'normalized'));
    expect(key('   ', 'normalized')).toBe(key('', 'normalized'));
    expect(key('ab', 'normalized')).not.toBe(key('a b', 'normalized'));
  });

  it('normalized keys are equal exactly when the normalised strings are equal', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'b', ' ', '\n', '\u3000', 'Σ', 'σ', '😀', ','), maxLength: 12 });
    fc.assert(
      fc.property(
        text.chain((left) =>
          fc.tuple(fc.constant(left), fc.oneof(text, fc.constant(left.toUpperCase()), fc.constant(` ${left.replace(/ /g, ' \t')}\n`))),
        ),
        ([left, right]) => {
        expect(key(left, 'normalized') === key(right, 'normalized')).toBe(naiveNormalize(left) === naiveNormalize(right));
        expect(key(left) === key(right)).toBe(left === right);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
