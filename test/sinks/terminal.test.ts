import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine, painter, stripControl, useColor } from '../../src/sinks/terminal.js';

describe('stripControl', () => {
  // Sequences from ECMA-48 (CSI, OSC, DCS, 8-bit C1) and xterm's OSC 0 (title) / OSC 8 (hyperlink) / OSC 52 (clipboard).
  it.each([
    ['CSI colour', 'a\u001b[31mred\u001b[0m b', 'ared b'],
    ['CSI clear screen and cursor move', 'x\u001b[2J\u001b[1;1Hy', 'xy'],
    ['OSC title ended by BEL', 'ok\u001b]0;pwned\u0007!', 'ok!'],
    ['OSC hyperlink ended by ST', '\u001b]8;;https://evil\u001b\\click\u001b]8;;\u001b\\', 'click'],
    ['OSC 52 clipboard write', 'a\u001b]52;c;cm0gLXJmIH4=\u0007b', 'ab'],
    ['DCS string', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['8-bit CSI', 'a\u009b31mb', 'ab'],
    ['C0 controls but newline and tab', 'a\u0000b\u0007c\bd\re\n\tf', 'abcde\n\tf'],
    ['DEL and C1', 'a\u007fb\u0085c', 'abc'],
    ['a lone ESC at the end', 'abc\u001b', 'abc'],
    ['plain text with unicode untouched', 'naïve → ✓ 答え', 'naïve → ✓ 答え'],
  ])('%s', (_name, input, expected) => {
    expect(stripControl(input)).toBe(expected);
  });

  // Text dense in controls and sequence bytes, so every C0/C1 code and half-finished sequence turns up.
  const controlHeavy = fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('\u001b[', '\u001b]', '\u001bP', '\u001b\\', ';', 'm', 'é'),
    ),
  });

  it('leaves no control character but newline and tab, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(controlHeavy, fc.string({ unit: 'binary' })), (text) => {
        // eslint-disable-next-line no-control-regex
        expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(stripControl(text))).toBe(false);
      }),
    );
  });

  it('is the identity on text without controls', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // eslint-disable-next-line no-control-regex
        fc.pre(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text));
        expect(stripControl(text)).toBe(text);
      }),
    );
  });
});

describe('oneLine', () => {
  it('shows newlines as ⏎, tabs as spaces, and cuts long text with an ellipsis', () => {
    expect(oneLine('a\nb\r\nc\td')).toBe('a⏎b⏎c d');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
    expect(oneLine('\u001b[2Jabc', 5)).toBe('abc');
  });
});

describe('useColor / painter', () => {
  it('colours only a TTY, without --no-color, with NO_COLOR unset or empty', () => {
    expect(useColor(true, true, {})).toBe(true);
    expect(useColor(true, true, { NO_COLOR: '' })).toBe(true);
    expect(useColor(true, true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(true, false, {})).toBe(false);
    expect(useColor(false, true, {})).toBe(false);
  });

  it('paints with SGR codes only when enabled', () => {
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(painter(true)('bold', 'x')).toBe('\u001b[1mx\u001b[22m');
    expect(painter(false)('red', 'x')).toBe('x');
  });
});
