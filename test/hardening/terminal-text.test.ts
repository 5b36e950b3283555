// Model output is attacker-controlled: the terminal sanitizer (src/sinks/terminal.ts) must leave
// nothing that drives a terminal. Known attack strings (ECMA-48 / xterm control sequences), then
// properties over arbitrary text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine, stripControl } from '../../src/sinks/terminal.js';

/** Any C0 control but \n and \t, DEL, ESC, or a C1 control (U+0080–U+009F). */
// eslint-disable-next-line no-control-regex -- control characters are what must not survive
const DRIVES_A_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Bidi embeddings, overrides and isolates: LRE RLE PDF LRO RLO, LRI RLI FSI PDI (Trojan Source, CVE-2021-42574). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

describe('stripControl on known terminal attacks', () => {
  it.each([
    ['CSI clear screen and cursor home', 'ok\u001b[2J\u001b[H!', 'ok!'],
    ['SGR colour', '\u001b[31mred\u001b[0m', 'red'],
    ['cursor up and erase line (rewrites earlier output)', 'fine\u001b[1A\u001b[2Kfaked', 'finefaked'],
    ['OSC 0 window title, BEL-terminated', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['OSC 52 clipboard write, ST-terminated', 'a\u001b]52;c;cm0gLXJmIH4=\u001b\\b', 'ab'],
    ['OSC 8 hyperlink', '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['DCS string', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['8-bit OSC with 8-bit ST', 'a\u009d0;t\u009cb', 'ab'],
    ['an unterminated OSC swallows the rest (it never reaches the terminal)', 'a\u001b]0;title', 'a'],
    ['a lone ESC and two-byte escapes (RIS full reset)', 'a\u001bcb\u001b', 'ab'],
    ['NUL, backspace, carriage return, DEL', 'a\u0000b\bc\rd\u007fe', 'abcde'],
    ['newline and tab kept', 'a\nb\tc', 'a\nb\tc'],
    ['RLO ... PDF reversing the displayed text (Trojan Source)', 'access\u202e\u2066 level // admin\u2069\u2066', 'access level // admin'],
    ['every bidi embedding, override and isolate', '\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069', 'abcdefgh'],
    ['left-to-right and right-to-left marks kept (they reorder nothing by themselves)', 'a\u200eb\u200fc', 'a\u200eb\u200fc'],
  ])('%s', (_name, input, expected) => {
    expect(stripControl(input)).toBe(expected);
  });

  it('keeps printable Unicode: accents, CJK, emoji with joiners, right-to-left text', () => {
    const text = 'café 数学 👩‍👩‍👧 مرحبا x² ∑';
    expect(stripControl(text)).toBe(text);
  });

  it('oneLine shows newlines as ⏎, tabs as spaces, and cuts to the given width', () => {
    expect(oneLine('a\nb\tc\u001b[2J')).toBe('a⏎b c');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
  });
});

describe('stripControl properties', () => {
  const hostile = fc.string({
    unit: fc.oneof(
      fc.constantFrom('\u001b', '\u009b', '\u009d', '\u0090', '\u009c', '\u0007', '[', ']', ';', 'P', '\\', '\n', '\t', '\r', '\u0000', '\u007f', '\u202e', '\u202a', '\u2066', '\u2069'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 200,
  });

  it('leaves no C0 (but \\n, \\t), DEL, ESC or C1 control in any text', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(DRIVES_A_TERMINAL.test(stripControl(text))).toBe(false);
        expect(BIDI.test(stripControl(text))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent and leaves text without controls unchanged', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = stripControl(text);
        expect(stripControl(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (text) => {
        const clean = text.replace(new RegExp(DRIVES_A_TERMINAL.source, 'g'), '').replace(new RegExp(BIDI.source, 'g'), '');
        expect(stripControl(clean)).toBe(clean);
      }),
      { numRuns: 1000 },
    );
  });

  it('oneLine never yields a line break or a control, and is linear on a 1 MB hostile line', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const line = oneLine(text, 1000);
        expect(/[\n\r]/.test(line) || DRIVES_A_TERMINAL.test(line)).toBe(false);
      }),
      { numRuns: 1000 },
    );
    // Unterminated OSC openers: a backtracking pattern would go quadratic here.
    const hostileLine = '\u001b]'.repeat(1 << 19);
    const start = performance.now();
    expect(stripControl(hostileLine)).toBe('');
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
