/**
 * Terminal text: stripping control sequences from untrusted text (model output, file excerpts)
 * before it reaches a terminal, and colour that is on only for a TTY without `NO_COLOR`.
 */

/**
 * Terminal control sequences: ANSI CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC \`, which
 * can set titles, write the clipboard or make links), DCS/SOS/PM/APC strings, other two-byte
 * escapes, their 8-bit C1 forms, every other C0/C1 control except newline and tab, and the
 * Unicode bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
 * reorder what the terminal shows so an excerpt can read differently from its bytes ("Trojan
 * Source", CVE-2021-42574). Right-to-left letters themselves are kept.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u202a-\u202e\u2066-\u2069]|\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Removes terminal control sequences (ANSI/CSI, OSC, DCS, C0 and C1 controls) and bidi
 * override/isolate characters from `text`, keeping `\n` and `\t`, so attacker-controlled model
 * output cannot move the cursor, rewrite earlier lines, set the window title, plant hyperlinks or
 * display reordered text. O(length).
 *
 * @example stripControl('ok\u001b[2J\u001b]0;pwned\u0007!') // 'ok!'
 */
export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}

/** One line of untrusted text for a terminal: controls stripped, newlines shown as `⏎`, cut at `max` characters. */
export function oneLine(text: string, max = 120): string {
  const flat = stripControl(text).replace(/\r?\n/g, '⏎').replace(/\t/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Whether to colour a stream: only when it is a terminal, `--no-color` was not given and
 * `NO_COLOR` is unset or empty (https://no-color.org).
 */
export function useColor(isTTY: boolean, colorOption: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env['NO_COLOR'];
  return isTTY && colorOption && (noColor === undefined || noColor === '');
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

/** Paints text when `enabled`; returns it unchanged otherwise. */
export type Painter = (color: Color, text: string) => string;

export function painter(enabled: boolean): Painter {
  if (!enabled) return (_color, text) => text;
  return (color, text) => `\u001b[${CODES[color]}m${text}\u001b[${color === 'bold' ? 22 : 39}m`;
}
