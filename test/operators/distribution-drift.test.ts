import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/sim/random.js';
import { distributionDrift, distributionDriftConditions, type DistributionDriftConfig } from '../../operators/distribution-drift.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import type { Condition } from '../../src/core/condition.js';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { RewardIsTruth } from '../../src/detectors/distribution-drift.js';
import { ksStatistics } from '../../src/kernels/ks-statistic.js';
import type { HackPattern, RewardKind } from '../../src/sim/simulate.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { simEvents } from './sim-helpers.js';
import { realSteps, warnings } from './real-steps.js';

const record = (step: number, length: number, reward?: number): StepRecord => ({
  step,
  metrics: { 'length/mean': length, ...(reward === undefined ? {} : { 'reward/mean': reward }) },
});
const run = <T, R>(items: readonly T[], op: (s: Observable<T>) => Observable<R>): Promise<R[]> => lastValueFrom(op(from(items)).pipe(toArray()));

const sim = (seed: number, options: { hack?: HackPattern; rewardKind?: RewardKind; rewardScale?: number; steps?: number } = {}): RewardEvent[] =>
  simEvents({
    seed,
    steps: options.steps ?? 200,
    rewardKind: options.rewardKind ?? 'shaped',
    rewardScale: options.rewardScale ?? 1,
    ...(options.hack === undefined ? {} : { hack: { pattern: options.hack, atStep: 60 } }),
  });

describe('distributionDrift', () => {
  it('should warn exploit once the recent lengths leave the reference while the reward stays pinned (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const lengths = [210, 212, 208, 211, 209, 215, 330, 450, 610];
      const rewards = [0.5, 0.7, 0.93, 0.93, 0.93, 0.93, 0.93, 0.93, 0.93];
      const values = Object.fromEntries(lengths.map((length, i) => [String.fromCharCode(97 + i), record(i, length, rewards[i])]));
      const source = cold<StepRecord>('-a-b-c-d-e-f-g-h-i-|', values);
      const expected = '-------------w-----|';
      expectObservable(source.pipe(distributionDrift({ reference: 4, recent: 2, alpha: 0.2, gainReference: 3, gainRecent: 2 }), map(brief))).toBe(expected, {
        w: 'onset@6/6:warning',
      });
    });
  });

  it('finds the real verl length explosion: reward flat at 0.93 while mean length rose ~210 -> 611 tokens', async () => {
    const steps = await realSteps('verl-gpg_qwen2-7b_math_length_explosion.log');
    const conditions = await run(steps, distributionDriftConditions());
    const exploits = conditions.filter((c) => c.active && c.signal === 'exploit');
    expect(exploits[0]!.step).toBe(160); // 156-160 all above every length of the 20 steps before: D = 1
    expect(conditions.filter((c) => c.active && c.step < 160)).toEqual([]);
    const at165 = conditions.find((c) => c.step === 165)!;
    expect(at165).toMatchObject({ active: true, severity: 'warning', signal: 'exploit' });
    expect(at165.message).toMatch(/^reward flat at 0\.9\d+ while mean length rose 210 -> 611 tokens in 9 steps \(KS D 1 > 0\.975, p 3\.76e-5/);
    // The p-value is the exact two-sample one for D = 1 with 20 vs 5 values: 2 / C(25, 5).
    expect(at165.evidence.stats.pValue).toBeCloseTo(2 / 53130, 12);
    const alerts = await run(steps, distributionDrift());
    expect(warnings(alerts)[0]).toMatchObject({ step: 160, state: 'onset', signal: 'exploit' });
  });

  it('keeps the healthy verl PPO log (lengths 130-155 tokens, reward rising) below warning', async () => {
    const steps = await realSteps('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    const conditions = await run(steps, distributionDriftConditions());
    expect(conditions.length).toBeGreaterThan(70);
    expect(conditions.filter((c) => c.active)).toEqual([]);
  });

  it("flags the simulator's verbosity hack within a few steps, from samples and from summarized steps", async () => {
    for (const seed of [1, 2, 3]) {
      const events = sim(seed, { hack: 'verbosity', steps: 90 });
      // The drift may open as info for a step or two before the exploit shows: the reward's gain
      // must be significant beside the true component's lack of one (a reward that is merely high
      // is not enough once a true component is known).
      const alerts = warnings(await run(events, distributionDrift()));
      expect(alerts[0]).toMatchObject({ signal: 'exploit', severity: 'warning' });
      expect(alerts[0]!.step).toBeGreaterThanOrEqual(60);
      expect(alerts[0]!.step).toBeLessThanOrEqual(66);
      expect(alerts[0]!.message).toMatch(/^correctness (flat|falling) at [\d.]+, reward [\d.]+ -> [\d.]+, while mean length rose \d+ -> \d+ tokens/);
      expect(alerts[0]!.evidence.samples).toHaveLength(5);
      const stepAlerts = warnings(await run(events, (s) => s.pipe(summarizeSteps(), distributionDrift())));
      expect(stepAlerts[0]).toMatchObject({ signal: 'exploit' });
      expect(stepAlerts[0]!.step).toBeLessThanOrEqual(66);
    }
  });

  it('calls a length rise that comes with a true gain info, and a length drop info', async () => {
    const rising = Array.from({ length: 40 }, (_, i) => record(i, i < 30 ? 200 + (i % 3) : 400 + i, i < 30 ? 0.5 + 0.005 * i : 0.9));
    const gain = await run(rising, distributionDriftConditions({ gainReference: 10, gainRecent: 3 }));
    expect(gain.some((c) => c.active)).toBe(true);
    // With the reward jumping 0.65 -> 0.9 along with the lengths, the drift is not an exploit.
    expect(gain.filter((c) => c.severity === 'warning')).toEqual([]);
    const falling = Array.from({ length: 40 }, (_, i) => record(i, i < 30 ? 200 + (i % 3) : 100, 0.93));
    const drop = await run(falling, distributionDriftConditions());
    const active = drop.filter((c) => c.active);
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((c) => c.severity === 'info' && c.message.startsWith('length drifting: mean length fell'))).toBe(true);
  });

  it('does not call a drift beside a saturated format bonus and a slowly learning task an exploit', async () => {
    // A format + accuracy run logged every 10 steps: the format bonus saturated long ago (1.0), so
    // the reward sits in the top of its range while accuracy creeps 0.50 -> 0.53 under its noise;
    // answers grow 400 -> 1180 tokens (batch noise sd 10). "Reward high, truth shows no significant
    // gain" held on every record and called this an exploit; the reward gains nothing the truth
    // does not share.
    const rng = new Random(3);
    const records: StepRecord[] = Array.from({ length: 40 }, (_, i) => {
      const accuracy = 0.5 + 0.00075 * i + 0.02 * rng.normal();
      return {
        step: 10 * (i + 1),
        metrics: { 'length/mean': 400 + 20 * i + 10 * rng.normal(), 'reward/accuracy_reward/mean': accuracy, 'reward/format_reward/mean': 1, 'reward/mean': accuracy + 1 },
      };
    });
    const conditions = await run(records, distributionDriftConditions());
    expect(conditions.filter((c) => c.active).length).toBeGreaterThan(5);
    expect(conditions.filter((c) => c.signal === 'exploit')).toEqual([]);
    // A format bonus still being learned while answers grow: the reward gains beside a flat
    // accuracy, but its steps do not follow the length's, so the gain is not the length's doing.
    const learning = records.map((r, i) => {
      const format = 1 - Math.exp(-i / 12) + 0.01 * rng.normal();
      return { step: r.step, metrics: { ...r.metrics, 'reward/format_reward/mean': format, 'reward/mean': r.metrics['reward/accuracy_reward/mean']! + format } };
    });
    const whileLearning = await run(learning, distributionDriftConditions());
    expect(whileLearning.filter((c) => c.active).length).toBeGreaterThan(5);
    expect(whileLearning.filter((c) => c.signal === 'exploit')).toEqual([]);
    // The same drift while a length bonus pays (0.001 per token beyond 400) is an exploit: the
    // reward gains where accuracy does not, and its steps follow the length's.
    const paid = records.map((r) => {
      const bonus = 0.001 * (r.metrics['length/mean']! - 400);
      return { step: r.step, metrics: { ...r.metrics, 'reward/length_bonus/mean': bonus, 'reward/mean': r.metrics['reward/mean']! + bonus } };
    });
    const exploit = (await run(paid, distributionDriftConditions())).find((c) => c.signal === 'exploit');
    expect(exploit?.message).toMatch(/; the reward beyond accuracy_reward moves with the length \(\+0\.1 per 100 tokens, an exact fit over 19 step changes\)$/);
    expect(exploit!.evidence.stats.couplingSlope).toBeCloseTo(0.001, 4);
    // Lengths that grew from the first record never sat near a reference: the episode is dated
    // from that record (step 10), not from the step it was found at ("in 0 steps").
    expect(exploit!.message).toContain(` tokens in ${exploit!.step - 10} steps (KS D`);
  });

  describe('a reward with no true component (a reward model, or a score logged without component names)', () => {
    // Logged every 10 steps: answers grow 400 -> 1180 tokens with batch noise (sd 15).
    const rng = new Random(8);
    const lengths = Array.from({ length: 40 }, (_, i) => 400 + 20 * i + 15 * rng.normal());
    const recordsWith = (reward: (i: number) => number): StepRecord[] =>
      lengths.map((length, i) => ({ step: 10 * (i + 1), metrics: { 'length/mean': length, 'reward/mean': reward(i) } }));

    it('warns exploit when the reward rises with the length step after step (a reward model that likes length)', async () => {
      const rm = recordsWith((i) => 0.2 + 0.0005 * lengths[i]! + 0.005 * rng.normal());
      const exploit = (await run(rm, distributionDriftConditions())).find((c) => c.signal === 'exploit');
      expect(exploit?.message).toMatch(
        /^reward rose [\d.]+ -> [\d.]+ with the length, mean length rose \d+ -> \d+ tokens in \d+ steps \(KS D .*\); the reward moves with the length \(\+0\.0\d+ per 100 tokens, rank t [\d.]+ over 19 step changes\)$/,
      );
      expect(exploit!.evidence.stats.couplingRankT).toBeGreaterThanOrEqual(4.5);
    });

    it('keeps its false-alarm rate near 1% over long drift episodes of a learning curve deaf to the length', async () => {
      // 400 episodes of 40 records, each a drift from record 25 on, the reward still climbing under
      // its noise. Two rules were wrong here: "reward flat" read as "no significant gain" (5% of
      // episodes warned "reward flat at 0.6 while mean length rose"), and the coupling tested at
      // every drifting step with a single test's t of 3 (5-6%).
      const noise = new Random(21);
      let warned = 0;
      for (let episode = 0; episode < 400; episode++) {
        const records = Array.from({ length: 40 }, (_, i) => ({
          step: i + 1,
          metrics: { 'length/mean': 400 + 20 * i + 15 * noise.normal(), 'reward/mean': 0.3 + 0.4 * (1 - Math.exp(-i / 15)) + 0.01 * noise.normal() },
        }));
        if ((await run(records, distributionDriftConditions())).some((c) => c.signal === 'exploit')) warned++;
      }
      expect(warned / 400).toBeLessThanOrEqual(0.015);
    });

    it('shows a noisy reward flat over the steps since the drift began, and warns of the length explosion beside it', async () => {
      // Learned early (0.3 -> 0.8 in 20 steps), then flat at 0.8 with step noise 0.04 while lengths
      // explode 300 -> 900 from record 40 on: found in each of 20 runs within 6 steps. (An
      // equivalence test, the rise's upper bound under 10% of the range, missed 2 of them.)
      const noise = new Random(4);
      const found: number[] = [];
      for (let run_ = 0; run_ < 20; run_++) {
        const records = Array.from({ length: 70 }, (_, i) => ({
          step: i + 1,
          metrics: {
            'length/mean': (i < 40 ? 300 : Math.min(900, 300 + 40 * (i - 39))) + 10 * noise.normal(),
            'reward/mean': 0.3 + 0.5 * Math.min(1, i / 20) + 0.04 * noise.normal(),
          },
        }));
        const exploit = (await run(records, distributionDriftConditions())).find((c) => c.signal === 'exploit');
        if (exploit === undefined) continue;
        expect(exploit.message).toMatch(/^reward flat at 0\.[78]\d* while mean length rose/);
        found.push(exploit.step);
      }
      expect(found.length).toBe(20);
      expect(Math.max(...found)).toBeLessThanOrEqual(46);
    });

    it('calls a score that rises by learning, deaf to the batch length, info; one step where both jumped is no coupling', async () => {
      const learning = recordsWith((i) => 0.3 + 0.4 * (1 - Math.exp(-i / 15)) + 0.01 * rng.normal());
      const conditions = await run(learning, distributionDriftConditions());
      expect(conditions.filter((c) => c.active).length).toBeGreaterThan(5);
      expect(conditions.filter((c) => c.signal === 'exploit')).toEqual([]);
      // A new strategy, longer and better, arriving at once: score and length jump in one step.
      const jump = lengths.map((_, i) => ({
        step: 10 * (i + 1),
        metrics: { 'length/mean': i < 30 ? 400 + 15 * rng.normal() : 700 + 15 * rng.normal(), 'reward/mean': (i < 30 ? 0.5 : 0.7) + 0.01 * rng.normal() },
      }));
      const jumped = await run(jump, distributionDriftConditions());
      expect(jumped.some((c) => c.active)).toBe(true);
      expect(jumped.filter((c) => c.signal === 'exploit')).toEqual([]);
      // The least-squares t alone would have called it: the one joint jump carries it.
      expect(Math.max(...jumped.map((c) => c.evidence.stats.couplingT ?? 0))).toBeGreaterThanOrEqual(4.5);
    });
  });

  describe('sample input: the reward against each sample\'s length within its step', () => {
    // 64 samples a step for 70 steps; mean length 300 until step 40, then growing 4% a step
    // (sd 30% within a step). `reward` builds each sample's reward from its length and correctness.
    // Learning that comes with the longer answers: 0.4 -> 0.8 over steps 30-70.
    const learning = (step: number): number => 0.4 + 0.4 * Math.min(1, Math.max(0, (step - 30) / 40));
    const samplesOf = (
      seed: number,
      accuracy: (step: number) => number,
      reward: (length: number, correct: number, rng: Random, step: number) => { reward: number; components?: Record<string, number> },
    ): RewardEvent[] => {
      const rng = new Random(seed);
      const events: RewardEvent[] = [];
      for (let step = 0; step < 70; step++) {
        const mean = step < 40 ? 300 : 300 * 1.04 ** (step - 40);
        for (let i = 0; i < 64; i++) {
          const length = Math.max(10, Math.round(mean * (1 + 0.3 * rng.normal())));
          const correct = rng.chance(accuracy(step)) ? 1 : 0;
          events.push({ step, length, ...reward(length, correct, rng, step) });
        }
      }
      return events;
    };
    const firstExploit = async (events: RewardEvent[]): Promise<Condition | undefined> =>
      (await run(events, distributionDriftConditions())).find((c) => c.signal === 'exploit');

    it('warns when a reward model pays for length that step means bury in the accuracy noise', async () => {
      // One score, no components: correctness (flat at 0.5) plus 0.05 per 100 tokens plus noise.
      const exploit = await firstExploit(samplesOf(1, () => 0.5, (length, correct, rng) => ({ reward: correct + 0.0005 * length + 0.1 * rng.normal() })));
      expect(exploit?.message).toMatch(/^reward rose [\d.]+ -> [\d.]+ with the length, mean length rose .*; within steps the reward follows the length \(\+0\.0[45]\d* per 100 tokens, t [\d.]+ over \d+ samples\), buying [\d.]+ of the [\d.]+ gain$/);
      expect(exploit!.step).toBeLessThanOrEqual(65);
      // With a true component logged: the reward beyond it follows the length.
      const withTruth = await firstExploit(
        samplesOf(2, () => 0.5, (length, correct, rng) => {
          const style = 0.0005 * length + 0.1 * rng.normal();
          return { reward: correct + style, components: { accuracy: correct, style_rm: style } };
        }),
      );
      expect(withTruth?.message).toMatch(/; within steps the reward beyond accuracy follows the length \(\+0\.0[45]\d* per 100 tokens/);
    });

    it('compares samples within their prompt group: prompts that ask for long answers and score higher are no length pay', async () => {
      // 8 prompts of 8 samples a step. Half ask for long-form answers: 3x the length of the others
      // and 0.3 more from the reward model, whatever the length within the prompt. Across the step,
      // longer means better; within a prompt, length buys nothing. Answers grow and the task learns.
      for (const seed of [6, 7, 8]) {
        const rng = new Random(seed);
        const events: RewardEvent[] = [];
        for (let step = 0; step < 70; step++) {
          const mean = step < 40 ? 300 : 300 * 1.04 ** (step - 40);
          for (let prompt = 0; prompt < 8; prompt++) {
            const longForm = prompt % 2 === 0;
            for (let i = 0; i < 8; i++) {
              const length = Math.max(10, Math.round(mean * (longForm ? 1.5 : 0.5) * (1 + 0.3 * rng.normal())));
              const correct = rng.chance(learning(step)) ? 1 : 0;
              events.push({ step, group: `${step}-${prompt}`, length, reward: correct + (longForm ? 0.3 : 0) + 0.1 * rng.normal() });
            }
          }
        }
        const conditions = await run(events, distributionDriftConditions());
        expect(conditions.filter((c) => c.active).length).toBeGreaterThan(5);
        // With one intercept per step, all 40 of 40 seeds called this an exploit "within steps".
        expect(conditions.filter((c) => c.signal === 'exploit' && c.message.includes('within steps'))).toEqual([]);
        expect(Math.max(...conditions.map((c) => c.evidence.stats.withinT ?? 0))).toBeLessThan(4.5);
        // The same pay inside each prompt is still found.
        const paid = events.map((e) => ({ ...e, reward: e.reward! + 0.0005 * e.length! }));
        expect((await run(paid, distributionDriftConditions())).some((c) => c.signal === 'exploit' && c.message.includes('within steps'))).toBe(true);
      }
    });

    it('stays quiet while answers grow beside a verifier (longer answers slightly more often wrong) or a format bonus deaf to length', async () => {
      for (const seed of [3, 4, 5]) {
        const verifier = samplesOf(seed, learning, (length, correct, rng) => ({ reward: length > 600 && rng.chance(0.2) ? 0 : correct }));
        const formatted = samplesOf(seed, learning, (_, correct, rng, step) => {
          const format = rng.chance(Math.min(1, 0.5 + 0.01 * step)) ? 0.5 : 0;
          return { reward: correct + format, components: { accuracy: correct, format } };
        });
        for (const events of [verifier, formatted]) {
          const conditions = await run(events, distributionDriftConditions());
          expect(conditions.filter((c) => c.active).length).toBeGreaterThan(5);
          expect(conditions.filter((c) => c.signal === 'exploit')).toEqual([]);
        }
      }
    });
  });

  describe('a reward that is the true component alone (verifier-only)', () => {
    // An R1-zero style run logged every 10 trainer steps: answers grow steadily 400 -> 1180 tokens
    // while accuracy climbs and saturates (0.3 -> ~0.55). The whole drift window spans 250 steps.
    const n = 40;
    // Batch-to-batch length noise (a fixed pseudo-random wobble): a reward that pays for length
    // follows it, one that does not stays deaf to it.
    const lengthAt = (i: number): number => 400 + 20 * i + 15 * Math.sin(2.3 * i);
    const accuracyAt = (i: number): number => 0.55 - 0.25 * Math.exp(-i / 8) + 0.01 * Math.sin(1.7 * i);
    const records = (extra: (i: number) => Record<string, number>): StepRecord[] =>
      Array.from({ length: n }, (_, i) => ({
        step: 10 * (i + 1),
        metrics: { 'length/mean': lengthAt(i), 'reward/accuracy_reward/mean': accuracyAt(i), 'reward/mean': accuracyAt(i), ...extra(i) },
      }));

    it('calls a steady length growth beside a saturating accuracy info: nothing but solving pays', async () => {
      const conditions = await run(records(() => ({})), distributionDriftConditions());
      const active = conditions.filter((c) => c.active);
      expect(active.length).toBeGreaterThan(5); // the drift is real (D = 1, window mean +25% or more)
      expect(active.every((c) => c.severity === 'info' && c.signal === 'info')).toBe(true);
      expect(active.at(-1)!.message).toMatch(/^length drifting: mean length rose .*; the reward is accuracy_reward alone, so only solving pays$/);
      expect(active.at(-1)!.evidence.stats.rewardIsTrue).toBe(1);
      // Sample input: the same run, one sample per step with reward = accuracy.
      const events: RewardEvent[] = records(() => ({})).map((r) => ({
        step: r.step,
        length: r.metrics['length/mean']!,
        reward: r.metrics['reward/mean']!,
        components: { accuracy_reward: r.metrics['reward/mean']! },
      }));
      const fromSamples = await run(events, distributionDriftConditions({ reference: 20, recent: 5 }));
      expect(fromSamples.some((c) => c.active)).toBe(true);
      expect(fromSamples.filter((c) => c.severity === 'warning')).toEqual([]);
    });

    it('keeps a reward weighted once (reward = 2 x accuracy) verifier-only', async () => {
      const doubled = records(() => ({})).map((r) => ({ ...r, metrics: { ...r.metrics, 'reward/mean': 2 * r.metrics['reward/mean']! } }));
      const conditions = await run(doubled, distributionDriftConditions());
      expect(conditions.some((c) => c.active)).toBe(true);
      expect(conditions.filter((c) => c.severity === 'warning')).toEqual([]);
    });

    it('still warns exploit when the reward has another part (a length bonus) or is a score of its own beside a logged gold component', async () => {
      const bonusAt = (i: number): number => 0.1 + 0.0001 * (lengthAt(i) - 400);
      const bonus = records((i) => ({ 'reward/length_bonus/mean': bonusAt(i), 'reward/mean': accuracyAt(i) + bonusAt(i) }));
      const withBonus = await run(bonus, distributionDriftConditions());
      expect(withBonus.find((c) => c.signal === 'exploit')?.message).toMatch(/moves with the length \(\+0\.01 per 100 tokens, an exact fit over 19 step changes\)$/);
      // One logged component, but the reward is not it: a reward model that likes length, scored
      // beside a gold accuracy.
      const rm = records((i) => ({ 'reward/mean': 0.4 + 0.25 * (1 - Math.exp(-i / 8)) + 0.01 * Math.cos(1.3 * i) + 0.0005 * (lengthAt(i) - 400) }));
      const withRm = await run(rm, distributionDriftConditions());
      const exploit = withRm.find((c) => c.signal === 'exploit');
      expect(exploit?.message).toMatch(/^accuracy_reward (flat|falling) at [\d.]+, reward [\d.]+ -> [\d.]+, while mean length rose/);
      expect(exploit!.evidence.stats.rewardIsTrue).toBeUndefined();
    });
  });

  describe('RewardIsTruth', () => {
    it('holds while reward = w x truth (to 0.1%), and turns false for good at the first pair that differs', () => {
      const same = new RewardIsTruth();
      expect(same.value).toBe(false); // nothing seen: no evidence the reward is the truth
      same.add(0, 0);
      same.add(0.5, 0.25);
      same.add(1.0002, 0.5); // w = 2, 0.02% off: float noise / printed digits
      expect(same.value).toBe(true);
      same.add(0.3, 0); // paid without the true component: another part
      expect(same.value).toBe(false);
      same.add(0.5, 0.25);
      expect(same.value).toBe(false);
      const off = new RewardIsTruth();
      off.add(0.5, 0.5);
      off.add(0.62, 0.6);
      expect(off.value).toBe(false);
    });
  });

  it('computes the tie-exact KS statistic of the windows (integer lengths with ties)', async () => {
    const lengths = [5, 5, 6, 6, 7, 5, 6, 9, 9, 9, 9, 5];
    const events: RewardEvent[] = lengths.map((length, step) => ({ step, length }));
    const conditions = await run(events, distributionDriftConditions({ reference: 6, recent: 4, minChange: 10 }));
    const last = conditions.at(-1)!; // judged at completion: reference = values 2..7, recent = 8..11
    const expected = ksStatistics(lengths.slice(2, 8), lengths.slice(8)).statistic;
    expect(last.evidence.stats.d).toBeCloseTo(expected, 15);
    expect(last.active).toBe(false); // minChange 10: significant or not, the effect floor is not met
  });

  it('cites the 5 longest samples of the drifting step, longest first, ties in arrival order', async () => {
    // 8 calm steps of 4 samples (length 10), then a step of 7 longer ones: windows 16 + 8 values.
    const events: RewardEvent[] = [];
    for (let step = 0; step < 8; step++) for (let i = 0; i < 4; i++) events.push({ step, length: 10, reward: 0.5, group: `g${step}` });
    const last = [40, 90, 60, 90, 20, 75, 60];
    last.forEach((length, i) => events.push({ step: 8, length, reward: 0.5, group: `late-${i}`, response: `r${i}` }));
    const conditions = await run(events, distributionDriftConditions({ reference: 16, recent: 7, alpha: 0.5 }));
    const judged = conditions.at(-1)!;
    expect(judged).toMatchObject({ step: 8, active: true });
    expect(judged.evidence.samples!.map((s) => [s.length, s.group, s.response])).toEqual([
      [90, 'late-1', 'r1'],
      [90, 'late-3', 'r3'],
      [75, 'late-5', 'r5'],
      [60, 'late-2', 'r2'],
      [60, 'late-6', 'r6'],
    ]);
    expect(judged.evidence.samples![0]).toEqual({ step: 8, length: 90, group: 'late-1', reward: 0.5, response: 'r1' });
  });

  it('holds the reference while a drift lasts, so a lasting length explosion stays one episode', async () => {
    const steps = await realSteps('verl-gpg_qwen2-7b_math_length_explosion.log');
    const conditions = await run(steps, distributionDriftConditions());
    // Lengths stay ~600-660 to the end (step 210): a lagging reference would have caught up by ~185.
    expect(conditions.filter((c) => c.step >= 160).every((c) => c.active)).toBe(true);
    const alerts = await run(steps, distributionDrift());
    expect(alerts.filter((a) => a.state === 'onset')).toHaveLength(1);
  });

  it('stays quiet on healthy simulated runs (binary, shaped, continuous; reward scales 10 and 0.01)', async () => {
    const kinds: RewardKind[] = ['binary', 'shaped', 'continuous'];
    for (const seed of [1, 2]) {
      for (const rewardKind of kinds) {
        for (const rewardScale of [1, 10, 0.01]) {
          const conditions = await run(sim(seed, { rewardKind, rewardScale }), distributionDriftConditions());
          expect(conditions.length).toBeGreaterThan(150);
          expect(conditions.filter((c) => c.active)).toEqual([]);
        }
      }
    }
  });
});

const checklistItems: RewardEvent[] = [100, 101, 100, 102, 100, 101, 300, 300, 300, 300, 300, 300].map((length, step) => ({ step, length }));

checklist<RewardEvent | StepRecord, DistributionDriftConfig>('distributionDrift', {
  operator: (config) => distributionDrift(config),
  config: { reference: 6, recent: 3, alpha: 0.1 },
  items: checklistItems,
  throwingSelect: (error) => ({
    reference: 6,
    recent: 3,
    select: () => {
      throw error;
    },
  }),
  badConfigs: [
    [{ reference: 0 }, RangeError, 'reference must be an integer >= 1'],
    [{ recent: 1.5 }, RangeError, 'recent must be an integer >= 1'],
    [{ alpha: 0 }, RangeError, 'alpha must lie in (0, 1)'],
    [{ minChange: -1 }, RangeError, 'minChange must be a finite number > 0'],
    [{ kernel: 'tree' as 'integer' }, TypeError, 'kernel must be one of integer, value'],
    [{ metric: '' }, TypeError, 'metric must be a non-empty string'],
    [{ select: 3 as unknown as () => number }, TypeError, 'select must be a function'],
    [{ true: 0 as unknown as string }, TypeError, 'true must be a component name'],
    [{ hysteresis: { cooldown: -1 } }, RangeError, 'cooldown'],
  ],
});
