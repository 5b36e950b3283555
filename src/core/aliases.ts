/**
 * The alias table: every trainer's and version's metric key, mapped onto goodhart's canonical
 * names (core/metric-names), so step-level detectors read `reward/mean` whether TRL wrote
 * `reward`, verl `critic/score/mean` or tunix `rewards/train/score/mean`. docs/schema.md has the
 * full table; TRAINERS.md (shared) is the source for each key.
 *
 * How a raw key is read, in order:
 * 1. Phase prefixes are stripped: TRL's `eval_`, and `train/` / `eval/` that the W&B and
 *    TensorBoard callbacks (and OpenRLHF) add. `eval` keys map to the same canonical names with
 *    phase `eval`.
 * 2. verl validation keys (`val-core/<source>/<var>/<stat>`, `val-aux/...`, old
 *    `val/test_score/<source>` and `test_score/<source>`) become `source/<source>/<var>/<stat>`
 *    with phase `eval`.
 * 3. tunix keys `<prefix>/<mode>/<rest>` (mode `train` or `eval`) lose their mode
 *    (`global/<mode>/<rest>` becomes `<rest>`) and are looked up in tunix's own table first.
 * 4. A unit suffix like verl's `actor/lr(1e-4)` is removed and becomes a scale: the value is
 *    multiplied by it (0.010 in units of 1e-4 is a learning rate of 1e-6).
 * 5. The key is looked up in the table; then reward components: `rewards/<f>/mean`,
 *    `rewards/<f>/std` and TRL v0.14's bare `rewards/<f>` become `reward/<f>/mean|std`.
 *    Canonical names map to themselves, so goodhart's own JSONL passes through unchanged.
 *
 * Precedence: when several raw keys of one row map to the same canonical name, the key listed
 * first for that name in `ALIASES` wins (a canonical name itself beats every alias; tunix's
 * entries come after the general ones); between equal ranks, the first key in the row wins.
 */
import { METRIC } from './metric-names.js';
import type { Phase } from './types.js';
import { setOwn } from './own-key.js';

/** A raw key's canonical reading. */
export interface CanonicalName {
  /** The canonical metric name (`reward/mean`, `length/clip_ratio`, `reward/format/mean`...). */
  readonly name: string;
  /** `eval` for keys logged on held-out data (TRL `eval_`, `eval/`, verl `val-core/`...). */
  readonly phase: Phase;
  /** Multiply the raw value by this to get canonical units (verl `actor/lr(1e-4)`); absent = 1. */
  readonly scale?: number;
}

/**
 * What TRL's `reward_std` holds: `'group'` = the mean of the within-group (per prompt) reward
 * standard deviations (TRL v0.14 to v0.26), mapped to `reward/group_std`; `'batch'` = the
 * standard deviation of the whole batch (TRL v0.27 and later), mapped to `reward/std`.
 */
export type RewardStdKind = 'group' | 'batch';

export interface AliasOptions {
  /**
   * Which statistic TRL's `reward_std` is. Default `'group'`: most TRL logs in the wild predate
   * v0.27, and calling a group std a batch std would hide a collapse (the group std reaches 0
   * while the batch std need not). Use `trlRewardStdKind(version)` when the version is known.
   */
  readonly rewardStd?: RewardStdKind;
}

/** `'batch'` for TRL v0.27 and later (where `reward_std` became the batch std), else `'group'`. */
export function trlRewardStdKind(trlVersion: string): RewardStdKind {
  const match = /^v?(\d+)\.(\d+)/.exec(trlVersion.trim());
  if (match === null) throw new RangeError(`trlRewardStdKind: cannot read TRL version "${trlVersion}"`);
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 0 || minor >= 27 ? 'batch' : 'group';
}

/**
 * Canonical name -> raw keys that mean it, most preferred first. Keys are as trainers write them
 * after step 1-2 above (no `train/`, `eval_` or tunix mode). `reward_std` is handled by option.
 */
export const ALIASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  // Reward (the proxy the policy optimizes): TRL / OpenRLHF `reward`, TRL PPO `objective/scores`
  // (the reward model's score before the KL penalty), verl `critic/score/*` (the verifier's score).
  [METRIC.rewardMean, ['reward', 'objective/scores', 'critic/score/mean', 'rollout/reward_mean', 'score']],
  [METRIC.rewardMin, ['critic/score/min']],
  [METRIC.rewardMax, ['critic/score/max']],
  [METRIC.rewardStd, ['rollout/reward_std']],
  [METRIC.rewardGroupStd, ['group_reward_std']],
  // After the KL penalty: verl `critic/rewards/*`, TRL PPO `objective/rlhf_reward` (score - beta*KL).
  [METRIC.rewardPenalizedMean, ['critic/rewards/mean', 'objective/rlhf_reward']],
  [METRIC.rewardPenalizedMin, ['critic/rewards/min']],
  [METRIC.rewardPenalizedMax, ['critic/rewards/max']],
  [METRIC.rewardKlPenalty, ['objective/non_score_reward']],
  // Groups. `frac_zero_reward_std` was the name in review of TRL PR #3502.
  [METRIC.groupsZeroStdFrac, ['frac_reward_zero_std', 'frac_zero_reward_std']],
  [METRIC.groupsFilterPassRate, ['dynamic_filtering_pass_rate']],
  // Length. TRL v0.17 replaced `completion_length` by `completions/*`; some patched trainers log
  // both, and the newer key wins. verl's non-aborted lengths only stand in when the plain ones
  // are absent.
  [
    METRIC.lengthMean,
    [
      'completions/mean_length',
      'response_length/mean',
      'response_length',
      'completion_length',
      'response_length_non_aborted/mean',
      'rollout/response_length_mean',
    ],
  ],
  [METRIC.lengthMin, ['completions/min_length', 'response_length/min', 'response_length_non_aborted/min']],
  [METRIC.lengthMax, ['completions/max_length', 'response_length/max', 'response_length_non_aborted/max']],
  [
    METRIC.lengthClipRatio,
    [
      'completions/clipped_ratio',
      'response_length/clip_ratio',
      'response_clip_ratio',
      'response_length_non_aborted/clip_ratio',
      'rollout/truncated_rate',
    ],
  ],
  [METRIC.lengthTerminatedMean, ['completions/mean_terminated_length']],
  [METRIC.lengthTerminatedMin, ['completions/min_terminated_length']],
  [METRIC.lengthTerminatedMax, ['completions/max_terminated_length']],
  [METRIC.sequenceLengthMean, ['total_length']],
  // KL to the reference policy. verl logs it as a loss term (`actor/kl_loss`, GRPO-style), as the
  // penalty folded into the reward (`actor/reward_kl_penalty`; older `critic/kl`), or both; the
  // loss term wins because it is what the update regularizes.
  [METRIC.kl, ['objective/kl', 'actor/kl_loss', 'actor/reward_kl_penalty', 'critic/kl']],
  [METRIC.klCoef, ['actor/kl_coef', 'actor/reward_kl_penalty_coeff', 'critic/kl_coeff']],
  // KL between the policy before and after the update: a step-size measure, not drift.
  [METRIC.policyApproxKl, ['policy/approxkl_avg', 'actor/ppo_kl', 'ppo_kl']],
  [METRIC.samplingKl, ['vllm_kl']],
  [METRIC.policyRatio, ['val/ratio']],
  [METRIC.policyRatioVar, ['val/ratio_var']],
  // Entropy per token. Old verl logged the entropy itself as `actor/entropy_loss`; OpenRLHF's
  // `entropy_loss` is the mean token entropy too.
  [METRIC.entropy, ['actor/entropy', 'policy/entropy_avg', 'actor/entropy_loss', 'entropy_loss']],
  [METRIC.entropySequence, ['objective/entropy']],
  [METRIC.entropyCoef, ['actor/entropy_coeff', 'actor/entropy_coef']],
  // Optimizer.
  [METRIC.gradNorm, ['actor/grad_norm', 'actor_grad_norm']],
  [METRIC.learningRate, ['lr', 'actor/lr', 'actor_lr']],
  [METRIC.lossPolicy, ['policy_loss', 'loss/policy_avg', 'actor/pg_loss']],
  [METRIC.lossValue, ['loss/value_avg', 'critic/vf_loss']],
  // Policy ratio clipping. TRL's `clip_ratio/region_mean` is the fraction clipped either way.
  [METRIC.clipRatio, ['clip_ratio/region_mean', 'policy/clipfrac_avg', 'actor/pg_clipfrac', 'ppo_clip_ratio']],
  [METRIC.clipRatioLow, ['clip_ratio/low_mean']],
  [METRIC.clipRatioHigh, ['clip_ratio/high_mean']],
  [METRIC.clipRatioDual, ['actor/pg_clipfrac_lower']],
  [METRIC.clipRatioCispo, ['cispo_clip_ratio']],
  // Value head, advantages, returns.
  [METRIC.valueClipRatio, ['val/clipfrac_avg', 'critic/vf_clipfrac']],
  [METRIC.valueMean, ['critic/values/mean', 'critic/vpred_mean']],
  [METRIC.valueGradNorm, ['critic/grad_norm']],
  [METRIC.advantageMean, ['critic/advantages/mean']],
  [METRIC.advantageMin, ['critic/advantages/min']],
  [METRIC.advantageMax, ['critic/advantages/max']],
  [METRIC.returnMean, ['critic/returns/mean', 'return']],
  [METRIC.returnMin, ['critic/returns/min']],
  [METRIC.returnMax, ['critic/returns/max']],
  [METRIC.samples, ['rollout/num_samples']],
];

/**
 * tunix keys once their mode is removed (`rewards/train/score/mean` -> `rewards/score/mean`).
 * tunix's `rewards/score/*` is the total reward per rollout; `rewards/sum` is the same total
 * reduced per prompt; `rewards/{mean,min,max}` reduce over reward functions first (so
 * `rewards/mean` is total / number of functions, not the reward mean); `rewards/reward/*` is the
 * PPO reward after the KL penalty. Other tunix keys (`completions/mean_length`, `kl`,
 * `rewards/<fn>`, `actor/pg_clipfrac`, `actor/grad_norm`) fall through to the general table.
 */
export const TUNIX_ALIASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  [METRIC.rewardMean, ['rewards/score/mean', 'rewards/sum']],
  [METRIC.rewardMin, ['rewards/score/min']],
  [METRIC.rewardMax, ['rewards/score/max']],
  [METRIC.rewardPerFnMean, ['rewards/mean']],
  [METRIC.rewardPerFnMin, ['rewards/min']],
  [METRIC.rewardPerFnMax, ['rewards/max']],
  [METRIC.rewardPenalizedMean, ['rewards/reward/mean']],
  [METRIC.rewardPenalizedMin, ['rewards/reward/min']],
  [METRIC.rewardPenalizedMax, ['rewards/reward/max']],
  [METRIC.advantageMean, ['rewards/advantage/mean']],
  [METRIC.advantageMin, ['rewards/advantage/min']],
  [METRIC.advantageMax, ['rewards/advantage/max']],
  [METRIC.kl, ['actor/kl', 'kl_loss']],
  [METRIC.loss, ['actor/loss']],
  [METRIC.learningRate, ['actor/learning_rate']],
  [METRIC.lengthMean, ['generation/completions/mean_length']],
  [METRIC.lengthMin, ['generation/completions/min_length']],
  [METRIC.lengthMax, ['generation/completions/max_length']],
];

interface Entry {
  readonly name: string;
  /** Lower wins; canonical names themselves rank -1. */
  readonly rank: number;
}

/** Tunix entries rank after every general alias of the same name. */
const TUNIX_RANK_OFFSET = 100;

const buildTable = (
  aliases: ReadonlyArray<readonly [string, readonly string[]]>,
  rankOffset: number,
): Map<string, Entry> => {
  const table = new Map<string, Entry>();
  for (const [name, keys] of aliases) {
    keys.forEach((key, index) => {
      if (table.has(key)) throw new Error(`alias table: "${key}" listed twice`);
      table.set(key, { name, rank: rankOffset + index });
    });
  }
  return table;
};

const GENERAL = buildTable(ALIASES, 0);
const TUNIX = buildTable(TUNIX_ALIASES, TUNIX_RANK_OFFSET);
for (const name of Object.values(METRIC)) {
  if (GENERAL.has(name)) throw new Error(`alias table: canonical name "${name}" is also an alias`);
  GENERAL.set(name, { name, rank: -1 });
}

/** How one raw key reads: canonical name (if any), phase, whether the phase was explicit. */
interface Reading {
  readonly name: string | undefined;
  readonly phase: Phase;
  /** True when the key itself says its phase (`eval_`, `train/`, `val-core/`, tunix mode). */
  readonly explicit: boolean;
  readonly rank: number;
  readonly scale: number;
}

const TUNIX_KEY = /^([^/]+)\/(train|eval)\/(.+)$/;
const UNIT_SUFFIX = /^(.+)\(([^()]+)\)$/;
const COMPONENT = /^rewards\/([^/]+)(?:\/(mean|std))?$/;
const CANONICAL_COMPONENT = /^reward\/([^/]+)\/(mean|std)$/;
const VERL_VALIDATION = /^val-(core|aux)\/(.+)\/([^/]+)\/([^/]+)$/;
const VERL_OLD_TEST_SCORE = /^(?:val\/)?test_score\/(.+)$/;

function read(rawKey: string, rewardStd: RewardStdKind): Reading {
  let key = rawKey;
  let phase: Phase = 'train';
  let explicit = false;
  if (key.startsWith('eval_')) {
    key = key.slice(5);
    phase = 'eval';
    explicit = true;
  } else if (key.startsWith('eval/')) {
    key = key.slice(5);
    phase = 'eval';
    explicit = true;
  } else if (key.startsWith('train/')) {
    key = key.slice(6);
    explicit = true;
  }

  const validation = VERL_VALIDATION.exec(key);
  if (validation !== null) {
    const [, kind, source, variable, stat] = validation as unknown as [string, string, string, string, string];
    return { name: `source/${source}/${variable}/${stat}`, phase: 'eval', explicit: true, rank: kind === 'core' ? 0 : 1, scale: 1 };
  }
  const testScore = VERL_OLD_TEST_SCORE.exec(key);
  if (testScore !== null) {
    return { name: `source/${testScore[1]!}/reward/mean`, phase: 'eval', explicit: true, rank: 2, scale: 1 };
  }

  let tunix = false;
  const tunixKey = TUNIX_KEY.exec(key);
  if (tunixKey !== null) {
    const [, prefix, mode, rest] = tunixKey as unknown as [string, string, Phase, string];
    key = prefix === 'global' ? rest : `${prefix}/${rest}`;
    phase = mode;
    explicit = true;
    tunix = true;
  }

  let scale = 1;
  const unit = UNIT_SUFFIX.exec(key);
  if (unit !== null) {
    const factor = Number(unit[2]);
    if (Number.isFinite(factor) && factor !== 0) {
      key = unit[1]!;
      scale = factor;
    }
  }

  const entry = (tunix ? TUNIX.get(key) : undefined) ?? GENERAL.get(key);
  if (entry !== undefined) return { name: entry.name, phase, explicit, rank: entry.rank, scale };
  if (key === 'reward_std') {
    return { name: rewardStd === 'batch' ? METRIC.rewardStd : METRIC.rewardGroupStd, phase, explicit, rank: 0, scale };
  }
  const canonicalComponent = CANONICAL_COMPONENT.exec(key);
  if (canonicalComponent !== null) return { name: key, phase, explicit, rank: -1, scale };
  const component = COMPONENT.exec(key);
  if (component !== null) {
    const stat = component[2] ?? 'mean';
    // `rewards/<f>/mean` (v0.17+) beats the bare v0.14 `rewards/<f>`.
    return { name: `reward/${component[1]!}/${stat}`, phase, explicit, rank: component[2] === undefined ? 1 : 0, scale };
  }
  return { name: undefined, phase, explicit, rank: 0, scale };
}

/** Readings are pure functions of the key: cache them (bounded, cleared when full). */
const CACHE_LIMIT = 16_384;
const caches: Record<RewardStdKind, Map<string, Reading>> = { group: new Map(), batch: new Map() };

function cachedRead(rawKey: string, rewardStd: RewardStdKind): Reading {
  const cache = caches[rewardStd];
  let reading = cache.get(rawKey);
  if (reading === undefined) {
    reading = read(rawKey, rewardStd);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(rawKey, reading);
  }
  return reading;
}

/**
 * The canonical name and phase of one raw metric key, or `undefined` when the key is not a
 * metric goodhart knows (timings, memory, throughput...). O(length of key), cached.
 *
 * @example
 * canonicalMetricName('eval_completions/mean_length') // => { name: 'length/mean', phase: 'eval' }
 * canonicalMetricName('actor/lr(1e-4)') // => { name: 'learning_rate', phase: 'train', scale: 0.0001 }
 */
export function canonicalMetricName(rawKey: string, options?: AliasOptions): CanonicalName | undefined {
  const reading = cachedRead(rawKey, options?.rewardStd ?? 'group');
  if (reading.name === undefined) return undefined;
  return reading.scale === 1
    ? { name: reading.name, phase: reading.phase }
    : { name: reading.name, phase: reading.phase, scale: reading.scale };
}

/** A trainer row read through the alias table. */
export interface CanonicalMetrics {
  /**
   * Canonical name -> finite value. Keys of the row's own phase appear under their canonical
   * name; keys of the other phase in the same row (verl logs validation beside training) appear
   * as `<phase>/<name>` (`eval/source/openai/gsm8k/reward/mean@1`), so nothing is lost.
   */
  readonly metrics: Record<string, number>;
  /** Every finite numeric value of the row, under its key as written (unscaled). */
  readonly raw: Record<string, number>;
  /** Values that were `null`, NaN or infinite: missing, never averaged in. */
  readonly missing: number;
  /**
   * `eval` when some key says eval (`eval_`, `eval/`, `val-core/`, tunix `eval` mode) and no
   * known metric or explicit key says train; otherwise `train`.
   */
  readonly phase: Phase;
}

/**
 * Maps one trainer row (a `log_history` entry, a parsed stdout dict, a verl console line) onto
 * canonical metric names. Non-numeric values (strings, booleans, objects) are ignored; `null`,
 * NaN and ±Infinity count as missing. O(keys), allocation: the three result objects.
 *
 * @example
 * canonicalizeMetrics({ reward: 0.5, completion_length: 300, 'completions/mean_length': 310, kl: null })
 * // => { metrics: { 'reward/mean': 0.5, 'length/mean': 310 },
 * //      raw: { reward: 0.5, completion_length: 300, 'completions/mean_length': 310 }, missing: 1, phase: 'train' }
 */
export function canonicalizeMetrics(row: Readonly<Record<string, unknown>>, options?: AliasOptions): CanonicalMetrics {
  const rewardStd = options?.rewardStd ?? 'group';
  const raw: Record<string, number> = {};
  let missing = 0;
  let saysEval = false;
  let saysTrain = false;
  const keys = Object.keys(row);
  for (const key of keys) {
    const value = row[key];
    if (typeof value === 'number') {
      if (Number.isFinite(value)) setOwn(raw, key, value);
      else missing++;
    } else if (value === null) missing++;
    const reading = cachedRead(key, rewardStd);
    if (reading.phase === 'eval') {
      if (reading.explicit) saysEval = true;
    } else if (reading.explicit || reading.name !== undefined) saysTrain = true;
  }
  const phase: Phase = saysEval && !saysTrain ? 'eval' : 'train';

  const metrics: Record<string, number> = {};
  const ranks: Record<string, number> = {};
  for (const key in raw) {
    const reading = cachedRead(key, rewardStd);
    if (reading.name === undefined) continue;
    const name = reading.phase === phase ? reading.name : `${reading.phase}/${reading.name}`;
    const held = Object.hasOwn(ranks, name) ? ranks[name] : undefined;
    if (held !== undefined && held <= reading.rank) continue;
    setOwn(ranks, name, reading.rank);
    setOwn(metrics, name, raw[key]! * reading.scale);
  }
  return { metrics, raw, missing, phase };
}
