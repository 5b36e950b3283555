import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { degenerateKind, degenerateOutputs, degenerateOutputsConditions, type DegenerateOutputsConfig } from '../../operators/degenerate-outputs.js';
import type { RewardEvent } from '../../src/core/types.js';
import { analyzeText, TextAnalyzer } from '../../src/detectors/text-features.js';
import { DEFAULT_MAX_CHARS } from '../../src/kernels/word-tokens.js';
import { brief, testScheduler } from './fixtures.js';
import { simEvents } from './sim-helpers.js';
import { realEvents, runAlerts, stepsOf, textChecklist } from './text-helpers.js';

const tags = ['think', 'reasoning', 'answer'];
const small: DegenerateOutputsConfig = { window: 4, minSamples: 4, persistence: 2 };
const honest = (i: number): Partial<RewardEvent> => ({ response: `<answer>${i}</answer>`, reward: i % 2 });
const empty = (): Partial<RewardEvent> => ({ response: '  \n', reward: 1 });
const emptyUnpaid = (): Partial<RewardEvent> => ({ response: '', reward: 0 });

/** The incumbent rule: "no <answer> tag = degenerate". */
const incumbentDegenerate = (response: string): boolean => !response.includes('<answer>');

describe('degenerateKind', () => {
  it.each([
    ['', undefined, 'empty'],
    [' \t\n', undefined, 'empty'],
    ['ok\u0000then', undefined, 'malformed'],
    ['broken \uFFFD decode', undefined, 'malformed'],
    ['<think>never closed', undefined, 'malformed'],
    ['<answer>7</answer></answer>', undefined, 'malformed'],
    ['The answer is 7.', undefined, undefined],
    ['line one\nline two\ttabbed\r\n', undefined, undefined],
    ['<reasoning>x</reasoning><answer>7</answer>', undefined, undefined],
  ] as const)('%j -> %s', (text, length, kind) => {
    expect(degenerateKind(text, length, tags, undefined)).toBe(kind);
  });

  it('should call a response truncated only at the cap and mid-word', () => {
    expect(degenerateKind('and then the sum of', 512, tags, 512)).toBe('truncated');
    expect(degenerateKind('and then the sum of', 300, tags, 512)).toBeUndefined();
    expect(degenerateKind('and then the sum is 4.', 512, tags, 512)).toBeUndefined();
    expect(degenerateKind('and then the sum of', 512, tags, undefined)).toBeUndefined();
  });
});

/** The rule as first written: trim, a regex for the malformed units, indexOf counts per tag. */
function referenceKind(response: string, length: number | undefined, tagNames: readonly string[], lengthCap: number | undefined): string | undefined {
  const countOf = (text: string, needle: string): number => {
    let count = 0;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
    return count;
  };
  if (response.trim().length === 0) return 'empty';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/.test(response)) return 'malformed';
  for (const tag of tagNames) if (countOf(response, `<${tag}>`) !== countOf(response, `</${tag}>`)) return 'malformed';
  if (lengthCap !== undefined && length !== undefined && length >= lengthCap && /[\p{L}\p{N}]$/u.test(response)) return 'truncated';
  return undefined;
}

describe('degenerateKind against the reference rule', () => {
  it('should classify every single code unit alike (white space, controls, U+FFFD, surrogates)', () => {
    for (let unit = 0; unit < 0x10000; unit++) {
      const text = String.fromCharCode(unit);
      expect(degenerateKind(text, 9, tags, 8)).toBe(referenceKind(text, 9, tags, 8));
      expect(degenerateKind(`a${text}`, undefined, tags, undefined)).toBe(referenceKind(`a${text}`, undefined, tags, undefined));
    }
  });

  it('should classify random texts of tags, white space and controls alike', () => {
    const pieces = ['<think>', '</think>', '<answer>', '</answer>', '<reasoning>', '</reasoning>', '<', '</', '>', 'answer', ' ', '\n', '\t', '\v', '\f', '\u00a0', '\u2028', '\ufeff', '\u0000', '\u0085', '\ufffd', 'x', '7', '.'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), (parts, length) => {
        const text = parts.join('');
        expect(degenerateKind(text, length, tags, 2)).toBe(referenceKind(text, length, tags, 2));
        expect(degenerateKind(text, length, ['answer'], undefined)).toBe(referenceKind(text, length, ['answer'], undefined));
      }),
      { numRuns: 2000 },
    );
  });

  it('should count tags whose names share a beginning apart', () => {
    const close = ['a', 'an', 'answer', 'a.b'];
    const pieces = ['<a>', '</a>', '<an>', '</an>', '<answer>', '</answer>', '<a.b>', '</a.b>', '<', '</', 'a', '>', ' '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 16 }), (parts) => {
        const text = `x${parts.join('')}`;
        expect(degenerateKind(text, undefined, close, undefined)).toBe(referenceKind(text, undefined, close, undefined));
      }),
      { numRuns: 2000 },
    );
  });

  it('should count tags cut short, nested or at the very start and end alike', () => {
    const pieces = ['<answer>', '</answer>', '<answer', '</answe', 'answer>', '<think>', '</think>', '<thin', '<<', '</>', '<>', '>', 'é', '🙂', '\ud800', 'x', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 16 }), (parts) => {
        const text = parts.join('');
        for (const cut of [text, `a${text}`, text.slice(1), text.slice(0, -1)]) {
          expect(degenerateKind(cut, undefined, tags, undefined)).toBe(referenceKind(cut, undefined, tags, undefined));
        }
      }),
      { numRuns: 3000 },
    );
    // Case matters, and a tag one unit longer or shorter is another tag.
    expect(degenerateKind('<ANSWER>7</answer>', undefined, tags, undefined)).toBe('malformed');
    expect(degenerateKind('<answer>7</answer', undefined, tags, undefined)).toBe('malformed');
    expect(degenerateKind('<answers>7</answer>', undefined, tags, undefined)).toBe('malformed');
  });

  it('should classify alike from the shared text pass (its empty and malformed-unit flags)', () => {
    const analyzer = new TextAnalyzer();
    for (let unit = 0; unit < 0x10000; unit++) {
      const text = String.fromCharCode(unit);
      expect(degenerateKind(text, 9, tags, 8, analyzeText(text, analyzer))).toBe(referenceKind(text, 9, tags, 8));
      expect(degenerateKind(`a ${text}`, undefined, tags, undefined, analyzeText(`a ${text}`, analyzer))).toBe(referenceKind(`a ${text}`, undefined, tags, undefined));
    }
    const pieces = ['<think>', '</think>', '<answer>', '</answer>', ' ', '\n', '\v', '\f', '\u00a0', '\u0000', '\u001f', '\u0085', '\ufffd', '\ud800', 'x', '7'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(degenerateKind(text, undefined, tags, undefined, analyzeText(text, analyzer))).toBe(referenceKind(text, undefined, tags, undefined));
      }),
      { numRuns: 2000 },
    );
  });

  it('should scan past the analysed part of a response longer than the text pass reads', () => {
    const analyzer = new TextAnalyzer();
    const long = `${'word '.repeat(DEFAULT_MAX_CHARS / 5)}\u0000`;
    expect(degenerateKind(long, undefined, tags, undefined, analyzeText(long, analyzer))).toBe('malformed');
    const blankThenText = `${' '.repeat(DEFAULT_MAX_CHARS)}late`;
    expect(degenerateKind(blankThenText, undefined, tags, undefined, analyzeText(blankThenText, analyzer))).toBeUndefined();
  });
});

describe('degenerateOutputs', () => {
  it('should open an episode when paid empty responses persist (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = stepsOf([honest, honest, honest, empty, empty, empty], 4);
      const names = events.map((_, i) => String.fromCharCode(97 + i));
      expectObservable(cold(names.join('') + '|', Object.fromEntries(events.map((e, i) => [names[i]!, e]))).pipe(degenerateOutputs(small), map(brief)))
        .toBe('-'.repeat(19) + 'o----|', { o: 'onset@4/4:warning' });
    });
  });

  it('should say exploit when the garbage is paid and collapse when it is not', async () => {
    const paid = await runAlerts(stepsOf([honest, honest, honest, empty, empty, empty], 4), degenerateOutputs(small));
    expect(paid.map((a) => a.signal)).toEqual(['exploit']);
    const unpaid = await runAlerts(stepsOf([honest, honest, honest, emptyUnpaid, emptyUnpaid, emptyUnpaid], 4), degenerateOutputs(small));
    expect(unpaid.map((a) => a.signal)).toEqual(['collapse']);
    expect(unpaid[0]!.evidence.stats).toMatchObject({ empty: 8, malformed: 0, truncated: 0, paidShare: 0 });
    expect(unpaid[0]!.message).toMatch(/^100% of the last 4 responses are degenerate \(run so far: 8 empty, 0 malformed, 0 truncated\)/);
  });

  it('should stay collapse when every response has been unpaid garbage for long (paid = what sound responses get)', async () => {
    // Honest answers earn 0 or 1; then only empty responses, all at the floor 0 with a little noise.
    // A typical reward taken over every response sinks to the garbage's own floor, and about half of
    // it would count as "paid" (exploit); judged against sound responses it never is.
    const floorNoise = (i: number): Partial<RewardEvent> => ({ response: '', reward: (i % 3) * 1e-3 });
    const steps = [honest, honest, honest, ...Array.from({ length: 400 }, () => floorNoise)];
    const conditions = await lastValueFrom(from(stepsOf(steps, 4)).pipe(degenerateOutputsConditions(small), toArray()));
    const active = conditions.filter((c) => c.active);
    expect(active.length).toBeGreaterThan(300);
    expect(new Set(active.map((c) => c.signal))).toEqual(new Set(['collapse']));
  });

  it('incumbent fault: an untagged answer is not degenerate', async () => {
    const untagged = (): Partial<RewardEvent> => ({ response: 'The answer is 7.', reward: 1 });
    expect(incumbentDegenerate('The answer is 7.')).toBe(true);
    const conditions = await lastValueFrom(from(stepsOf([honest, untagged, untagged, untagged, untagged], 4)).pipe(degenerateOutputsConditions(small), toArray()));
    expect(conditions.length).toBe(5);
    expect(conditions.every((c) => c.evidence.stats.flagged === 0)).toBe(true);
  });

  it('should find the simulator truncation pattern as collapse, and nothing in healthy runs', async () => {
    const alerts = await runAlerts(simEvents({ seed: 6, steps: 60, hack: { pattern: 'truncation', atStep: 30 } }), degenerateOutputs({ lengthCap: 1024 }));
    const onset = alerts.find((a) => a.state === 'onset')!;
    expect([onset.signal, onset.severity]).toEqual(['collapse', 'warning']);
    expect(onset.step).toBeLessThanOrEqual(34);
    for (const seed of [1, 2, 3]) {
      for (const rewardKind of ['binary', 'shaped', 'continuous'] as const) {
        expect(await runAlerts(simEvents({ seed, steps: 100, rewardKind }), degenerateOutputs({ lengthCap: 1024 }))).toEqual([]);
      }
    }
  });

  it('should flag no real rollout response, and exactly the two broken Countdown completions', async () => {
    const rollout = await realEvents('verl-rollout_sdpo_step1_head.jsonl');
    expect(rollout.filter((e) => degenerateKind(e.response!, e.length, tags, undefined) !== undefined)).toEqual([]);
    const countdown = await realEvents('trl-grpo_completions_5components.jsonl');
    const kinds = countdown.map((e, i) => [i, degenerateKind(e.response!, e.length, tags, 128)] as const).filter(([, k]) => k !== undefined);
    // Completion 11 runs into the 128-token cap inside an open <reasoning> (ending in white space, so
    // not "mid-word"); completion 15 opens <reasoning> and never closes it. The file's own verifier
    // reports both as format errors.
    expect(kinds).toEqual([[11, 'malformed'], [15, 'malformed']]);
  });
});

textChecklist('degenerateOutputs', degenerateOutputs, small, stepsOf([honest, honest, honest, empty, empty, empty, empty], 4), [
  [{ tags: ['<x>'] }, TypeError, 'degenerateOutputs tags must be an array of tag names'],
  [{ lengthCap: 0 }, RangeError, 'degenerateOutputs lengthCap must be an integer >= 1'],
  [{ persistence: 0 }, RangeError, 'degenerateOutputs persistence must be an integer >= 1'],
  [{ maxBaseline: -1 }, RangeError, 'degenerateOutputs maxBaseline must lie in [0, 1]'],
]);
