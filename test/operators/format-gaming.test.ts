import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { formatGaming, formatGamingConditions, type FormatGamingConfig } from '../../operators/format-gaming.js';
import type { RewardEvent } from '../../src/core/types.js';
import { DEFAULT_PLACEHOLDERS, enumeratesOptions, FormatRule, isJunkAnswer, PlaceholderSet } from '../../src/detectors/format-rules.js';
import { brief, testScheduler } from './fixtures.js';
import { simEvents } from './sim-helpers.js';
import { prose, realEvents, runAlerts, stepsOf, textChecklist } from './text-helpers.js';

const tagged = (answer: string, thoughts = prose(120)): string => `<reasoning>\n${thoughts}\n</reasoning>\n<answer>${answer}</answer>`;
const small: FormatGamingConfig = { window: 4, minSamples: 4, persistence: 2 };
// Honest: a real answer paid 1 half the time, 0 otherwise (typical reward ≈ 0.5).
const honest = (i: number): Partial<RewardEvent> => ({ response: tagged(String(10 + i)), reward: i % 2 });
const gamed = (): Partial<RewardEvent> => ({ response: tagged(''), reward: 1 });
const placeholders = new PlaceholderSet(DEFAULT_PLACEHOLDERS);

/** The incumbent rule: "short answer or no answer tag = gaming". */
const incumbentFlags = (response: string): boolean => {
  const match = /<answer>([\s\S]*?)<\/answer>/.exec(response);
  return match === null || match[1]!.trim().length < 2;
};

describe('format rules', () => {
  it('should read the preset layout and reject missing, unclosed or doubled tags', () => {
    const rule = new FormatRule('t', { tags: ['reasoning', 'answer'] });
    expect(rule.view('<reasoning>x</reasoning><answer> 7 </answer>')).toEqual({ wellFormed: true, answer: ' 7 ' });
    expect(rule.view('<answer>7</answer><reasoning>x</reasoning>').wellFormed).toBe(false);
    expect(rule.view('<reasoning>x</reasoning><answer>7').wellFormed).toBe(false);
    expect(rule.view('<reasoning>x</reasoning><answer>7</answer><answer>8</answer>').wellFormed).toBe(false);
    expect(rule.view('The answer is 7.').wellFormed).toBe(false);
  });

  it('should take the answer from a regex group or an extractor', () => {
    expect(new FormatRule('t', { pattern: /Answer: (?<answer>.*)$/gm }).view('x\nAnswer: 12').answer).toBe('12');
    expect(new FormatRule('t', { pattern: /\\boxed\{([^}]*)\}/ }).view('so \\boxed{}').answer).toBe('');
    const rule = new FormatRule('t', { tags: ['answer'], extract: (r) => r.split('=').pop() });
    expect(rule.view('<answer>2+2=4</answer>').answer).toBe('4</answer>');
  });

  it.each([
    ['', true], ['   \n', true], ['...', true], ['-', true], ['?', true], ['Answer', true], ['answer.', true],
    ['Your answer here', true], ['7', false], ['0', false], ['x = 4', false], ['四', false], ['None of them, 12', false],
    // Symbols name things (relations, quantities, sets); punctuation only marks text.
    ['<', false], ['>', false], ['=', false], ['≤', false], ['∞', false], ['-∞', false], ['∅', false], ['→', false], ['°', false],
    ['*', true], ['…', true], ['—', true], ['?!', true],
    // Words that answer some question are not placeholders.
    ['none', false], ['None.', false], ['null', false], ['undefined', false], ['N/A', false], ['XXX', false], ['TODO', true],
  ])('isJunkAnswer(%j) is %s', (answer, junk) => {
    expect(isJunkAnswer(answer, placeholders)).toBe(junk);
  });

  it('should recognise an answer enumerating every option', () => {
    expect(enumeratesOptions('A or B or C or D', 3)).toBe(true);
    expect(enumeratesOptions('cat or dog or bird', 3)).toBe(true);
    expect(enumeratesOptions('A or B', 3)).toBe(false);
    expect(enumeratesOptions('it is 4, or maybe 5, or 6 if we round up the value of the second term in the sum', 3)).toBe(false);
  });

  it('should enumerate exactly as a plain split on every answer (the quick reject changes nothing)', () => {
    const reference = (answer: string, minOptions: number): boolean => {
      if (answer.length >= 200) return false;
      const parts = answer.split(/\s+or\s+/i);
      return parts.length >= minOptions && parts.every((part) => part.trim().length > 0 && part.trim().length <= 40);
    };
    const pieces = ['or', 'OR', 'Or', ' ', '\n', '\u00a0', 'A', 'cat', 'order', 'x'.repeat(41), ','];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), fc.integer({ min: 2, max: 4 }), (parts, minOptions) => {
        const answer = parts.join('');
        expect(enumeratesOptions(answer, minOptions)).toBe(reference(answer, minOptions));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatGaming', () => {
  it('should open an exploit episode when paid empty answers persist (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = stepsOf([honest, honest, honest, gamed, gamed, gamed], 4);
      const names = events.map((_, i) => String.fromCharCode(97 + i));
      const expected = '-'.repeat(19) + 'o----|';
      expectObservable(cold(names.join('') + '|', Object.fromEntries(events.map((e, i) => [names[i]!, e]))).pipe(formatGaming(small), map(brief)))
        .toBe(expected, { o: 'onset@4/4:warning' });
    });
  });

  it('incumbent fault: a correct one-digit answer is not gaming, an untagged answer is not gaming', async () => {
    const digit = (): Partial<RewardEvent> => ({ response: tagged('7'), reward: 1 });
    const untagged = (): Partial<RewardEvent> => ({ response: `${prose(120)} So the answer is 7.`, reward: 1 });
    expect(incumbentFlags(tagged('7'))).toBe(true);
    expect(incumbentFlags(`${prose(120)} So the answer is 7.`)).toBe(true);
    const events = stepsOf([honest, honest, digit, digit, untagged, untagged, digit, untagged], 4);
    const conditions = await lastValueFrom(from(events).pipe(formatGamingConditions(small), toArray()));
    expect(conditions.length).toBeGreaterThan(4);
    expect(conditions.every((c) => !c.active && c.evidence.stats.flagged === 0)).toBe(true);
  });

  it('incumbent fault: correct symbol and word answers (<, =, ∞, ∅, none) are not gaming, junk punctuation is', async () => {
    // Paid when right, half the time: the honest answers of comparison, limit and set questions.
    const answers = ['<', '>', '=', '∞', '-∞', '∅', 'none', 'null', 'N/A'];
    const short = (i: number): Partial<RewardEvent> => ({ response: tagged(answers[i % answers.length]!), reward: i % 2 });
    const events = stepsOf([honest, honest, short, short, short, short, short, short], 18);
    const conditions = await lastValueFrom(from(events).pipe(formatGamingConditions({ ...small, window: 18, minSamples: 18 }), toArray()));
    expect(conditions.length).toBeGreaterThan(4);
    expect(conditions.every((c) => !c.active && c.evidence.stats.flagged === 0)).toBe(true);
    // The same layout around paid punctuation is gaming: the test can fail.
    const dots = (i: number): Partial<RewardEvent> => ({ response: tagged(['...', '-', '?'][i % 3]!), reward: i % 2 });
    const gamedRun = stepsOf([honest, honest, dots, dots, dots, dots, dots, dots], 18);
    expect((await runAlerts(gamedRun, formatGaming({ ...small, window: 18, minSamples: 18 }))).map((a) => a.state)).toEqual(['onset']);
  });

  it('should not count unpaid empty answers unless paid is "any", and flag "A or B or C" answers', async () => {
    const unpaid = (): Partial<RewardEvent> => ({ response: tagged('...'), reward: 0 });
    const events = stepsOf([honest, honest, honest, unpaid, unpaid, unpaid], 4);
    expect(await runAlerts(events, formatGaming(small))).toEqual([]);
    expect((await runAlerts(events, formatGaming({ ...small, paid: 'any' }))).map((a) => a.state)).toEqual(['onset']);
    const listing = (): Partial<RewardEvent> => ({ response: tagged('A or B or C or D'), reward: 1 });
    const alerts = await runAlerts(stepsOf([honest, honest, honest, listing, listing, listing], 4), formatGaming(small));
    expect(alerts[0]!.evidence.samples![0]!.response).toContain('<answer>A or B or C or D</answer>');
  });

  it('should not call junk gaming while nothing is paid (every reward 0, the floor of the run)', async () => {
    // A run that solves nothing yet: reward 0 for everything; empty answers spread anyway.
    const zero = (i: number): Partial<RewardEvent> => ({ response: tagged(String(10 + i)), reward: 0 });
    const emptyZero = (): Partial<RewardEvent> => ({ response: tagged(''), reward: 0 });
    const events = stepsOf([zero, zero, zero, emptyZero, emptyZero, emptyZero, emptyZero], 4);
    const conditions = await lastValueFrom(from(events).pipe(formatGamingConditions(small), toArray()));
    expect(conditions.length).toBeGreaterThan(3);
    expect(conditions.every((c) => !c.active && c.evidence.stats.flagged === 0)).toBe(true);
    expect(conditions.at(-1)!.evidence.stats).toMatchObject({ typicalReward: 0, floorReward: 0 });
    // The same junk once paid above the floor is gaming: the test can fail.
    const emptyPaid = (): Partial<RewardEvent> => ({ response: tagged(''), reward: 1 });
    const paid = await runAlerts(stepsOf([zero, zero, zero, emptyPaid, emptyPaid, emptyPaid, emptyPaid], 4), formatGaming(small));
    expect(paid.map((a) => a.state)).toEqual(['onset']);
    expect(paid[0]!.message).toMatch(/yet paid at least the typical reward \(0\.0\d+\) and above the floor \(0\)/);
  });

  it('should find the Visual-RFT hack: <think> reasoning and an empty <answer></answer> paid by substring match', async () => {
    const visual = (i: number): Partial<RewardEvent> => ({ response: `<think>${prose(100)}</think><answer>${i % 2 ? 'cat' : 'dog'}</answer>`, reward: i % 2 });
    const hacked = (): Partial<RewardEvent> => ({ response: `<think>${prose(100)}</think><answer></answer>`, reward: 1 });
    const alerts = await runAlerts(stepsOf([visual, visual, visual, hacked, hacked, hacked], 8), formatGaming({ preset: 'thinkAnswer', window: 8 }));
    expect(alerts.map((a) => [a.state, a.step, a.signal])).toEqual([['onset', 4, 'exploit']]);
    expect(alerts[0]!.message).toMatch(/^100% of the last 8 responses are well-formed <think><answer> with an empty or junk answer yet paid at least the typical reward/);
    expect(alerts[0]!.evidence.samples).toHaveLength(5);
  });

  it('should detect the simulator format-gaming hack within 4 steps and stay quiet on healthy runs', async () => {
    const alerts = await runAlerts(simEvents({ seed: 4, steps: 60, hack: { pattern: 'format-gaming', atStep: 30 } }), formatGaming());
    const onset = alerts.find((a) => a.state === 'onset')!;
    expect(onset.step).toBeGreaterThanOrEqual(30);
    expect(onset.step).toBeLessThanOrEqual(34);
    for (const seed of [1, 2, 3]) {
      for (const rewardKind of ['binary', 'shaped', 'continuous'] as const) {
        for (const rewardScale of [1, 10, 0.01]) {
          expect(await runAlerts(simEvents({ seed, steps: 100, rewardKind, rewardScale }), formatGaming())).toEqual([]);
        }
      }
    }
  });

  it('should flag no real response (rollout tool calls, Countdown completions)', async () => {
    for (const file of ['verl-rollout_sdpo_step1_head.jsonl', 'trl-grpo_completions_5components.jsonl']) {
      const events = await realEvents(file);
      const conditions = await lastValueFrom(from(events).pipe(formatGamingConditions({ window: 8, paid: 'any' }), toArray()));
      expect(conditions.length).toBeGreaterThan(0);
      expect(conditions.every((c) => c.evidence.stats.flagged === 0)).toBe(true);
    }
  });
});

textChecklist('formatGaming', formatGaming, small, stepsOf([honest, honest, honest, gamed, gamed, gamed, gamed], 4), [
  [{ preset: 'xml' as never }, TypeError, 'formatGaming preset must be one of reasoningAnswer, thinkAnswer'],
  [{ tags: ['a b'] }, TypeError, 'formatGaming tags must be tag names'],
  [{ tags: ['think'], answerTag: 'answer' }, TypeError, 'answerTag "answer" must be one of the tags'],
  [{ pattern: 'x' as never }, TypeError, 'formatGaming pattern must be a RegExp'],
  [{ enumeration: 1 }, RangeError, 'formatGaming enumeration must be an integer >= 2'],
  [{ paid: 'always' as never }, TypeError, "formatGaming paid must be 'typical' or 'any'"],
  [{ minIncrease: 2 }, RangeError, 'formatGaming minIncrease must lie in [0, 1]'],
]);

describe('formatGaming callbacks', () => {
  it('should route a throwing answer extractor to the error channel', () => {
    const boom = new Error('extract failed');
    let failure: unknown;
    from(stepsOf([honest], 4)).pipe(formatGaming({ extract: () => { throw boom; } })).subscribe({ error: (e: unknown) => (failure = e) });
    expect(failure).toBe(boom);
  });
});
