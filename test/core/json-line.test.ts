import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { locateJsonError, parseJsonLine, replacePythonTokens } from '../../src/core/json-line.js';

const ok = (text: string) => {
  const result = parseJsonLine(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.reason}`);
  return result;
};

const bad = (text: string) => {
  const result = parseJsonLine(text);
  if (result.ok) throw new Error(`expected ${text} to fail`);
  return result;
};

describe('parseJsonLine', () => {
  it('parses plain JSON on the fast path with no replacements', () => {
    expect(ok('{"step":1,"reward":0.5}')).toEqual({ ok: true, value: { step: 1, reward: 0.5 }, nonFinite: 0 });
  });

  it('reads bare NaN outside strings as null, Infinity and -Infinity as the infinities, and counts them', () => {
    const result = ok('{"reward":NaN,"kl":Infinity,"logprob":-Infinity,"step":3}');
    expect(result.value).toEqual({ reward: null, kl: Infinity, logprob: -Infinity, step: 3 });
    expect(result.nonFinite).toBe(3);
  });

  it('leaves NaN and Infinity inside strings alone', () => {
    const result = ok('{"response":"NaN is not a number","reward":NaN}');
    expect(result.value).toEqual({ response: 'NaN is not a number', reward: null });
    expect(result.nonFinite).toBe(1);
  });

  it('handles escaped quotes inside strings before a bare token', () => {
    const result = ok(String.raw`{"response":"say \"NaN\" -Infinity \\","reward":-Infinity}`);
    expect(result.value).toEqual({ response: 'say "NaN" -Infinity \\', reward: -Infinity });
    expect(result.nonFinite).toBe(1);
  });

  it('replaces tokens nested in arrays and objects', () => {
    const result = ok('{"a":[NaN,1,{"b":Infinity}],"c":{"d":[-Infinity]}}');
    expect(result.value).toEqual({ a: [null, 1, { b: Infinity }], c: { d: [-Infinity] } });
    expect(result.nonFinite).toBe(3);
  });

  it('reads overflowing numbers as Infinity (JSON.parse semantics) and big integers approximately', () => {
    expect(ok('{"x":1e400}').value).toEqual({ x: Infinity });
    expect(ok('{"x":12345678901234567890}').value).toEqual({ x: 12345678901234567000 });
  });

  it('keeps the last of duplicate keys, like JSON.parse and Python', () => {
    expect(ok('{"reward":1,"reward":NaN}').value).toEqual({ reward: null });
  });

  it('rejects words that merely contain the tokens', () => {
    // NaN itself is accepted, so the fault is the letter that follows it.
    expect(bad('{"a":NaNa}').position).toBe(8);
    expect(bad('{"a":Nan}').position).toBe(5);
    expect(bad('{"a":xInfinity}').position).toBe(5);
  });

  it('reports the position of a structural error in the original line', () => {
    expect(bad('{"a":1')).toMatchObject({ position: 6 });
    expect(bad('{"a":1}x').reason).toContain('at position 7');
    const trailingComma = bad('[1,]');
    expect(trailingComma.position).toBe(3);
    expect(trailingComma.reason).toContain('at position 3');
  });

  it('describes the real fault when the line also held accepted NaN tokens', () => {
    const result = bad('{"a":NaN,');
    expect(result.position).toBe(9);
    expect(result.reason).toBe('Unexpected end of JSON input at position 9');
    const mid = bad('{"a":NaN,"b":}');
    expect(mid.position).toBe(13);
    expect(mid.reason).toContain('"}"');
  });

  it('fails on empty lines', () => {
    expect(bad('').position).toBe(0);
  });
});

describe('replacePythonTokens', () => {
  it('returns the text unchanged when there is nothing to replace', () => {
    const text = '{"a":"NaN","b":1}';
    expect(replacePythonTokens(text)).toEqual({ text, count: 0 });
  });

  it('round-trips any JSON value whose non-finite numbers Python would write as bare tokens', () => {
    const pythonDumps = (value: unknown): string =>
      JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v) ? `@@${String(v)}@@` : v,
      ).replace(/"@@(NaN|Infinity|-Infinity)@@"/g, '$1');
    // What JSON can hold of it: NaN becomes null, the infinities stay.
    const withNulls = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : `@@${String(v)}@@`) : v)), (_key, v: unknown) =>
        v === '@@Infinity@@' ? Infinity : v === '@@-Infinity@@' ? -Infinity : v,
      );
    const nonFiniteCount = (value: unknown): number => {
      if (typeof value === 'number') return Number.isFinite(value) ? 0 : 1;
      if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + nonFiniteCount(v), 0);
      if (typeof value === 'object' && value !== null) return Object.values(value).reduce((sum: number, v) => sum + nonFiniteCount(v), 0);
      return 0;
    };
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.array(fc.constantFrom(NaN, Infinity, -Infinity, 'NaN', '-Infinity "x"', 'a\\"NaN'), { maxLength: 5 }),
        (base, extras) => {
          const value = { base, extras };
          const result = parseJsonLine(pythonDumps(value));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.value).toEqual(withNulls(value));
          expect(result.nonFinite).toBe(nonFiniteCount(value));
        },
      ),
    );
  });
});

describe('locateJsonError', () => {
  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(Number.isFinite(locateJsonError(text))).toBe(!valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse on mutated JSON texts', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', ' ', '\\'), (json, at, insert) => {
        const index = at % (json.length + 1);
        const text = json.slice(0, index) + insert + json.slice(index);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(Number.isFinite(locateJsonError(text))).toBe(!valid);
      }),
      { numRuns: 2000 },
    );
  });
});
