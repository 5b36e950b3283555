import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiUnits } from '../../src/kernels/ascii-units.js';

describe('AsciiUnits', () => {
  it('copies ASCII units and refuses any other unit in the analysed prefix', () => {
    const ascii = new AsciiUnits(8);
    expect(ascii.copy('abc', 3)).toBe(true);
    expect([...ascii.bytes.subarray(0, 3)]).toEqual([97, 98, 99]);
    expect(ascii.copy('né', 2)).toBe(false);
    expect(ascii.copy('\u00ff', 1)).toBe(false);
    // A non-ASCII unit past the analysed prefix does not matter.
    expect(ascii.copy('abcdefghé', 8)).toBe(true);
    expect(() => new AsciiUnits(0)).toThrow(RangeError);
  });

  it('grows to the longest length asked for, never past maxChars', () => {
    const ascii = new AsciiUnits(5000);
    expect(ascii.copy('x'.repeat(3000), 3000)).toBe(true);
    expect(ascii.bytes.length).toBeGreaterThanOrEqual(3000);
    expect(ascii.bytes.length).toBeLessThanOrEqual(5000);
    expect(ascii.copy('y'.repeat(9000), 5000)).toBe(true);
    expect(ascii.bytes.length).toBe(5000);
  });

  it('property: true exactly when the prefix is ASCII, and then the bytes are its units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (text, maxChars) => {
        const ascii = new AsciiUnits(maxChars);
        const length = Math.min(text.length, maxChars);
        const prefix = text.slice(0, length);
        const isAscii = Array.from({ length }, (_, index) => prefix.charCodeAt(index)).every((unit) => unit < 0x80);
        expect(ascii.copy(text, length)).toBe(isAscii);
        if (isAscii) expect(String.fromCharCode(...ascii.bytes.subarray(0, length))).toBe(prefix);
      }),
    );
  });
});
