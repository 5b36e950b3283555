/**
 * Canonical metric names: every StepRecord speaks these, whichever trainer wrote the log
 * (core/aliases maps trainer keys onto them) and whether it came from a log or from
 * `summarizeSteps()` over samples. Prefixes group charts the way TensorBoard users expect.
 */
export const METRIC = {
  /** Mean proxy reward of the step (the total the policy optimizes). */
  rewardMean: 'reward/mean',
  /** Standard deviation of the reward over the whole batch. */
  rewardStd: 'reward/std',
  /** Mean of the within-group (per prompt) reward standard deviations. */
  rewardGroupStd: 'reward/group_std',
  rewardMin: 'reward/min',
  rewardMax: 'reward/max',
  /** Fraction of groups whose rewards are all equal (no GRPO learning signal). */
  groupsZeroStdFrac: 'groups/zero_std_frac',
  /** Of all groups: fraction with every sample at the step's best reward (all correct). */
  groupsAllMaxFrac: 'groups/all_max_frac',
  /** Of all groups: fraction with every sample at the floor reward (all wrong). */
  groupsAllMinFrac: 'groups/all_min_frac',
  lengthMean: 'length/mean',
  lengthMin: 'length/min',
  lengthMax: 'length/max',
  /** Fraction of completions truncated at the length cap. */
  lengthClipRatio: 'length/clip_ratio',
  /** Mean length of completions that ended on their own (EOS). */
  lengthTerminatedMean: 'length/terminated_mean',
  kl: 'kl',
  entropy: 'entropy',
  gradNorm: 'grad_norm',
  loss: 'loss',
  learningRate: 'learning_rate',
  /** Fraction of tokens whose policy ratio was clipped. */
  clipRatio: 'clip_ratio',
  advantageMean: 'advantage/mean',
  samples: 'samples',
  // --- Added with the alias table (core/aliases): more of what trainers log. ---
  /** Mean reward after the KL penalty was folded into it (verl `critic/rewards`, PPO `rlhf_reward`). */
  rewardPenalizedMean: 'reward_penalized/mean',
  rewardPenalizedMin: 'reward_penalized/min',
  rewardPenalizedMax: 'reward_penalized/max',
  /** The KL penalty paid in reward (TRL PPO `objective/non_score_reward`, = -beta * KL). */
  rewardKlPenalty: 'reward/kl_penalty',
  /** tunix: the mean over reward functions of one sample's rewards (total / number of functions). */
  rewardPerFnMean: 'reward/per_fn_mean',
  rewardPerFnMin: 'reward/per_fn_min',
  rewardPerFnMax: 'reward/per_fn_max',
  /** Fraction of groups kept by dynamic filtering (OpenRLHF; about 1 - groups/zero_std_frac). */
  groupsFilterPassRate: 'groups/filter_pass_rate',
  lengthTerminatedMin: 'length/terminated_min',
  lengthTerminatedMax: 'length/terminated_max',
  promptLengthMean: 'prompt_length/mean',
  promptLengthMin: 'prompt_length/min',
  promptLengthMax: 'prompt_length/max',
  /** Fraction of prompts truncated at the prompt length cap. */
  promptLengthClipRatio: 'prompt_length/clip_ratio',
  /** Mean prompt + response length. */
  sequenceLengthMean: 'sequence_length/mean',
  /** KL coefficient (beta) in force at this step. */
  klCoef: 'kl_coef',
  /** KL between the policy before and after the update (PPO's approx KL), not against the reference. */
  policyApproxKl: 'policy/approx_kl',
  /** Mean policy ratio new/old (should stay near 1). */
  policyRatio: 'policy/ratio',
  policyRatioVar: 'policy/ratio_var',
  /** KL between the rollout engine's (vLLM) and the trainer's log-probabilities. */
  samplingKl: 'sampling/kl',
  /** Mean per-sequence entropy summed over tokens (TRL PPO `objective/entropy`). */
  entropySequence: 'entropy/sequence',
  entropyCoef: 'entropy_coef',
  /** Policy-gradient part of the loss. */
  lossPolicy: 'loss/policy',
  /** Value-head loss (PPO critics). */
  lossValue: 'loss/value',
  clipRatioLow: 'clip_ratio/low',
  clipRatioLowMin: 'clip_ratio/low_min',
  clipRatioHigh: 'clip_ratio/high',
  clipRatioHighMax: 'clip_ratio/high_max',
  /** verl dual-clip: fraction clipped at the lower bound for negative advantages. */
  clipRatioDual: 'clip_ratio/dual',
  clipRatioCispo: 'clip_ratio/cispo',
  /** Fraction of value predictions clipped (PPO critics). */
  valueClipRatio: 'value/clip_ratio',
  valueMean: 'value/mean',
  valueGradNorm: 'value/grad_norm',
  advantageMin: 'advantage/min',
  advantageMax: 'advantage/max',
  returnMean: 'return/mean',
  returnMin: 'return/min',
  returnMax: 'return/max',
} as const;

export type CanonicalMetric = (typeof METRIC)[keyof typeof METRIC];

/** `reward/<component>/mean`: the per-component mean reward. */
export const componentMean = (component: string): string => `reward/${component}/mean`;
/** `reward/<component>/std`: the per-component reward standard deviation over the batch. */
export const componentStd = (component: string): string => `reward/${component}/std`;
