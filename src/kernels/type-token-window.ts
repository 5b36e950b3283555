import { DistinctNWindow } from './distinct-n-window.js';

export interface TypeTokenWindowConfig {
  /** Number of responses in the window. Required, integer ≥ 1. */
  readonly window: number;
  /** Only the first `maxChars` UTF-16 code units of each response are read. Default 32768. */
  readonly maxChars?: number;
}

/**
 * Type-token ratio over a sliding window of responses: distinct words (types) divided by word
 * occurrences (tokens) across the last `window` responses — distinct-1 of the window.
 *
 * Like `DistinctNWindow` with n = 1, under the name practitioners use. A token-hash → count
 * table gains the new response's tokens and loses the oldest response's tokens, so a push costs
 * O(tokens in + tokens out) rather than a recount of the window. Words as in `word-tokens.ts`
 * (BMP letters/digits/marks, lower-cased). With no token in the window the ratio is 1.
 * TTR falls as text gets longer even when vocabulary does not change (Heaps' law), so compare it
 * across windows of similar token counts, or watch `distinct` and `total` directly.
 *
 * @example
 * const ttr = new TypeTokenWindow({ window: 2 });
 * ttr.push('the cat sat');     // 3 types / 3 tokens = 1
 * ttr.push('the cat ran');     // the, cat, sat, ran: 4 / 6
 * ttr.push('a dog');           // window = ['the cat ran', 'a dog']: 5 / 5 = 1
 */
export class TypeTokenWindow {
  private readonly counter: DistinctNWindow;

  constructor(config: TypeTokenWindowConfig) {
    const { window, maxChars } = config;
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`TypeTokenWindow window must be a positive integer, got ${window}`);
    this.counter = new DistinctNWindow(maxChars === undefined ? { window, n: 1 } : { window, n: 1, maxChars });
  }

  /** Adds a response (evicting the oldest when full) and returns the window's type-token ratio. */
  push(text: string): number {
    return this.counter.push(text);
  }

  /** Same as `push` on a response already split into word hashes (e.g. by `WordTokenizer`). */
  pushTokens(wordHi: Uint32Array, wordLo: Uint32Array, words: number): number {
    return this.counter.pushTokens(wordHi, wordLo, words);
  }

  /** Types / tokens over the window (1 when it holds no token). */
  get ratio(): number {
    return this.counter.ratio;
  }

  /** Distinct words in the window. */
  get types(): number {
    return this.counter.distinct;
  }

  /** Word occurrences in the window. */
  get tokens(): number {
    return this.counter.total;
  }

  /** Responses in the window (≤ `window`). */
  get size(): number {
    return this.counter.size;
  }

  /** Empties the window. */
  reset(): void {
    this.counter.reset();
  }
}
