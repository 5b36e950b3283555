import fc from 'fast-check';
import { connectable, from, merge, Subject, share } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { degenerateOutputs } from '../../operators/degenerate-outputs.js';
import { diversityCollapse } from '../../operators/diversity-collapse.js';
import { formatGaming } from '../../operators/format-gaming.js';
import { repetition } from '../../operators/repetition.js';
import type { RewardEvent } from '../../src/core/types.js';
import { simulate } from '../../src/sim/simulate.js';
import { analyzeText, MIN_CHARS, TextAnalyzer, textFeaturesOf, wordTokensOf } from '../../src/detectors/text-features.js';
import { CharNgramRepetition } from '../../src/kernels/char-ngram-repetition.js';
import { WordNgramRepetition } from '../../src/kernels/word-ngram-repetition.js';
import { WordTokenizer } from '../../src/kernels/word-tokens.js';

const analyzer = new TextAnalyzer();
const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

describe('analyzeText', () => {
  it('should judge a looping phrase by its words (known value)', () => {
    // "yes yes yes great answer" x 20 = 100 words, 98 trigrams, 5 distinct: 1 - 5/98.
    const features = analyzeText('Yes yes yes, great answer! '.repeat(20), analyzer);
    expect(features.judgedBy).toBe('words');
    expect(features.words).toBe(100);
    expect(features.repetition).toBeCloseTo(1 - 5 / 98, 12);
    expect(features.charRepetition).toBeUndefined();
  });

  it('should judge text without words by its char 4-grams, and short text not at all', () => {
    const bangs = analyzeText('!?'.repeat(100), analyzer);
    expect(bangs.judgedBy).toBe('chars');
    expect(bangs.repetition).toBeCloseTo(1 - 2 / 197, 12);
    const short = analyzeText('<answer>7</answer>', analyzer);
    expect([short.judgedBy, short.repetition]).toEqual(['none', 0]);
    expect(analyzeText('x'.repeat(MIN_CHARS - 1), analyzer).judgedBy).toBe('none');
  });

  it('should agree with the kernels on any text (property)', () => {
    const word3 = new WordNgramRepetition({ n: 3 });
    const char4 = new CharNgramRepetition({ n: 4 });
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const features = analyzeText(text, analyzer);
        expect(features.wordRepetition).toBe(word3.measure(text));
        if (features.charRepetition !== undefined) expect(features.charRepetition).toBe(char4.measure(text));
        expect(features.chars).toBe(text.length);
      }),
    );
  });

  it('should key responses by their lower-cased word sequence (property against a plain recomputation)', () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'b', 'C', ' ', ',', '.', '\n', '1'), maxLength: 30 });
    fc.assert(
      fc.property(ascii, ascii, (a, b) => {
        const fa = analyzeText(a, analyzer);
        const fb = analyzeText(b, analyzer);
        const same = words(a).join(' ') === words(b).join(' ');
        expect(fa.keyHi === fb.keyHi && fa.keyLo === fb.keyLo).toBe(same);
      }),
    );
    const x = analyzeText('Hello,  World!', analyzer);
    const y = analyzeText('hello world', analyzer);
    expect([x.keyHi, x.keyLo]).toEqual([y.keyHi, y.keyLo]);
  });
});

describe('textFeaturesOf / wordTokensOf', () => {
  it('should analyse an event once and share the result', () => {
    const event = { step: 0, response: 'one two three four' };
    const first = textFeaturesOf(event);
    expect(textFeaturesOf(event)).toBe(first);
    expect(textFeaturesOf({})).toBeUndefined();
    expect(textFeaturesOf(event, 8)).not.toBe(first);
  });

  it('should give the words of any event, re-tokenizing only when another was analysed since', () => {
    const fresh = new WordTokenizer();
    const a = { step: 0, response: 'alpha beta gamma' };
    const b = { step: 0, response: 'delta epsilon' };
    textFeaturesOf(a);
    textFeaturesOf(b);
    const tokens = wordTokensOf(a);
    fresh.tokenize(a.response);
    expect(tokens.count).toBe(3);
    expect([...tokens.hashHi.subarray(0, 3)]).toEqual([...fresh.hashHi.subarray(0, 3)]);
    expect(wordTokensOf(b).count).toBe(2);
  });
});

describe('one text pass per event in a pipeline', () => {
  const events = (): RewardEvent[] => {
    const out: RewardEvent[] = [];
    for (const item of simulate({ seed: 3, steps: 12, policyMetrics: false })) if (item.kind === 'event') out.push(item.event);
    return out;
  };
  const detectors = () => [repetition(), diversityCollapse(), formatGaming(), degenerateOutputs()];

  it('should tokenize each response once when the text detectors share a connectable source', () => {
    const input = events();
    const tokenize = vi.spyOn(WordTokenizer.prototype, 'tokenize');
    try {
      const source = connectable(from(input), { connector: () => new Subject<RewardEvent>(), resetOnDisconnect: false });
      merge(...detectors().map((detector) => source.pipe(detector))).subscribe();
      source.connect();
      expect(tokenize).toHaveBeenCalledTimes(input.length);
    } finally {
      tokenize.mockRestore();
    }
  });

  it('should analyse again (correctly, not shared) when share() replays a synchronous source to each detector in turn', () => {
    const input = events();
    const tokenize = vi.spyOn(WordTokenizer.prototype, 'tokenize');
    try {
      const source = from(input).pipe(share());
      merge(...detectors().map((detector) => source.pipe(detector))).subscribe();
      // repetition and diversityCollapse each analyse every response once.
      expect(tokenize).toHaveBeenCalledTimes(2 * input.length);
    } finally {
      tokenize.mockRestore();
    }
  });
});
