import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLACEHOLDERS, isJunkAnswer, PlaceholderSet } from '../../src/detectors/format-rules.js';

/** The junk rule as first written: a trimmed copy, a content regex, then the normalised key in a plain Set. */
function referenceJunk(answer: string, keys: ReadonlySet<string>): boolean {
  const trimmed = answer.trim();
  if (trimmed.length === 0 || !/[\p{L}\p{N}\p{S}]/u.test(trimmed)) return true;
  return trimmed.length <= 40 && keys.has(trimmed.toLowerCase().replace(/\s+/g, ' ').replace(/[.:!]+$/, ''));
}

const keysOf = (placeholders: readonly string[]): Set<string> => new Set(placeholders.map((p) => p.trim().toLowerCase()));

describe('PlaceholderSet', () => {
  it('should keep the placeholders trimmed and lower-cased', () => {
    expect([...new PlaceholderSet(['  TODO ', 'n/a', 'İx']).keys]).toEqual(['todo', 'n/a', 'i̇x']);
  });

  it('should know the ASCII units placeholders start with, and no other', () => {
    const set = new PlaceholderSet(['Answer', ' todo', '<answer>', '7 days', 'é']);
    const starts = [...Array(128).keys()].filter((unit) => set.startsWithAscii(unit)).map((unit) => String.fromCharCode(unit));
    expect(starts).toEqual(['7', '<', 'a', 't']);
  });
});

describe('isJunkAnswer quick reject (first ASCII letter or digit no placeholder starts with)', () => {
  const defaults = new PlaceholderSet(DEFAULT_PLACEHOLDERS);
  const defaultKeys = keysOf(DEFAULT_PLACEHOLDERS);

  it.each([
    ['917', false], ['\n917\n', false], ['  Answer  ', true], ['ANSWER:', true], ['\tTBD!', true], ['Tbd 7', false],
    ['\u00a0answer', true], ['\u00a0917', false], ['\ufeffTODO', true], ['İ', false], ['\u212a', false], ['', true], [' \n', true],
  ])('isJunkAnswer(%j) is %s, as the reference rule says', (answer, junk) => {
    expect(referenceJunk(answer, defaultKeys)).toBe(junk);
    expect(isJunkAnswer(answer, defaults)).toBe(junk);
  });

  it('should judge random answers as the reference rule does (white space, case, stops, unicode, tags)', () => {
    const pieces = [
      ' ', '\n', '\t', '\u000b', '\u00a0', '\u2028', '\ufeff', '\u3000', 'answer', 'Answer', 'ANSWER', 'final', 'here', 'your', 'n/a', 'N/A',
      'todo', 'TBD', 'x', 'X', '7', '42', '.', ':', '!', '?', '-', '<answer>', '<', '>', 'İ', 'ı', '\u212a', 'é', 'É', '四', '🙂', '\ud800', 'ß',
    ];
    const placeholderLists = fc.constantFrom<readonly string[]>(DEFAULT_PLACEHOLDERS, ['7 days', 'İx', ' Kelvin ', '\u212aelvin'], ['', '  ', '.', 'TODO'], []);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), placeholderLists, (parts, list) => {
        const answer = parts.join('');
        expect(isJunkAnswer(answer, new PlaceholderSet(list))).toBe(referenceJunk(answer, keysOf(list)));
      }),
      { numRuns: 5000 },
    );
  });

  it('should judge arbitrary unicode strings as the reference rule does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 }), (answer) => {
        expect(isJunkAnswer(answer, defaults)).toBe(referenceJunk(answer, defaultKeys));
        expect(isJunkAnswer(` ${answer.toUpperCase()}.`, defaults)).toBe(referenceJunk(` ${answer.toUpperCase()}.`, defaultKeys));
      }),
      { numRuns: 3000 },
    );
  });

  it('should call an answer that starts like a placeholder but is not one content', () => {
    expect(isJunkAnswer('answers vary: 12', defaults)).toBe(false);
    expect(isJunkAnswer('n/a'.repeat(14), defaults)).toBe(false);
  });
});
