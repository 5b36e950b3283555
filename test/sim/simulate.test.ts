import { describe, expect, it } from 'vitest';
import { mean } from 'simple-statistics';
import { EXPECTED_VERDICT, HACK_PATTERNS, simulate } from '../../src/sim/index.js';
import type { HackPattern, SimulationConfig } from '../../src/sim/index.js';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';

function run(config: SimulationConfig): { events: RewardEvent[]; steps: StepRecord[] } {
  const events: RewardEvent[] = [];
  const steps: StepRecord[] = [];
  for (const item of simulate(config)) {
    if (item.kind === 'event') events.push(item.event);
    else if (item.kind === 'step') steps.push(item.record);
  }
  return { events, steps };
}

const atStep = (events: readonly RewardEvent[], step: number): RewardEvent[] => events.filter((e) => e.step === step);
const rewards = (events: readonly RewardEvent[]): number[] => events.map((e) => e.reward ?? Number.NaN);

describe('simulate', () => {
  it('emits prompts x groupSize events per step followed by one policy record', () => {
    const { events, steps } = run({ steps: 5, promptsPerStep: 3, groupSize: 4 });
    expect(events).toHaveLength(5 * 12);
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(atStep(events, 2).map((e) => e.group)).size).toBe(3);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = run({ seed: 3, steps: 3 }).events.map((e) => e.response);
    const b = run({ seed: 3, steps: 3 }).events.map((e) => e.response);
    const c = run({ seed: 4, steps: 3 }).events.map((e) => e.response);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('learns in a healthy run: mean reward rises, responses stay distinct, lengths near the mean', () => {
    const { events } = run({ seed: 11, steps: 120 });
    const early = mean(rewards(events.filter((e) => e.step < 10)));
    const late = mean(rewards(events.filter((e) => e.step >= 110)));
    expect(late).toBeGreaterThan(early + 0.3);
    const last = atStep(events, 119);
    expect(new Set(last.map((e) => e.response)).size).toBe(last.length);
    expect(mean(last.map((e) => e.length ?? 0))).toBeGreaterThan(100);
    expect(mean(last.map((e) => e.length ?? 0))).toBeLessThan(160);
  });

  it('scales rewards and components without changing their shape', () => {
    const base = run({ seed: 5, steps: 4 }).events;
    const scaled = run({ seed: 5, steps: 4, rewardScale: 10, rewardOffset: 3 }).events;
    scaled.forEach((event, i) => {
      expect(event.reward).toBeCloseTo((base[i]!.reward ?? 0) * 10 + 3, 9);
      expect(event.components?.correctness).toBeCloseTo((base[i]!.components?.correctness ?? 0) * 10, 9);
    });
  });

  const hackAt = 20;
  const injected = (pattern: HackPattern): { events: RewardEvent[]; steps: StepRecord[] } =>
    run({ seed: 9, steps: hackAt + 8, hack: { pattern, atStep: hackAt } });

  it('injects each pattern only from its step, fully after 3 steps', () => {
    for (const pattern of HACK_PATTERNS) {
      const hacked = injected(pattern);
      const clean = run({ seed: 9, steps: hackAt + 8 });
      expect(atStep(hacked.events, hackAt - 1)).toEqual(atStep(clean.events, hackAt - 1));
      expect(EXPECTED_VERDICT[pattern]).toMatch(/hacking|collapse|warning/);
    }
  });

  it('format gaming pays full reward for empty tagged answers', () => {
    const late = atStep(injected('format-gaming').events, hackAt + 5);
    expect(late.every((e) => /<answer>\n?\s*(|\.\.\.|-|answer|\?)\s*\n?<\/answer>/.test(e.response ?? ''))).toBe(true);
    expect(Math.min(...rewards(late))).toBeCloseTo(1.1, 9);
  });

  it('mode collapse repeats one string; exploit saturates the reward with zero spread', () => {
    const collapsed = atStep(injected('mode-collapse').events, hackAt + 5);
    expect(new Set(collapsed.map((e) => e.response)).size).toBe(1);
    const exploit = atStep(injected('exploit').events, hackAt + 5);
    expect(new Set(rewards(exploit)).size).toBe(1);
  });

  it('verbosity grows length and adds a cheap length component while correctness stalls', () => {
    const { events } = injected('verbosity');
    const before = mean(atStep(events, hackAt - 1).map((e) => e.length ?? 0));
    const after = mean(atStep(events, hackAt + 6).map((e) => e.length ?? 0));
    expect(after).toBeGreaterThan(2 * before);
    expect(atStep(events, hackAt + 6).every((e) => (e.components?.length ?? 0) > 0)).toBe(true);
  });

  it('truncation pins lengths at the cap with zero reward', () => {
    const late = atStep(injected('truncation').events, hackAt + 5);
    expect(late.every((e) => e.length === 1024 && e.reward === 0)).toBe(true);
  });

  it('kl and entropy blow-ups show in the policy records', () => {
    const kl = injected('kl-blowup').steps;
    expect(kl[hackAt + 7]!.metrics.kl).toBeGreaterThan(20 * kl[hackAt - 1]!.metrics.kl!);
    const entropy = injected('entropy-blowup').steps;
    expect(entropy[hackAt + 7]!.metrics.entropy).toBeGreaterThan(4);
  });

  it('rejects bad config at call time', () => {
    expect(() => simulate({ steps: 0 }).next()).toThrow(RangeError);
    expect(() => simulate({ rewardScale: -1 }).next()).toThrow(RangeError);
  });
});
