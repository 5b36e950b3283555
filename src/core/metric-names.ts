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
} as const;

export type CanonicalMetric = (typeof METRIC)[keyof typeof METRIC];

/** `reward/<component>/mean`: the per-component mean reward. */
export const componentMean = (component: string): string => `reward/${component}/mean`;
/** `reward/<component>/std`: the per-component reward standard deviation over the batch. */
export const componentStd = (component: string): string => `reward/${component}/std`;
