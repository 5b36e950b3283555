/**
 * Parsing one JSONL line the way Python writes it. Python's `json.dumps` emits the bare tokens
 * `NaN`, `Infinity` and `-Infinity` (not JSON) for non-finite floats; goodhart accepts them,
 * reading `NaN` as `null` and `±Infinity` as the numbers ±Infinity (what `JSON.parse` gives
 * for a number too large for a double, `1e400`). Both are missing values to the decoders
 * (docs/schema.md, "NaN policy"); the infinite ones stay visible so the readers can report them.
 *
 * Cost: the common case is a single `JSON.parse` and one small result object. Only a line that
 * `JSON.parse` rejects is scanned (once, O(length), string-aware) for the Python tokens and parsed
 * again; only a line that still fails is scanned a third time to locate the error precisely.
 * The price of that order: a line holding a bare token pays for a thrown SyntaxError (about
 * 8x a successful parse, measured), while clean lines pay nothing; a `includes('NaN')` pre-check
 * would cost every line about 5% of a parse, a loss unless more than ~0.6% of lines hold tokens.
 */

/** A parsed line: the JSON value, and how many bare NaN/Infinity tokens it held. */
export interface JsonLineOk {
  readonly ok: true;
  readonly value: unknown;
  /** Bare `NaN`, `Infinity`, `-Infinity` tokens (outside strings) read. */
  readonly nonFinite: number;
}

/** A line that is not JSON even after the Python tokens were accepted. */
export interface JsonLineError {
  readonly ok: false;
  /** `JSON.parse`'s message, with the position in the original line appended when it lacked one. */
  readonly reason: string;
  /** 0-based character index in the original line where parsing failed. */
  readonly position: number;
}

export type JsonLineResult = JsonLineOk | JsonLineError;

/**
 * Parses one line of JSONL, accepting Python's bare `NaN` (read as `null`) and `Infinity`/
 * `-Infinity` (read as ±Infinity). O(length); allocation-free beyond `JSON.parse` itself on
 * valid JSON.
 *
 * @example
 * parseJsonLine('{"reward":NaN,"kl":Infinity,"response":"NaN is fine here"}')
 * // => { ok: true, value: { reward: null, kl: Infinity, response: 'NaN is fine here' }, nonFinite: 2 }
 */
export function parseJsonLine(text: string): JsonLineResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown, nonFinite: 0 };
  } catch (error) {
    return parseSlowly(text, error);
  }
}

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const MINUS = 0x2d; // -
const CAPITAL_N = 0x4e; // N
const CAPITAL_I = 0x49; // I

/** The slow path: replace bare Python tokens outside strings, parse again, else locate the error. */
function parseSlowly(text: string, firstError: unknown): JsonLineResult {
  // The native substring search is some 10x faster than the token scan: garbage without the
  // words (most rejected lines) skips the scan.
  const replaced = text.includes('NaN') || text.includes('Infinity') ? replacePythonTokens(text) : { text, count: 0 };
  if (replaced.count > 0) {
    try {
      return { ok: true, value: JSON.parse(replaced.text) as unknown, nonFinite: replaced.count };
    } catch {
      // fall through: report the error against the original text
    }
  }
  const located = locateJsonError(text, true);
  // The validator and JSON.parse agree on what JSON is; should they ever not, blame the start.
  const position = Number.isFinite(located) ? located : 0;
  // V8's first message may be about a NaN token we accept; then describe the real fault ourselves.
  const v8 = firstError instanceof Error ? firstError.message : String(firstError);
  const reason =
    replaced.count > 0
      ? `Unexpected ${position < text.length ? `token ${JSON.stringify(text[position])}` : 'end of JSON input'} at position ${position}`
      : /at position \d+/.test(v8)
        ? v8
        : `${v8} (at position ${position})`;
  return { ok: false, reason, position };
}

/**
 * Replaces each bare `NaN`, `Infinity` and `-Infinity` token outside JSON strings by JSON that
 * parses to the nearest value JSON has: `null` for `NaN` (JSON has no NaN), `1e999` and `-1e999`
 * for the infinities (`JSON.parse` reads a number beyond the double range as ±Infinity), counting
 * them. A token counts only when it stands alone (not part of a longer word).
 */
export function replacePythonTokens(text: string): { readonly text: string; readonly count: number } {
  let out = '';
  let copiedUpTo = 0;
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) {
      inString = true;
      continue;
    }
    let token: PythonToken | undefined;
    if (code === CAPITAL_N && text.startsWith('NaN', i)) token = 'NaN';
    else if (code === CAPITAL_I && text.startsWith('Infinity', i)) token = 'Infinity';
    else if (code === MINUS && text.startsWith('-Infinity', i)) token = '-Infinity';
    if (token === undefined || !standsAlone(text, i, token.length)) continue;
    out += text.slice(copiedUpTo, i) + AS_JSON[token];
    i += token.length - 1;
    copiedUpTo = i + 1;
    count++;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(copiedUpTo), count };
}

type PythonToken = 'NaN' | 'Infinity' | '-Infinity';

/** What each bare token becomes: JSON text that parses to the same value, or `null` for NaN. */
const AS_JSON: Readonly<Record<PythonToken, string>> = { NaN: 'null', Infinity: '1e999', '-Infinity': '-1e999' };

const isWordChar = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;

function standsAlone(text: string, start: number, length: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  const after = start + length < text.length ? text.charCodeAt(start + length) : -1;
  return !isWordChar(before) && before !== 0x2e && !isWordChar(after) && after !== 0x2e;
}

/** A JSON number, matched in place (sticky): no slice of the rest of the line per number. */
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Deepest nesting the validator descends into (one stack frame per level). Python's `json.dumps`
 * stops at its recursion limit (1000 by default), so deeper text is garbage; at 10,000 levels the
 * recursion overflowed the stack whenever the caller was already about 1,000 frames deep.
 */
const MAX_DEPTH = 1000;

/**
 * Where a JSON text stops being valid: a small strict recursive-descent validator, run only on
 * lines `JSON.parse` rejected (V8's messages do not always carry a position). Bare Python tokens
 * count as values when `allowPython` is set. Returns the 0-based index of the first offending
 * character (the text length for an unexpected end), or `Infinity` when the text is valid.
 */
export function locateJsonError(text: string, allowPython = false): number {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const literal = (word: string): boolean => {
    if (!text.startsWith(word, i)) return false;
    i += word.length;
    return true;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === BACKSLASH) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            return false;
          }
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else {
          i++;
          return false;
        }
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    JSON_NUMBER.lastIndex = i;
    if (!JSON_NUMBER.test(text)) return false;
    i = JSON_NUMBER.lastIndex;
    return true;
  };
  const value = (depth: number): boolean => {
    skipSpace();
    if (depth > MAX_DEPTH) return false;
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return true;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"' || !string()) return false;
        skipSpace();
        if (text[i] !== ':') return false;
        i++;
        if (!value(depth + 1)) return false;
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return true;
      }
      for (;;) {
        if (!value(depth + 1)) return false;
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '"') return string();
    if (literal('true') || literal('false') || literal('null')) return true;
    if (allowPython && (literal('NaN') || literal('Infinity') || literal('-Infinity'))) return true;
    return number();
  };
  if (!value(0)) return i;
  skipSpace();
  return i < text.length ? i : Infinity;
}
