const utf8 = new TextEncoder();

/**
 * ASCII units: the first code units of a text copied into a reusable byte buffer by one native
 * `TextEncoder#encodeInto` call, with whether they were all ASCII. UTF-8 of ASCII is the units
 * themselves and any other unit makes `encodeInto` write more bytes than it reads, so
 * `read === written` means exactly "all ASCII". Reading bytes beats a `charCodeAt` per unit by
 * several times in V8, above all on strings built by concatenation; the text kernels (word
 * tokenizer, char n-grams) read ASCII text this way and fall back to `charCodeAt` otherwise.
 *
 * Cost: O(length) in native code. The buffer grows to the longest length asked for, never past
 * `maxChars` (so `encodeInto` stops at the analysed prefix of a longer text), then stays.
 *
 * @example
 * const ascii = new AsciiUnits(32768);
 * ascii.copy('abc', 3); // true: ascii.bytes[0] === 97
 * ascii.copy('né', 2);  // false
 */
export class AsciiUnits {
  readonly maxChars: number;
  private buffer: Uint8Array;

  /** `initialLength` bytes are allocated at once (default up to 1024), more on demand. */
  constructor(maxChars: number, initialLength: number = Math.min(maxChars, 1024)) {
    if (!(maxChars >= 1)) throw new RangeError(`AsciiUnits maxChars must be at least 1, got ${maxChars}`);
    this.maxChars = maxChars;
    this.buffer = new Uint8Array(Math.min(maxChars, Math.max(1, initialLength)));
  }

  /** The buffer: after `copy(text, length)` it holds at least `length` bytes. */
  get bytes(): Uint8Array {
    return this.buffer;
  }

  /**
   * Copies the first `length` (<= `maxChars`) units of `text` into `bytes`, growing it first when
   * shorter; true when they are all ASCII (else the bytes are partly written and meaningless).
   */
  copy(text: string, length: number): boolean {
    if (this.buffer.length < length) this.buffer = new Uint8Array(Math.min(this.maxChars, Math.max(length, 2 * this.buffer.length)));
    const { read, written } = utf8.encodeInto(text, this.buffer);
    return read === written && read >= length;
  }
}
