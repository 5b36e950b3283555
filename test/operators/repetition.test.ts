import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { repetition, repetitionConditions, type RepetitionConfig } from '../../operators/repetition.js';
import type { RewardEvent } from '../../src/core/types.js';
import { textFeaturesOf } from '../../src/detectors/text-features.js';
import { brief, testScheduler } from './fixtures.js';
import { simEvents } from './sim-helpers.js';
import { loop, prose, realEvents, runAlerts, stepsOf, textChecklist } from './text-helpers.js';
import { lastValueFrom, from, toArray } from 'rxjs';

const small: RepetitionConfig = { window: 4, minSamples: 4, persistence: 2 };
const ok = (): Partial<RewardEvent> => ({ response: prose() });
const looping = (): Partial<RewardEvent> => ({ response: loop() });

describe('repetition', () => {
  it('should open an exploit episode once looping responses persist (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Steps of 4 responses, one per frame; a step is judged at its 4th response (judgeEvery =
      // window) or when the next step starts: steps 0-2 quiet (step 0 seeds the baseline at 0),
      // the rule holds at step 3 and again at step 4 (frame 19): onset; step 5 is ongoing, silent.
      const events = stepsOf([ok, ok, ok, looping, looping, looping], 4);
      const marble = events.map((_, i) => String.fromCharCode(97 + i)).join('') + '|';
      const values = Object.fromEntries(events.map((e, i) => [String.fromCharCode(97 + i), e]));
      const expected = '-'.repeat(19) + 'o----|';
      expectObservable(cold(marble, values).pipe(repetition(small), map(brief))).toBe(expected, { o: 'onset@4/4:warning' });
    });
  });

  it('should carry the rate, baseline and the 5 most repetitive samples with their scores', async () => {
    const events = stepsOf([ok, ok, ok, looping, looping, looping], 8);
    const alerts = await runAlerts(events, repetition({ window: 8, persistence: 2 }));
    const onset = alerts.find((a) => a.state === 'onset')!;
    expect(onset).toMatchObject({ detector: 'repetition', metric: 'response/repetition', signal: 'exploit', severity: 'warning', step: 4 });
    expect(onset.value).toBe(1);
    expect(onset.evidence.stats.baseline).toBe(0);
    expect(onset.evidence.samples).toHaveLength(5);
    for (const sample of onset.evidence.samples!) {
      expect(sample.response).toBe(loop());
      expect(sample.score).toBeGreaterThan(0.9);
    }
    expect(onset.message).toMatch(/^100% of the last 8 responses repeat themselves .* baseline of 0% .* for 2 steps$/);
  });

  it('should score non-word repetition by characters and skip events without text', async () => {
    const bangs = (): Partial<RewardEvent> => ({ response: '!?'.repeat(100) });
    const none = (): Partial<RewardEvent> => ({});
    const events = stepsOf([ok, none, ok, bangs, bangs, bangs], 4);
    const conditions = await lastValueFrom(from(events).pipe(repetitionConditions(small), toArray()));
    expect(conditions.map((c) => [c.step, c.active])).toEqual([[0, false], [2, false], [3, false], [4, true], [5, true]]);
    expect(conditions.at(-1)!.evidence.stats.skipped).toBe(4);
    expect(textFeaturesOf(events.at(-1)!)!.judgedBy).toBe('chars');
  });

  it('should detect the simulator repetition hack within 4 steps, with no alert on healthy runs', async () => {
    const hacked = await runAlerts(simEvents({ seed: 3, steps: 60, hack: { pattern: 'repetition', atStep: 30 } }), repetition());
    const onset = hacked.find((a) => a.state === 'onset');
    expect(onset?.step).toBeGreaterThanOrEqual(30);
    expect(onset!.step).toBeLessThanOrEqual(34);
    for (const seed of [1, 2, 3, 4]) {
      for (const rewardKind of ['binary', 'shaped', 'continuous'] as const) {
        const alerts = await runAlerts(simEvents({ seed, steps: 120, rewardKind, meanLength: seed * 100 }), repetition());
        expect(alerts).toEqual([]);
      }
    }
  });

  it('should keep real responses far below the per-response threshold', async () => {
    for (const file of ['verl-rollout_sdpo_step1_head.jsonl', 'trl-grpo_completions_5components.jsonl']) {
      const events = await realEvents(file);
      expect(events.length).toBeGreaterThan(10);
      const worst = Math.max(...events.map((e) => textFeaturesOf(e)!.repetition));
      expect(worst).toBeLessThan(0.25);
    }
  });
});

textChecklist('repetition', repetition, small, stepsOf([ok, ok, ok, looping, looping, looping, looping], 4), [
  [{ threshold: 1.5 }, RangeError, 'repetition threshold must lie in (0, 1]'],
  [{ window: 0 }, RangeError, 'repetition window must be an integer >= 1'],
  [{ minSamples: 10, window: 4 }, RangeError, 'minSamples must be <= window'],
  [{ severity: 'loud' as never }, TypeError, 'repetition severity'],
  [{ mode: 'weird' as never }, TypeError, "repetition mode must be 'baseline' or 'fixed'"],
]);
