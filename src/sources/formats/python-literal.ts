/**
 * A reader for the Python literals `str(dict)` prints (what HF Trainer's ProgressCallback writes
 * to stdout): dicts, lists, tuples, single- or double-quoted strings with backslash escapes,
 * ints and floats, `None`, `True`, `False`, `nan`, `inf`, `-inf`, and wrapped scalars such as
 * `np.float64(0.5)` or `tensor(0.5)` (numpy 2 and torch reprs), read as the value inside.
 * `nan`/`inf` become NaN/±Infinity numbers; `None` becomes null. O(length of the text).
 *
 * @example parsePythonLiteral("{'loss': 0.1, 'kl': nan, 'x': None}")
 *   // { ok: true, value: { loss: 0.1, kl: NaN, x: null } }
 */
export type PythonLiteralResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string; readonly at: number };

class LiteralError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\u0007',
  '0': '\0',
};

/**
 * Deepest nesting read. CPython's default recursion limit is 1000, so `str()` never prints a
 * deeper literal; a deeper one is garbage, and reading it recursively would overflow the stack.
 */
const MAX_DEPTH = 1000;

const NUMBER = /[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/y;
const WORD = /[-+]?[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*/y;

class Reader {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parseAll(): unknown {
    const value = this.value();
    this.space();
    if (this.at < this.text.length) this.fail('unexpected text after the literal');
    return value;
  }

  private fail(message: string): never {
    throw new LiteralError(message, this.at);
  }

  private space(): void {
    while (this.at < this.text.length && /\s/.test(this.text.charAt(this.at))) this.at += 1;
  }

  private value(): unknown {
    if (this.depth >= MAX_DEPTH) this.fail(`nested deeper than ${String(MAX_DEPTH)} levels`);
    // No finally needed: a failure ends the whole parse.
    this.depth += 1;
    const value = this.unnested();
    this.depth -= 1;
    return value;
  }

  private unnested(): unknown {
    this.space();
    const c = this.text.charAt(this.at);
    if (c === '{') return this.dict();
    if (c === '[') return this.sequence('[', ']');
    if (c === '(') return this.sequence('(', ')');
    if (c === "'" || c === '"') return this.string();
    if (c === '') this.fail('the text ends inside the literal');
    return this.scalar();
  }

  private dict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.at += 1;
    for (;;) {
      this.space();
      if (this.text.charAt(this.at) === '}') {
        this.at += 1;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string' && typeof key !== 'number') this.fail('dict keys must be strings or numbers');
      this.space();
      if (this.text.charAt(this.at) !== ':') this.fail("expected ':' after a dict key");
      this.at += 1;
      // defineProperty, not assignment: a '__proto__' key must stay an own key, not a prototype.
      Object.defineProperty(out, String(key), { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const next = this.text.charAt(this.at);
      if (next === ',') this.at += 1;
      else if (next !== '}') this.fail(next === '' ? 'the text ends inside a dict' : "expected ',' or '}' in a dict");
    }
  }

  private sequence(open: string, close: string): unknown[] {
    const out: unknown[] = [];
    this.at += open.length;
    for (;;) {
      this.space();
      if (this.text.charAt(this.at) === close) {
        this.at += 1;
        return out;
      }
      out.push(this.value());
      this.space();
      const next = this.text.charAt(this.at);
      if (next === ',') this.at += 1;
      else if (next !== close) this.fail(next === '' ? 'the text ends inside a list' : `expected ',' or '${close}'`);
    }
  }

  private string(): string {
    const quote = this.text.charAt(this.at);
    this.at += 1;
    let out = '';
    for (;;) {
      const c = this.text.charAt(this.at);
      if (c === '') this.fail('the text ends inside a string');
      this.at += 1;
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text.charAt(this.at);
      this.at += 1;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) out += simple;
      else if (e === 'x') out += this.hexEscape(2);
      else if (e === 'u') out += this.hexEscape(4);
      else if (e === 'U') out += this.hexEscape(8);
      else out += `\\${e}`; // Python keeps unknown escapes verbatim
    }
  }

  private hexEscape(digits: number): string {
    const hex = this.text.slice(this.at, this.at + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${String(digits)}}$`).test(hex)) this.fail('bad \\x/\\u escape in a string');
    const code = Number.parseInt(hex, 16);
    // Python rejects \U escapes above U+10FFFF too (and String.fromCodePoint would throw).
    if (code > 0x10ffff) this.fail('\\U escape beyond U+10FFFF in a string');
    this.at += digits;
    return String.fromCodePoint(code);
  }

  private scalar(): unknown {
    WORD.lastIndex = this.at;
    const word = WORD.exec(this.text);
    if (word !== null) {
      this.at = WORD.lastIndex;
      const bare = word[0].replace(/^[-+]/, '');
      const sign = word[0].startsWith('-') ? -1 : 1;
      if (bare === 'nan') return Number.NaN;
      if (bare === 'inf') return sign * Number.POSITIVE_INFINITY;
      if (word[0] === 'None') return null;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      this.space();
      // np.float64(0.5), tensor(0.5, device='cuda:0'): the wrapped scalar is the value.
      if (this.text.charAt(this.at) === '(' && sign === 1) return this.wrapped();
      this.fail(`unknown name '${word[0]}'`);
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (number === null) this.fail('expected a value');
    this.at = NUMBER.lastIndex;
    return Number(number[0].replaceAll('_', ''));
  }

  /** `name(value, key=value...)`: the first argument is the value, keyword arguments are skipped. */
  private wrapped(): unknown {
    this.at += 1;
    const value = this.value();
    this.space();
    while (this.text.charAt(this.at) === ',') {
      this.at += 1;
      this.space();
      if (this.text.charAt(this.at) === ')') break;
      WORD.lastIndex = this.at;
      if (WORD.exec(this.text) === null) this.fail('expected a keyword argument');
      this.at = WORD.lastIndex;
      this.space();
      if (this.text.charAt(this.at) !== '=') this.fail("expected '=' in a keyword argument");
      this.at += 1;
      this.value();
      this.space();
    }
    if (this.text.charAt(this.at) !== ')') this.fail("expected ')' after a wrapped value");
    this.at += 1;
    return value;
  }
}

/** Read one Python literal (the whole text must be the literal, surrounding space allowed). */
export const parsePythonLiteral = (text: string): PythonLiteralResult => {
  try {
    return { ok: true, value: new Reader(text).parseAll() };
  } catch (error) {
    if (error instanceof LiteralError) return { ok: false, reason: error.message, at: error.at };
    throw error;
  }
};
