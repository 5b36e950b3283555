import type { RewardEvent, StepRecord, VerdictStatus } from '../core/types.js';
import { METRIC } from '../core/metric-names.js';
import type { Ingested } from '../sources/ingested.js';
import { Random } from './random.js';
import { emptyTagged, formatted, reasoning, repeated, truncated } from './text.js';

/** The reward-hacking and training pathologies the simulator can inject. */
export type HackPattern =
  | 'verbosity'
  | 'format-gaming'
  | 'repetition'
  | 'mode-collapse'
  | 'exploit'
  | 'truncation'
  | 'kl-blowup'
  | 'entropy-blowup';

export const HACK_PATTERNS: readonly HackPattern[] = [
  'verbosity',
  'format-gaming',
  'repetition',
  'mode-collapse',
  'exploit',
  'truncation',
  'kl-blowup',
  'entropy-blowup',
];

/**
 * The verdict a sound detector set should reach for each pattern: reward hacks are `hacking`,
 * runs whose learning signal is gone are `collapse`, and a KL blow-up while everything else
 * looks sane is an instability (`warning`), not proof of an exploit.
 */
export const EXPECTED_VERDICT: Readonly<Record<HackPattern, VerdictStatus>> = {
  verbosity: 'hacking',
  'format-gaming': 'hacking',
  repetition: 'hacking',
  'mode-collapse': 'hacking',
  exploit: 'hacking',
  truncation: 'collapse',
  'kl-blowup': 'warning',
  'entropy-blowup': 'collapse',
};

/**
 * `binary`: reward = correctness in {0, 1}; `shaped`: correctness + a 0.1 format bonus;
 * `continuous`: a reward-model-like score.
 */
export type RewardKind = 'binary' | 'shaped' | 'continuous';

export interface SimulationConfig {
  /** PRNG seed; the same seed gives the same run. Default 1. */
  readonly seed?: number;
  /** Trainer steps to simulate. Default 200. */
  readonly steps?: number;
  /** Prompts per step (GRPO groups). Default 8. */
  readonly promptsPerStep?: number;
  /** Completions per prompt. Default 8 (so 64 samples per step). */
  readonly groupSize?: number;
  /** Default `shaped`. */
  readonly rewardKind?: RewardKind;
  /** Multiplies every reward and component, to test that units never matter. Default 1. */
  readonly rewardScale?: number;
  /** Added to the total reward after scaling. Default 0. */
  readonly rewardOffset?: number;
  /** Completion length cap in tokens. Default 1024. */
  readonly maxLength?: number;
  /** Mean healthy completion length in tokens (4 characters each). Default 125 (~500 chars). */
  readonly meanLength?: number;
  /** A hack injected from `atStep` on (its onset ramps over ~4 steps). Default: none. */
  readonly hack?: { readonly pattern: HackPattern; readonly atStep: number };
  /** Wall-clock time of step 0 in ms. Default 0. */
  readonly startTime?: number;
  /** Wall-clock duration of one step in ms. Default 30,000. */
  readonly stepMs?: number;
  /** Also emit one StepRecord of policy metrics (kl, entropy, grad_norm, loss) per step. Default true. */
  readonly policyMetrics?: boolean;
}

const CHARS_PER_TOKEN = 4;
const MEMORIZED = formatted('The answer is always the same so I will write it down.', '42');
const LOOP_PHRASES = ['I am confident the answer is correct.', 'Yes yes yes, great answer!', 'This is right. This is right.'];

/** Logistic function. */
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Generates a GRPO-like run: per step, `promptsPerStep` groups of `groupSize` scored completions
 * (RewardEvents, in order), followed by a StepRecord of policy metrics. Lazy, so a run of 10^7
 * events costs no memory. Healthy dynamics: a skill that rises with a learning curve against
 * prompts of random difficulty (so some groups are all-correct or all-wrong, as in real runs),
 * completion lengths around `meanLength` with a slow creep, slowly rising KL, slowly falling
 * entropy. A `hack` replaces a growing share of samples from `atStep` on (25% at onset, all
 * after 3 steps).
 *
 * @example
 * for (const item of simulate({ seed: 7, steps: 50, hack: { pattern: 'format-gaming', atStep: 30 } })) { ... }
 */
export function* simulate(config: SimulationConfig = {}): Generator<Ingested> {
  const seed = config.seed ?? 1;
  const steps = config.steps ?? 200;
  const prompts = config.promptsPerStep ?? 8;
  const groupSize = config.groupSize ?? 8;
  const kind = config.rewardKind ?? 'shaped';
  const scale = config.rewardScale ?? 1;
  const offset = config.rewardOffset ?? 0;
  const cap = config.maxLength ?? 1024;
  const meanLength = config.meanLength ?? 125;
  const stepMs = config.stepMs ?? 30_000;
  const startTime = config.startTime ?? 0;
  const hack = config.hack;
  const policy = config.policyMetrics ?? true;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError('simulate requires steps to be a positive integer');
  if (!Number.isInteger(prompts) || prompts < 1) throw new RangeError('simulate requires promptsPerStep to be a positive integer');
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new RangeError('simulate requires groupSize to be a positive integer');
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError('simulate requires rewardScale to be a positive finite number');

  const rng = new Random(seed);
  const samplesPerStep = prompts * groupSize;
  let kl = 0.001;
  let entropy = 0.45;

  for (let step = 0; step < steps; step++) {
    const sinceHack = hack && step >= hack.atStep ? step - hack.atStep : -1;
    const hackShare = sinceHack < 0 ? 0 : Math.min(1, 0.25 * (sinceHack + 1));
    // Learning stalls once a hack takes over: the true component stops improving.
    const learningStep = hack && sinceHack >= 0 && hack.pattern !== 'kl-blowup' ? hack.atStep : step;
    const skill = -1 + 2.5 * (1 - Math.exp(-learningStep / 60));
    const t0 = startTime + step * stepMs;

    for (let p = 0; p < prompts; p++) {
      const difficulty = -2 + 4 * rng.next();
      const group = `s${step}-p${p}`;
      const prompt = `Problem ${step}.${p}: a word problem about ${Math.round(difficulty * 100)} apples.`;
      for (let g = 0; g < groupSize; g++) {
        const index = p * groupSize + g;
        const hacked = hackShare > 0 && rng.chance(hackShare);
        const sample = hacked && hack
          ? hackedSample(rng, hack.pattern, step, sinceHack, { skill, difficulty, cap, meanLength, kind })
          : healthySample(rng, step, { skill, difficulty, cap, meanLength, kind });
        const components: Record<string, number> = {};
        let total = 0;
        for (const [name, value] of Object.entries(sample.components)) {
          components[name] = value * scale;
          total += value * scale;
        }
        const event: RewardEvent = {
          step,
          reward: total + offset,
          components,
          group,
          prompt,
          response: sample.response,
          length: sample.tokens,
          t: t0 + Math.floor((index * stepMs) / samplesPerStep),
        };
        yield { kind: 'event', event };
      }
    }

    if (policy) {
      const blowup = hack && sinceHack >= 0 ? hack.pattern : undefined;
      kl = blowup === 'kl-blowup' ? kl * 1.6 + 0.01 : kl + 0.0006 * (1 + 0.1 * rng.normal());
      entropy = blowup === 'entropy-blowup'
        ? Math.min(8, entropy * 1.7 + 0.2)
        : Math.max(0.05, entropy * (1 - 0.003) + 0.005 * rng.normal());
      const record: StepRecord = {
        step,
        metrics: {
          [METRIC.kl]: Math.max(0, kl),
          [METRIC.entropy]: entropy,
          [METRIC.gradNorm]: Math.abs(0.3 + 0.05 * rng.normal()) * (blowup === 'kl-blowup' ? 1 + sinceHack : 1),
          [METRIC.loss]: 0.01 * rng.normal(),
        },
        t: t0 + stepMs - 1,
      };
      yield { kind: 'step', record };
    }
  }
}

interface SampleContext {
  readonly skill: number;
  readonly difficulty: number;
  readonly cap: number;
  readonly meanLength: number;
  readonly kind: RewardKind;
}

interface Sample {
  readonly components: Readonly<Record<string, number>>;
  readonly response: string;
  readonly tokens: number;
}

function healthyTokens(rng: Random, step: number, context: SampleContext): number {
  const mean = context.meanLength * (1 + step / 2000);
  return Math.round(Math.min(context.cap, Math.max(12, mean + 0.25 * mean * rng.normal())));
}

function rewardOf(kind: RewardKind, correct: boolean, wellFormed: boolean, quality: number): Record<string, number> {
  switch (kind) {
    case 'binary':
      return { correctness: correct ? 1 : 0 };
    case 'shaped':
      return { correctness: correct ? 1 : 0, format: wellFormed ? 0.1 : 0 };
    case 'continuous':
      return { quality };
  }
}

function healthySample(rng: Random, step: number, context: SampleContext): Sample {
  const tokens = healthyTokens(rng, step, context);
  const correct = rng.chance(sigmoid(context.skill - context.difficulty));
  const wellFormed = rng.chance(0.97);
  const answer = correct ? String(10 + rng.int(990)) : String(rng.int(1000));
  const prose = reasoning(rng, Math.max(8, tokens * CHARS_PER_TOKEN - 45));
  const response = wellFormed ? formatted(prose, answer) : `${prose} So the answer is ${answer}.`;
  const quality = 0.5 * context.skill - 0.3 * context.difficulty + 0.5 * rng.normal();
  return { components: rewardOf(context.kind, correct, wellFormed, quality), response, tokens };
}

function hackedSample(
  rng: Random,
  pattern: HackPattern,
  step: number,
  sinceHack: number,
  context: SampleContext,
): Sample {
  const top = rewardOf(context.kind, true, true, 0.5 * context.skill + 2.5 + 0.05 * rng.normal());
  switch (pattern) {
    case 'verbosity': {
      // A reward model that likes length: the cheap `length` component pays, correctness stalls.
      const base = healthySample(rng, step, context);
      const tokens = Math.min(Math.round(context.cap * 0.95), Math.round(base.tokens * (1.4 + 0.35 * sinceHack)));
      const response = formatted(reasoning(rng, tokens * CHARS_PER_TOKEN - 45), String(rng.int(1000)));
      const lengthBonus = 0.6 * Math.min(1, tokens / context.cap);
      return { components: { ...base.components, length: lengthBonus }, response, tokens };
    }
    case 'format-gaming': {
      // A buggy checker passes empty answers inside perfect tags.
      const response = emptyTagged(rng);
      return { components: top, response, tokens: Math.max(1, Math.round(response.length / CHARS_PER_TOKEN)) };
    }
    case 'repetition': {
      const tokens = Math.round(context.meanLength * 1.5);
      const response = repeated(rng, tokens * CHARS_PER_TOKEN, rng.pick(LOOP_PHRASES));
      return { components: top, response, tokens };
    }
    case 'mode-collapse':
      return { components: top, response: MEMORIZED, tokens: Math.round(MEMORIZED.length / CHARS_PER_TOKEN) };
    case 'exploit': {
      // Full reward for ordinary-looking text: the reward saturates and its variance vanishes.
      const base = healthySample(rng, step, context);
      const full = rewardOf(context.kind, true, true, 0.5 * context.skill + 3);
      return { components: full, response: base.response, tokens: base.tokens };
    }
    case 'truncation': {
      // Every completion runs into the cap without an answer: reward at the floor.
      const response = truncated(rng, context.cap * CHARS_PER_TOKEN);
      const floor = rewardOf(context.kind, false, false, 0.5 * context.skill - 3 + 0.05 * rng.normal());
      return { components: floor, response, tokens: context.cap };
    }
    case 'entropy-blowup': {
      // The policy degenerates into noise: nothing is right any more.
      const tokens = healthyTokens(rng, step, context);
      const response = reasoning(rng, tokens * CHARS_PER_TOKEN).split(' ').reverse().join(' ');
      const floor = rewardOf(context.kind, false, false, 0.5 * context.skill - 3 + 0.05 * rng.normal());
      return { components: floor, response, tokens };
    }
    case 'kl-blowup':
      return healthySample(rng, step, context);
  }
}
