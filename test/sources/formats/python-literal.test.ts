import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePythonLiteral } from '../../../src/sources/formats/python-literal.js';

/** Python's repr of a JSON-like value (str quoting as CPython does it: ' unless the text has ' and no "). */
const pyRepr = (value: unknown): string => {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    // Python prints negative zero as -0.0; String(-0) would lose the sign.
    if (Object.is(value, -0)) return '-0.0';
    return String(value);
  }
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = Array.from(value)
      .map((c) => {
        if (c === '\\') return '\\\\';
        if (c === quote) return `\\${quote}`;
        if (c === '\n') return '\\n';
        if (c === '\t') return '\\t';
        if (c === '\r') return '\\r';
        const code = c.codePointAt(0) ?? 0;
        return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
      })
      .join('');
    return `${quote}${body}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
};

describe('parsePythonLiteral', () => {
  it('reads a TRL log dict with None, nan, inf, -inf and exponents', () => {
    const result = parsePythonLiteral("{'loss': 0.157, 'kl': nan, 'grad_norm': inf, 'x': -inf, 'lr': 9e-05, 'e': None, 'ok': True}");
    expect(result).toEqual({
      ok: true,
      value: { loss: 0.157, kl: Number.NaN, grad_norm: Infinity, x: -Infinity, lr: 9e-5, e: null, ok: true },
    });
  });

  it('reads escaped quotes, both quote styles, \\x and \\u escapes', () => {
    expect(parsePythonLiteral(String.raw`{'it\'s': "say \"hi\"", 'tab': 'a\tb\x41\u00e9'}`)).toEqual({
      ok: true,
      value: { "it's": 'say "hi"', tab: 'a\tbAé' },
    });
  });

  it('reads lists, tuples and numpy/torch-wrapped scalars', () => {
    expect(parsePythonLiteral("{'a': [1, 2.5], 'b': (3,), 'c': np.float64(0.25), 'd': tensor(0.5, device='cuda:0')}")).toEqual({
      ok: true,
      value: { a: [1, 2.5], b: [3], c: 0.25, d: 0.5 },
    });
  });

  it('says where a truncated or malformed literal breaks', () => {
    expect(parsePythonLiteral("{'loss': 0.1, 'rew")).toEqual({ ok: false, reason: 'the text ends inside a string', at: 18 });
    expect(parsePythonLiteral("{'loss': 0.1,")).toMatchObject({ ok: false, reason: 'the text ends inside the literal' });
    expect(parsePythonLiteral("{'loss' 0.1}")).toMatchObject({ ok: false, reason: "expected ':' after a dict key", at: 8 });
    expect(parsePythonLiteral("{'loss': bogus}")).toMatchObject({ ok: false, reason: "unknown name 'bogus'" });
    expect(parsePythonLiteral("{'a': 1} trailing")).toMatchObject({ ok: false, reason: 'unexpected text after the literal' });
  });

  it('round-trips any JSON-like value printed the way Python prints it', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: false }),
        fc.string({ unit: 'binary' }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        const result = parsePythonLiteral(pyRepr(value));
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.value).toEqual(value);
      }),
    );
  });
});

describe('parsePythonLiteral and prototype keys', () => {
  it("keeps a '__proto__' key as an own property", () => {
    const result = parsePythonLiteral("{'__proto__': {'polluted': 1}}");
    expect(result.ok && Object.keys(result.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
