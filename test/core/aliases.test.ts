import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { ALIASES, canonicalMetricName, canonicalizeMetrics, trlRewardStdKind, TUNIX_ALIASES } from '../../src/core/aliases.js';
import { METRIC } from '../../src/core/metric-names.js';
import { realdata, repoRoot } from '../support/paths.js';

// ------------------------------------------------------------------------------------------
// Every key of every real trainer file in ../shared/realdata.

type Row = Record<string, unknown>;

/** Test-local extractors: just enough of each format to list its metric keys and rows. */
const logHistoryRows = (file: string): Row[] => {
  const json = JSON.parse(readFileSync(realdata(file), 'utf8')) as { log_history?: Row[] } | Row[];
  return Array.isArray(json) ? json : json.log_history ?? [];
};

/** TRL stdout: Python dict repr lines (`{'loss': 0.1, ...}`) among tqdm noise. */
const trlStdoutKeys = (file: string): Set<string> => {
  const keys = new Set<string>();
  for (const line of readFileSync(realdata(file), 'utf8').split(/[\r\n]+/)) {
    const dict = /\{'.*\}/.exec(line);
    if (dict === null) continue;
    for (const match of dict[0].matchAll(/'([^']+)':/g)) keys.add(match[1]!);
  }
  return keys;
};

/** verl console: `step:N - key:value - key:value` after an ANSI colour and a Ray prefix. */
const verlConsoleRows = (file: string): Row[] => {
  const rows: Row[] = [];
  for (const line of readFileSync(realdata(file), 'utf8').split('\n')) {
    const at = line.indexOf('step:');
    if (at < 0) continue;
    const row: Row = {};
    for (const part of line.slice(at).split(' - ')) {
      const colon = part.lastIndexOf(':');
      if (colon > 0) row[part.slice(0, colon)] = Number(part.slice(colon + 1));
    }
    if (Object.keys(row).length > 1) rows.push(row);
  }
  return rows;
};

const keysOf = (rows: readonly Row[]): Set<string> => new Set(rows.flatMap((row) => Object.keys(row)));

/** A key that names a reward, length, KL, entropy, group or clipping statistic must map. */
const MUST_MAP = /reward|score|length|kl|entropy|group|clip/i;
/** Timings and performance counters may mention those words (`timing_s/reward`) and stay unmapped. */
const MAY_SKIP = /^(timing(_s|_per_token_ms)?|perf)\//;
/** Bookkeeping keys every format carries beside the metrics. */
const BOOKKEEPING = new Set(['step']);

const unmapped = (keys: Iterable<string>): string[] =>
  [...keys].filter((key) => !BOOKKEEPING.has(key) && MUST_MAP.test(key) && !MAY_SKIP.test(key) && canonicalMetricName(key) === undefined);

const REAL_METRIC_FILES: ReadonlyArray<readonly [string, () => Set<string>]> = [
  ['trl-grpo_multicomponent_trainer_state.json', () => keysOf(logHistoryRows('trl-grpo_multicomponent_trainer_state.json'))],
  ['trl-grpo_qwen35_collapse_step_logs.json', () => keysOf(logHistoryRows('trl-grpo_qwen35_collapse_step_logs.json'))],
  ['trl-grpo_qwen35_saturation_step_logs.json', () => keysOf(logHistoryRows('trl-grpo_qwen35_saturation_step_logs.json'))],
  ['trl-grpo_stdout_rho0.10_seed42.log', () => trlStdoutKeys('trl-grpo_stdout_rho0.10_seed42.log')],
  ['verl-gpg_qwen2-7b_math_length_explosion.log', () => keysOf(verlConsoleRows('verl-gpg_qwen2-7b_math_length_explosion.log'))],
  ['verl-ppo_gemma-2-2b_gsm8k_healthy.log', () => keysOf(verlConsoleRows('verl-ppo_gemma-2-2b_gsm8k_healthy.log'))],
];

/**
 * The two per-sample files hold one sample per line: their fields are sample fields (what a
 * RewardEvent is built from), not step metrics, so they are listed here instead of mapped.
 */
const SAMPLE_FILES: ReadonlyArray<readonly [string, readonly string[]]> = [
  // verl rollout dump: input -> prompt, output -> response, score -> reward, the rest -> components/meta.
  ['verl-rollout_sdpo_step1_head.jsonl', ['input', 'output', 'gts', 'score', 'step', 'acc', 'pred', 'incorrect_format', 'feedback']],
  [
    'trl-grpo_completions_5components.jsonl',
    [
      'problem_id', 'prompt_hash', 'generation_index', 'pair_key', 'completion_index', 'completion_ids', 'completion_mask',
      'exact_token_count', 'decoded_completion', 'raw_completion', 'verifier_input', 'reward_status', 'canonical_status',
      'scalar_reward', 'verifier_detail', 'reward_policy_version', 'reward_policy_sha256', 'reward_component_weights',
      'answer_block_component', 'strict_protocol_component', 'valid_expression_component', 'exact_number_usage_component',
      'correctness_component',
    ],
  ],
];

describe('alias table against every real trainer file', () => {
  it.each(REAL_METRIC_FILES)('maps every reward/length/KL/entropy/group/clip key of %s', (_file, keys) => {
    const all = keys();
    expect(all.size).toBeGreaterThan(10);
    expect(unmapped(all)).toEqual([]);
  });

  it.each(SAMPLE_FILES)('%s holds exactly the listed per-sample fields', (file, fields) => {
    const seen = new Set<string>();
    for (const line of readFileSync(realdata(file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      for (const key of Object.keys(JSON.parse(line) as Row)) seen.add(key);
    }
    expect([...seen].sort()).toEqual([...fields].sort());
  });

  it('the unmapped-key check can fail', () => {
    expect(unmapped(['reward', 'my_reward_thing', 'timing_s/reward', 'throughput'])).toEqual(['my_reward_thing']);
  });

  it('prefers completions/mean_length over the legacy completion_length in a real row carrying both', () => {
    const rows = logHistoryRows('trl-grpo_multicomponent_trainer_state.json').filter((row) => 'completion_length' in row);
    expect(rows.length).toBeGreaterThan(0);
    const differing = rows.find((row) => row.completion_length !== row['completions/mean_length']) ?? rows[0]!;
    const { metrics, raw } = canonicalizeMetrics(differing);
    expect(metrics[METRIC.lengthMean]).toBe(differing['completions/mean_length']);
    expect(raw.completion_length).toBe(differing.completion_length);
    expect(metrics['reward/pnl_reward_fn/mean']).toBe(differing['rewards/pnl_reward_fn/mean']);
    expect(metrics[METRIC.kl]).toBe(differing.kl);
  });

  it('reads a real old verl row: critic/kl as kl, actor/lr(1e-4) scaled, the score as the reward', () => {
    const row = verlConsoleRows('verl-ppo_gemma-2-2b_gsm8k_healthy.log').find((r) => 'critic/score/mean' in r)!;
    const { metrics, phase } = canonicalizeMetrics(row);
    expect(phase).toBe('train');
    expect(metrics[METRIC.rewardMean]).toBe(row['critic/score/mean']);
    expect(metrics[METRIC.rewardPenalizedMean]).toBe(row['critic/rewards/mean']);
    expect(metrics[METRIC.kl]).toBe(row['critic/kl']);
    expect(metrics[METRIC.entropy]).toBe(row['actor/entropy_loss']);
    expect(metrics[METRIC.learningRate]).toBeCloseTo((row['actor/lr(1e-4)'] as number) * 1e-4, 15);
  });

  it('keeps verl validation keys of a training line under eval/ names', () => {
    const row = verlConsoleRows('verl-gpg_qwen2-7b_math_length_explosion.log').find((r) => 'val-core/openai/gsm8k/reward/mean@1' in r && 'critic/score/mean' in r)!;
    const { metrics, phase } = canonicalizeMetrics(row);
    expect(phase).toBe('train');
    expect(metrics['eval/source/openai/gsm8k/reward/mean@1']).toBe(row['val-core/openai/gsm8k/reward/mean@1']);
    expect(metrics[METRIC.lengthClipRatio]).toBe(row['response_length/clip_ratio']);
  });

  it('reads a verl line holding only the validation score as an eval row', () => {
    const row = verlConsoleRows('verl-ppo_gemma-2-2b_gsm8k_healthy.log').find((r) => 'test_score/openai/gsm8k' in r && !('critic/score/mean' in r))!;
    expect(canonicalizeMetrics(row)).toMatchObject({ phase: 'eval', metrics: { 'source/openai/gsm8k/reward/mean': row['test_score/openai/gsm8k'] } });
  });
});

// ------------------------------------------------------------------------------------------
// Per trainer, from TRAINERS.md (no real files for PPO, OpenRLHF and tunix).

type Case = readonly [raw: string, name: string, phase?: 'train' | 'eval'];

const TRL_GRPO: Case[] = [
  ['reward', 'reward/mean'],
  ['reward_std', 'reward/group_std'],
  ['frac_reward_zero_std', 'groups/zero_std_frac'],
  ['frac_zero_reward_std', 'groups/zero_std_frac'],
  ['rewards/accuracy_reward/mean', 'reward/accuracy_reward/mean'],
  ['rewards/accuracy_reward/std', 'reward/accuracy_reward/std'],
  ['rewards/accuracy_reward', 'reward/accuracy_reward/mean'],
  ['completion_length', 'length/mean'],
  ['completions/mean_length', 'length/mean'],
  ['completions/min_length', 'length/min'],
  ['completions/max_length', 'length/max'],
  ['completions/mean_terminated_length', 'length/terminated_mean'],
  ['completions/min_terminated_length', 'length/terminated_min'],
  ['completions/max_terminated_length', 'length/terminated_max'],
  ['completions/clipped_ratio', 'length/clip_ratio'],
  ['kl', 'kl'],
  ['entropy', 'entropy'],
  ['clip_ratio/low_mean', 'clip_ratio/low'],
  ['clip_ratio/low_min', 'clip_ratio/low_min'],
  ['clip_ratio/high_mean', 'clip_ratio/high'],
  ['clip_ratio/high_max', 'clip_ratio/high_max'],
  ['clip_ratio/region_mean', 'clip_ratio'],
  ['cispo_clip_ratio', 'clip_ratio/cispo'],
  ['policy_loss', 'loss/policy'],
  ['entropy_coef', 'entropy_coef'],
  ['grad_norm', 'grad_norm'],
  ['loss', 'loss'],
  ['learning_rate', 'learning_rate'],
  ['eval_reward', 'reward/mean', 'eval'],
  ['eval_completions/mean_length', 'length/mean', 'eval'],
  ['train/rewards/accuracy_reward/mean', 'reward/accuracy_reward/mean'],
  ['eval/reward', 'reward/mean', 'eval'],
];

const TRL_PPO: Case[] = [
  ['objective/kl', 'kl'],
  ['objective/entropy', 'entropy/sequence'],
  ['objective/non_score_reward', 'reward/kl_penalty'],
  ['objective/rlhf_reward', 'reward_penalized/mean'],
  ['objective/scores', 'reward/mean'],
  ['policy/approxkl_avg', 'policy/approx_kl'],
  ['policy/clipfrac_avg', 'clip_ratio'],
  ['loss/policy_avg', 'loss/policy'],
  ['loss/value_avg', 'loss/value'],
  ['val/clipfrac_avg', 'value/clip_ratio'],
  ['policy/entropy_avg', 'entropy'],
  ['val/ratio', 'policy/ratio'],
  ['val/ratio_var', 'policy/ratio_var'],
  ['lr', 'learning_rate'],
];

const VERL: Case[] = [
  ['critic/score/mean', 'reward/mean'],
  ['critic/score/max', 'reward/max'],
  ['critic/score/min', 'reward/min'],
  ['critic/rewards/mean', 'reward_penalized/mean'],
  ['critic/advantages/mean', 'advantage/mean'],
  ['critic/returns/mean', 'return/mean'],
  ['critic/values/mean', 'value/mean'],
  ['response_length/mean', 'length/mean'],
  ['response_length/max', 'length/max'],
  ['response_length/min', 'length/min'],
  ['response_length/clip_ratio', 'length/clip_ratio'],
  ['response_length_non_aborted/mean', 'length/mean'],
  ['prompt_length/clip_ratio', 'prompt_length/clip_ratio'],
  ['actor/entropy', 'entropy'],
  ['actor/entropy_loss', 'entropy'],
  ['actor/pg_loss', 'loss/policy'],
  ['actor/pg_clipfrac', 'clip_ratio'],
  ['actor/pg_clipfrac_lower', 'clip_ratio/dual'],
  ['actor/ppo_kl', 'policy/approx_kl'],
  ['actor/kl_loss', 'kl'],
  ['actor/kl_coef', 'kl_coef'],
  ['actor/reward_kl_penalty', 'kl'],
  ['actor/reward_kl_penalty_coeff', 'kl_coef'],
  ['critic/kl', 'kl'],
  ['critic/kl_coeff', 'kl_coef'],
  ['actor/grad_norm', 'grad_norm'],
  ['actor/lr', 'learning_rate'],
  ['critic/vf_loss', 'loss/value'],
  ['critic/vf_clipfrac', 'value/clip_ratio'],
  ['val-core/openai/gsm8k/reward/mean@4', 'source/openai/gsm8k/reward/mean@4', 'eval'],
  ['val-aux/openai/gsm8k/acc/best@4/mean', 'source/openai/gsm8k/acc/best@4/mean', 'eval'],
];

const OPENRLHF: Case[] = [
  ['train/reward', 'reward/mean'],
  ['train/score', 'reward/mean'],
  ['train/return', 'return/mean'],
  ['train/response_length', 'length/mean'],
  ['train/total_length', 'sequence_length/mean'],
  ['train/response_clip_ratio', 'length/clip_ratio'],
  ['train/kl', 'kl'],
  ['train/group_reward_std', 'reward/group_std'],
  ['train/policy_loss', 'loss/policy'],
  ['train/entropy_loss', 'entropy'],
  ['train/ppo_clip_ratio', 'clip_ratio'],
  ['train/ppo_kl', 'policy/approx_kl'],
  ['train/vllm_kl', 'sampling/kl'],
  ['train/actor_lr', 'learning_rate'],
  ['train/actor_grad_norm', 'grad_norm'],
  ['train/dynamic_filtering_pass_rate', 'groups/filter_pass_rate'],
  ['train/rollout/reward_mean', 'reward/mean'],
  ['train/rollout/reward_std', 'reward/std'],
  ['train/rollout/response_length_mean', 'length/mean'],
  ['train/rollout/truncated_rate', 'length/clip_ratio'],
  ['train/rollout/num_samples', 'samples'],
  ['eval/reward', 'reward/mean', 'eval'],
];

const TUNIX: Case[] = [
  ['rewards/train/score/mean', 'reward/mean'],
  ['rewards/train/score/max', 'reward/max'],
  ['rewards/train/score/min', 'reward/min'],
  ['rewards/eval/score/mean', 'reward/mean', 'eval'],
  ['rewards/train/sum', 'reward/mean'],
  ['rewards/train/mean', 'reward/per_fn_mean'],
  ['rewards/train/min', 'reward/per_fn_min'],
  ['rewards/train/max', 'reward/per_fn_max'],
  ['rewards/train/check_answer', 'reward/check_answer/mean'],
  ['rewards/train/reward/mean', 'reward_penalized/mean'],
  ['rewards/train/advantage/mean', 'advantage/mean'],
  ['completions/train/mean_length', 'length/mean'],
  ['completions/train/max_length', 'length/max'],
  ['completions/train/min_length', 'length/min'],
  ['global/train/kl', 'kl'],
  ['global/train/kl_loss', 'kl'],
  ['actor/train/kl', 'kl'],
  ['actor/eval/kl', 'kl', 'eval'],
  ['actor/train/loss', 'loss'],
  ['actor/train/learning_rate', 'learning_rate'],
  ['actor/train/grad_norm', 'grad_norm'],
  ['actor/train/pg_clipfrac', 'clip_ratio'],
];

describe.each<[string, Case[]]>([
  ['TRL GRPO', TRL_GRPO],
  ['TRL PPO / old RLOO', TRL_PPO],
  ['verl', VERL],
  ['OpenRLHF', OPENRLHF],
  ['tunix', TUNIX],
])('%s keys', (_trainer, cases) => {
  const full = cases.map(([raw, name, phase]): [string, string, string] => [raw, name, phase ?? 'train']);
  it.each(full)('%s -> %s (%s)', (raw, name, phase) => {
    expect(canonicalMetricName(raw)).toEqual({ name, phase });
  });
});

describe('canonicalMetricName', () => {
  it('maps canonical names to themselves', () => {
    for (const name of Object.values(METRIC)) expect(canonicalMetricName(name)).toEqual({ name, phase: 'train' });
    expect(canonicalMetricName('reward/format/mean')).toEqual({ name: 'reward/format/mean', phase: 'train' });
  });

  it('reads a unit suffix as a scale', () => {
    expect(canonicalMetricName('actor/lr(1e-4)')).toEqual({ name: 'learning_rate', phase: 'train', scale: 1e-4 });
    expect(canonicalMetricName('critic/lr(1e-4)')).toBeUndefined();
  });

  it('leaves timings, memory and bookkeeping unmapped', () => {
    for (const key of ['timing_s/gen', 'perf/throughput', 'epoch', 'step', 'num_tokens', 'train_runtime', 'global_seqlen/mean']) {
      expect(canonicalMetricName(key)).toBeUndefined();
    }
  });

  it('maps TRL reward_std to the group std by default and to the batch std from v0.27', () => {
    expect(canonicalMetricName('reward_std')).toEqual({ name: 'reward/group_std', phase: 'train' });
    expect(canonicalMetricName('reward_std', { rewardStd: 'batch' })).toEqual({ name: 'reward/std', phase: 'train' });
    expect(canonicalMetricName('eval_reward_std', { rewardStd: trlRewardStdKind('0.27.0') })).toEqual({ name: 'reward/std', phase: 'eval' });
  });
});

describe('trlRewardStdKind', () => {
  it.each([
    ['0.14.0', 'group'],
    ['v0.26.2', 'group'],
    ['0.27.0', 'batch'],
    ['0.28.1.dev0', 'batch'],
    ['1.9.0', 'batch'],
  ])('%s -> %s', (version, kind) => {
    expect(trlRewardStdKind(version)).toBe(kind);
  });

  it('throws a RangeError on an unreadable version', () => {
    expect(() => trlRewardStdKind('main')).toThrow(RangeError);
  });
});

describe('canonicalizeMetrics', () => {
  it('counts null, NaN and infinite values as missing, ignores non-numbers, keeps raw as written', () => {
    expect(canonicalizeMetrics({ reward: 0.5, kl: null, entropy: NaN, loss: Infinity, note: 'x', flag: true, epoch: 1 })).toEqual({
      metrics: { 'reward/mean': 0.5 },
      raw: { reward: 0.5, epoch: 1 },
      missing: 3,
      phase: 'train',
    });
  });

  it.each<[string, Row, string, number]>([
    ['completions/mean_length beats completion_length', { completion_length: 1, 'completions/mean_length': 2 }, 'length/mean', 2],
    ['...in either order', { 'completions/mean_length': 2, completion_length: 1 }, 'length/mean', 2],
    ['rewards/f/mean beats bare rewards/f', { 'rewards/f': 1, 'rewards/f/mean': 2 }, 'reward/f/mean', 2],
    ['actor/kl_loss beats actor/reward_kl_penalty', { 'actor/reward_kl_penalty': 1, 'actor/kl_loss': 2 }, 'kl', 2],
    ['kl beats critic/kl', { 'critic/kl': 1, kl: 2 }, 'kl', 2],
    ['reward beats score (OpenRLHF)', { 'train/score': 1, 'train/reward': 2 }, 'reward/mean', 2],
    ['a canonical name beats every alias', { reward: 1, 'reward/mean': 2 }, 'reward/mean', 2],
    ['response_length/mean beats the non-aborted one', { 'response_length_non_aborted/mean': 1, 'response_length/mean': 2 }, 'length/mean', 2],
    ['tunix score/mean beats sum', { 'rewards/train/sum': 1, 'rewards/train/score/mean': 2 }, 'reward/mean', 2],
    ['equal ranks: the first key of the row', { reward: 1, 'train/reward': 2 }, 'reward/mean', 1],
  ])('precedence: %s', (_rule, row, name, value) => {
    expect(canonicalizeMetrics(row).metrics[name]).toBe(value);
  });

  it('calls a row eval when eval keys say so, even unmapped ones, and no train key is known', () => {
    expect(canonicalizeMetrics({ eval_loss: 1, eval_runtime: 2, epoch: 1 })).toMatchObject({ phase: 'eval', metrics: { loss: 1 } });
    expect(canonicalizeMetrics({ eval_runtime: 2, epoch: 1 }).phase).toBe('eval');
    expect(canonicalizeMetrics({ epoch: 1 }).phase).toBe('train');
    expect(canonicalizeMetrics({ reward: 1, eval_reward: 2 })).toMatchObject({ phase: 'train', metrics: { 'reward/mean': 1, 'eval/reward/mean': 2 } });
  });

  it('property: raw holds the finite numbers, missing counts the rest, metrics come from raw', () => {
    const keys = fc.constantFrom('reward', 'kl', 'entropy', 'completions/mean_length', 'completion_length', 'actor/lr(1e-4)', 'eval_reward', 'epoch', 'timing_s/gen', 'rewards/f', 'rewards/f/mean');
    const values = fc.oneof(fc.double(), fc.constant(null), fc.string(), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(keys, values), (row) => {
        const { metrics, raw, missing } = canonicalizeMetrics(row);
        const entries = Object.entries(row);
        expect(raw).toEqual(Object.fromEntries(entries.filter(([, v]) => typeof v === 'number' && Number.isFinite(v))));
        expect(missing).toBe(entries.filter(([, v]) => v === null || (typeof v === 'number' && !Number.isFinite(v))).length);
        for (const [name, value] of Object.entries(metrics)) {
          const sources = Object.entries(raw).filter(([key]) => {
            const canonical = canonicalMetricName(key);
            return canonical !== undefined && (name === canonical.name || name === `${canonical.phase}/${canonical.name}`);
          });
          expect(sources.map(([key, v]) => v * (canonicalMetricName(key)?.scale ?? 1))).toContain(value);
        }
      }),
    );
  });
});

describe('docs/schema.md', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'schema.md'), 'utf8');

  it('lists every alias of the table', () => {
    const keys = [...ALIASES, ...TUNIX_ALIASES].flatMap(([, aliases]) => aliases);
    expect(keys.filter((key) => !doc.includes(`\`${key}\``))).toEqual([]);
  });

  it('names every canonical metric', () => {
    const named = (name: string): boolean => {
      if (doc.includes(`\`${name}\``)) return true;
      // grouped rows: `length/terminated_mean`, `/terminated_min` ...
      const slash = name.lastIndexOf('/');
      return slash > 0 && doc.includes(`\`${name.slice(slash)}\``) && doc.includes(`\`${name.slice(0, slash)}/`);
    };
    expect(Object.values(METRIC).filter((name) => !named(name))).toEqual([]);
  });
});
