import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { diversityCollapse, diversityCollapseConditions, type DiversityCollapseConfig } from '../../operators/diversity-collapse.js';
import type { RewardEvent } from '../../src/core/types.js';
import { DiversityWindow } from '../../src/detectors/diversity.js';
import { WordTokenizer } from '../../src/kernels/word-tokens.js';
import { brief, testScheduler } from './fixtures.js';
import { simEvents } from './sim-helpers.js';
import { prose, realEvents, runAlerts, stepsOf, textChecklist } from './text-helpers.js';

const MEMORIZED = 'The answer is always the same so I will write it down: 42.';
const small: DiversityCollapseConfig = { window: 8, minSamples: 8, persistence: 2 };
const ok = (): Partial<RewardEvent> => ({ response: prose(200) });
// One memorized string for every prompt (each event has its own group in stepsOf).
const memorized = (): Partial<RewardEvent> => ({ response: MEMORIZED });

/** The incumbent: unique-response ratio over the window, alarm below 0.5 (no notion of groups). */
function incumbentAlarms(events: readonly RewardEvent[], window: number): number {
  let alarms = 0;
  for (let i = window; i <= events.length; i++) {
    const slice = events.slice(i - window, i).map((e) => e.response);
    if (new Set(slice).size / window < 0.5) alarms++;
  }
  return alarms;
}

describe('DiversityWindow', () => {
  it('should count cross-context duplicates exactly as a recount of the window does (property)', () => {
    const tokens = new WordTokenizer();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 80 }),
        (window, pushes) => {
          const diversity = new DiversityWindow({ window, n: 2, minWords: 1, distinctEvery: 1 }, () => tokens);
          const seen: { key: number; context: number; keyed: boolean }[] = [];
          for (const [key, context, keyed] of pushes) {
            const event: RewardEvent = { step: 0, group: `g${context}` };
            tokens.tokenize('');
            diversity.push(event, key, key * 7, keyed ? 3 : 0);
            seen.push({ key, context, keyed });
            const last = seen.slice(-window).filter((s) => s.keyed);
            const contexts = new Map<number, Set<number>>();
            for (const s of last) contexts.set(s.key, (contexts.get(s.key) ?? new Set()).add(s.context));
            const expected = last.filter((s) => contexts.get(s.key)!.size >= 2).length;
            expect(diversity.crossDuplicateCount).toBe(expected);
            expect(diversity.keyed).toBe(last.length);
          }
        },
      ),
    );
  });
});

describe('DiversityWindow over many distinct responses', () => {
  it('should count cross-context duplicates as a recount does while its tables rebuild (property)', () => {
    // Many keys come and go, so the count tables fill with tombstones and rebuild, moving the slots
    // the window remembers for each response.
    const tokens = new WordTokenizer();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5 })), { minLength: 100, maxLength: 300, size: 'max' }),
        (window, pushes) => {
          const diversity = new DiversityWindow({ window, n: 2, minWords: 1, distinctEvery: 1 }, () => tokens);
          const seen: { key: number; context: number }[] = [];
          tokens.tokenize('');
          for (const [key, context] of pushes) {
            // Keys below 100 recur often (duplicates); the rest are mostly new.
            const hashed = key < 200 ? key % 100 : key;
            diversity.push({ step: 0, group: `g${context}` }, hashed, hashed * 7, 3);
            seen.push({ key: hashed, context });
            const last = seen.slice(-window);
            const contexts = new Map<number, Set<number>>();
            for (const s of last) contexts.set(s.key, (contexts.get(s.key) ?? new Set()).add(s.context));
            expect(diversity.crossDuplicateCount).toBe(last.filter((s) => contexts.get(s.key)!.size >= 2).length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('diversityCollapse', () => {
  it('should open an exploit episode when one string answers every prompt (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = stepsOf([ok, ok, ok, memorized, memorized, memorized], 8);
      const names = events.map((_, i) => String.fromCharCode(0x4e00 + i));
      const marble = names.join('') + '|';
      // Judged at each step's 8th response: the rule holds at steps 3 and 4 (frame 39): onset.
      expectObservable(cold(marble, Object.fromEntries(events.map((e, i) => [names[i]!, e]))).pipe(diversityCollapse(small), map(brief)))
        .toBe('-'.repeat(39) + 'o--------|', { o: 'onset@4/4:warning' });
    });
  });

  it('should name the most repeated response with its count and the prompts it answers', async () => {
    const alerts = await runAlerts(stepsOf([ok, ok, ok, memorized, memorized], 8), diversityCollapse(small));
    const onset = alerts[0]!;
    expect(onset).toMatchObject({ detector: 'diversityCollapse', signal: 'exploit', severity: 'warning', value: 1 });
    expect(onset.evidence.samples).toHaveLength(1);
    expect(onset.evidence.samples![0]).toMatchObject({ response: MEMORIZED, score: 8 });
    expect(onset.message).toContain(`most repeated (8x across 8 prompts): ${JSON.stringify(MEMORIZED)}`);
  });

  it('incumbent fault: GRPO groups that agree on an easy prompt are not a collapse', async () => {
    // 8 prompts per step, 8 samples each; on easy prompts every sample gives the same worked answer.
    const events: RewardEvent[] = [];
    for (let step = 0; step < 12; step++) {
      for (let p = 0; p < 8; p++) {
        const easy = p < 6;
        const answer = `${prose(60)} So the total is ${step * 8 + p}.`;
        for (let g = 0; g < 8; g++) events.push({ step, group: `s${step}-p${p}`, reward: 1, response: easy ? answer : prose(200) });
      }
    }
    expect(incumbentAlarms(events, 64)).toBeGreaterThan(100);
    const conditions = await lastValueFrom(from(events).pipe(diversityCollapseConditions({ window: 64 }), toArray()));
    expect(conditions.length).toBeGreaterThan(5);
    expect(conditions.every((c) => !c.active && c.value === 0)).toBe(true);
  });

  it('should ignore short answers that coincide across prompts', async () => {
    const letter = (i: number): Partial<RewardEvent> => ({ response: 'ABCD'[i % 4]! });
    const conditions = await lastValueFrom(from(stepsOf([ok, letter, letter, letter, letter], 8)).pipe(diversityCollapseConditions(small), toArray()));
    expect(conditions.every((c) => !c.active)).toBe(true);
  });

  it('should detect the simulator mode-collapse hack within 4 steps and stay quiet on healthy runs', async () => {
    const alerts = await runAlerts(simEvents({ seed: 8, steps: 60, hack: { pattern: 'mode-collapse', atStep: 30 } }), diversityCollapse());
    const onset = alerts.find((a) => a.state === 'onset')!;
    expect(onset.step).toBeGreaterThanOrEqual(30);
    expect(onset.step).toBeLessThanOrEqual(34);
    for (const seed of [1, 2, 3]) {
      for (const meanLength of [30, 125, 400]) {
        expect(await runAlerts(simEvents({ seed, steps: 100, meanLength }), diversityCollapse())).toEqual([]);
      }
    }
    // Verbosity triples lengths and lowers distinct-2 by Heaps' law, which is not a collapse.
    const verbose = await runAlerts(simEvents({ seed: 2, steps: 80, hack: { pattern: 'verbosity', atStep: 30 } }), diversityCollapse());
    expect(verbose).toEqual([]);
  });

  it('should stay quiet on the real rollout, whose repeated prompts got different outputs', async () => {
    const events = await realEvents('verl-rollout_sdpo_step1_head.jsonl');
    const conditions = await lastValueFrom(from(events).pipe(diversityCollapseConditions({ window: 16 }), toArray()));
    expect(conditions.length).toBeGreaterThan(0);
    expect(conditions.every((c) => !c.active)).toBe(true);
  });
});

textChecklist('diversityCollapse', diversityCollapse, small, stepsOf([ok, ok, ok, memorized, memorized, memorized, memorized], 8), [
  [{ minWords: 0 }, RangeError, 'diversityCollapse minWords must be an integer >= 1'],
  [{ n: 1.5 }, RangeError, 'diversityCollapse n must be an integer >= 1'],
  [{ minDrop: 1 }, RangeError, 'diversityCollapse minDrop must lie in (0, 1)'],
  [{ window: -1 }, RangeError, 'diversityCollapse window must be an integer >= 1'],
]);
