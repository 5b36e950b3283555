/**
 * Shared one-pass text analysis for the text detectors (`repetition`, `diversityCollapse`,
 * `formatGaming`, `degenerateOutputs`): one tokenizing pass per response computes everything they
 * share, and a memo keyed by the event object lets every detector of a pipeline reuse it.
 *
 * What one pass gives (`analyzeText`):
 * - the words of the response, each as two 32-bit hashes (`WordTokenizer`, lower-cased), left in
 *   the analyzer's scratch buffers for window kernels (`DistinctNWindow.pushTokens`);
 * - word 3-gram repetition `1 − distinct/total` over those hashes (`WordNgramRepetition`);
 * - a 64-bit response key over the word sequence: equal for responses with the same words in the
 *   same order, whatever their case, spacing and punctuation (a near-duplicate key that costs
 *   O(words), not another pass over the characters);
 * - char 4-gram repetition, only when the words cannot judge the text (fewer than `MIN_NGRAMS` word
 *   3-grams, or under one word per 20 characters: "aaaa…", "!!!!…", emoji spam). Char n-gram
 *   repetition grows with length in ordinary prose (simulated healthy prose: median 0.10 at ~120
 *   characters, 0.36 at ~2,000), so it is a poor judge of long prose and is not computed there;
 *   word 3-gram repetition stays near 0 at every length (healthy p99 ≤ 0.006).
 * - whether the analysed part has anything but white space, and whether it has a malformed unit
 *   (control characters, U+FFFD), found by the tokenizer in the same pass for `degenerateOutputs`;
 * - `repetition`: the per-response score the repetition detector thresholds (word 3-gram
 *   repetition when judged by words, char 4-gram repetition otherwise, 0 when the text is too
 *   short for either: under `MIN_NGRAMS` word 3-grams and under `MIN_CHARS` characters).
 *
 * Cost: O(min(length, maxChars)) per response; allocation: one small result object.
 * Pure except for the scratch buffers of the `TextAnalyzer` passed in.
 */
import { CharNgramRepetition } from '../kernels/char-ngram-repetition.js';
import { fmix32 } from '../kernels/hash-count-table.js';
import { DEFAULT_MAX_CHARS, WordTokenizer } from '../kernels/word-tokens.js';
import { WordNgramRepetition } from '../kernels/word-ngram-repetition.js';

/** Word 3-grams (and char 4-grams) a text needs before its repetition is judged. */
export const MIN_NGRAMS = 16;
/** Below one word per this many characters a text is judged by its characters. */
const CHARS_PER_WORD_LIMIT = 20;
/**
 * Characters a text needs before its char 4-grams are judged: shorter texts repeat their tags and
 * restate their answer without looping (a real 79-character completion whose reasoning repeats its
 * answer scores 0.41 by char 4-grams).
 */
export const MIN_CHARS = 128;

/** What one pass over a response yields (see the module comment). */
export interface TextFeatures {
  /** UTF-16 code units of the whole response (not capped). */
  readonly chars: number;
  /** Words in the analysed part (the first `maxChars` code units). */
  readonly words: number;
  /** Word 3-gram repetition `1 − distinct/total` (0 with no 3-gram). */
  readonly wordRepetition: number;
  /** Char 4-gram repetition, when the text was judged by its characters; else `undefined`. */
  readonly charRepetition: number | undefined;
  /** The repetition score in [0, 1): word-based, char-based, or 0 when too short to judge. */
  readonly repetition: number;
  /** How `repetition` was judged. */
  readonly judgedBy: 'words' | 'chars' | 'none';
  /** First half of the 64-bit word-sequence key. */
  readonly keyHi: number;
  /** Second half of the 64-bit word-sequence key. */
  readonly keyLo: number;
  /** The analysed part has a unit that is not white space (what `/\S/` finds). */
  readonly hasContent: boolean;
  /** The analysed part has a malformed unit (controls, U+FFFD: see `WordTokenizer.hasMalformedUnit`). */
  readonly hasMalformedUnit: boolean;
}

/**
 * Reusable scratch for `analyzeText`: a tokenizer and the two repetition kernels. One analyzer
 * per `maxChars`; not safe to share between interleaved analyses (JavaScript runs one at a time).
 */
export class TextAnalyzer {
  readonly maxChars: number;
  /** Word hashes of the last analysed text (`tokens.count` words). */
  readonly tokens: WordTokenizer;
  readonly words3 = new WordNgramRepetition({ n: 3 });
  readonly chars4: CharNgramRepetition;

  constructor(maxChars: number = DEFAULT_MAX_CHARS) {
    if (!Number.isInteger(maxChars) || maxChars < 1) {
      throw new RangeError(`TextAnalyzer maxChars must be an integer >= 1, got ${String(maxChars)}`);
    }
    this.maxChars = maxChars;
    this.tokens = new WordTokenizer(maxChars);
    this.chars4 = new CharNgramRepetition({ n: 4, maxChars });
  }
}

/**
 * Analyses one response in one pass (see the module comment); the words stay in
 * `analyzer.tokens` until the next call.
 *
 * @example
 * const analyzer = new TextAnalyzer();
 * analyzeText('Yes yes yes. '.repeat(20), analyzer).repetition; // ≈ 0.95, judged by words
 */
export function analyzeText(text: string, analyzer: TextAnalyzer): TextFeatures {
  const { tokens } = analyzer;
  const words = tokens.tokenize(text);
  const wordRepetition = analyzer.words3.measureTokens(tokens.hashHi, words);
  const wordNgrams = Math.max(0, words - 2);
  const analysed = Math.min(text.length, analyzer.maxChars);
  // The response key: an order-dependent mix of the word hashes (FNV-style on each half).
  let hi = 0x811c9dc5;
  let lo = 0x9747b28c;
  const wordHi = tokens.hashHi;
  const wordLo = tokens.hashLo;
  for (let index = 0; index < words; index++) {
    hi = Math.imul(hi ^ wordHi[index]!, 0x01000193);
    lo = Math.imul(lo ^ wordLo[index]!, 0x5bd1e995);
    lo ^= lo >>> 15;
  }
  const keyHi = fmix32(hi ^ words);
  const keyLo = fmix32(lo + Math.imul(words, 0x9e3779b1));

  let charRepetition: number | undefined;
  let repetition = 0;
  let judgedBy: TextFeatures['judgedBy'] = 'none';
  if (wordNgrams >= MIN_NGRAMS && words * CHARS_PER_WORD_LIMIT >= analysed) {
    repetition = wordRepetition;
    judgedBy = 'words';
  } else if (analysed >= MIN_CHARS) {
    charRepetition = analyzer.chars4.measure(text);
    repetition = charRepetition;
    judgedBy = 'chars';
  }
  const { hasContent, hasMalformedUnit } = tokens;
  return { chars: text.length, words, wordRepetition, charRepetition, repetition, judgedBy, keyHi, keyLo, hasContent, hasMalformedUnit };
}

/**
 * Events remembered per `maxChars`. Every detector of a pipeline sees an event before the next one
 * arrives (rxjs delivers synchronously), so the last few events cover every sharing pattern short
 * of an asynchronous hop; a missed event is just analysed again. A small ring of strong references
 * beats a WeakMap here: a WeakMap insertion per event cost ~1 µs of CPU (ephemeron bookkeeping and
 * GC) in the text-detectors benchmark, a fifth of the whole text budget.
 */
const MEMO_SIZE = 8;

interface Memo {
  readonly analyzer: TextAnalyzer;
  readonly events: (object | undefined)[];
  readonly features: (TextFeatures | undefined)[];
  next: number;
  /** The event whose words `analyzer.tokens` holds now. */
  lastEvent: object | undefined;
}

const memos = new Map<number, Memo>();
let lastMemo: Memo | undefined;

function memoFor(maxChars: number): Memo {
  if (lastMemo !== undefined && lastMemo.analyzer.maxChars === maxChars) return lastMemo;
  let memo = memos.get(maxChars);
  if (memo === undefined) {
    memo = {
      analyzer: new TextAnalyzer(maxChars),
      events: new Array<object | undefined>(MEMO_SIZE).fill(undefined),
      features: new Array<TextFeatures | undefined>(MEMO_SIZE).fill(undefined),
      next: 0,
      lastEvent: undefined,
    };
    memos.set(maxChars, memo);
  }
  lastMemo = memo;
  return memo;
}

/**
 * The features of `event`'s response, computed once per event object and `maxChars` and shared by
 * every text detector that asks (the last 8 events are remembered by identity; see `MEMO_SIZE`).
 * `undefined` when the event has no response text. The memo assumes events are not mutated.
 */
export function textFeaturesOf(
  event: { readonly response?: string },
  maxChars: number = DEFAULT_MAX_CHARS,
): TextFeatures | undefined {
  const text = event.response;
  if (typeof text !== 'string') return undefined;
  const memo = memoFor(maxChars);
  const known = remembered(memo, event);
  if (known !== undefined) return known;
  const features = analyzeText(text, memo.analyzer);
  memo.events[memo.next] = event;
  memo.features[memo.next] = features;
  memo.next = (memo.next + 1) % MEMO_SIZE;
  memo.lastEvent = event;
  return features;
}

/**
 * The features of `event`'s response if some detector has already asked for them (at this
 * `maxChars`, among the last 8 events), else `undefined`: for a detector that can use them when
 * they are free but should not pay for a whole analysis on its own (`degenerateOutputs`).
 */
export function analysedFeaturesOf(
  event: { readonly response?: string },
  maxChars: number = DEFAULT_MAX_CHARS,
): TextFeatures | undefined {
  return remembered(memoFor(maxChars), event);
}

/**
 * The memoized features of `event`. An event sits in at most one slot unless it was analysed again
 * after leaving the memo, with the same features then, so any slot order finds the right answer.
 */
function remembered(memo: Memo, event: object): TextFeatures | undefined {
  const { events } = memo;
  for (let slot = 0; slot < MEMO_SIZE; slot++) if (events[slot] === event) return memo.features[slot];
  return undefined;
}

/**
 * The word hashes of `event`'s response (a scratch tokenizer, valid until the next analysis):
 * free when `event` was the last one analysed at this `maxChars` (the usual case: every detector
 * of a pipeline sees an event before the next arrives), else one re-tokenizing pass.
 */
export function wordTokensOf(event: { readonly response?: string }, maxChars: number = DEFAULT_MAX_CHARS): WordTokenizer {
  const memo = memoFor(maxChars);
  const text = event.response ?? '';
  if (memo.lastEvent !== event) {
    memo.analyzer.tokens.tokenize(text);
    memo.lastEvent = event;
  }
  return memo.analyzer.tokens;
}
