/**
 * The data model every goodhart operator speaks (DESIGN.md section 3). Versioned on the wire
 * by `SCHEMA_VERSION`; see docs/schema.md.
 */

/** Version of the JSONL schema written and read by goodhart (docs/schema.md). */
export const SCHEMA_VERSION = 1;

/** Alert severities, ordered: `info` < `warning` < `critical`. */
export type Severity = 'info' | 'warning' | 'critical';

/** Numeric rank of a severity, for comparisons (`info` = 0). */
export const severityRank: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/**
 * One scored sample. Non-finite numbers never reach an event: decoders turn them into missing
 * fields (and count them), so `reward` is absent when the trainer logged NaN.
 */
export interface RewardEvent {
  /** Trainer step (optimizer step / logging step) the sample was scored at. */
  readonly step: number;
  /** The total (proxy) reward; absent when the logged value was missing or non-finite. */
  readonly reward?: number;
  /** Named reward components (format, correctness, length...); finite values only. */
  readonly components?: Readonly<Record<string, number>>;
  /** GRPO prompt/group id: samples sharing it were generated from the same prompt. */
  readonly group?: string;
  /** The model's completion (attacker-controlled text: escape before display). */
  readonly response?: string;
  readonly prompt?: string;
  /** Completion length in tokens, or characters when only text is given. */
  readonly length?: number;
  readonly kl?: number;
  readonly logprob?: number;
  /** Run name, for several runs side by side. */
  readonly run?: string;
  /** Wall-clock time in ms since the epoch. */
  readonly t?: number;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Which split a step record belongs to: trainers log eval rows beside train rows. */
export type Phase = 'train' | 'eval';

/** One trainer logging step: metrics under canonical names (see core/metric-names). */
export interface StepRecord {
  readonly step: number;
  /** Canonical name -> finite value (`reward/mean`, `length/clip_ratio`, `kl`, ...). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The keys as the trainer wrote them, finite numbers only. */
  readonly raw?: Readonly<Record<string, number>>;
  /** How many values in the source row were missing or non-finite (NaN, inf, null). */
  readonly missing?: number;
  readonly phase?: Phase;
  readonly run?: string;
  readonly t?: number;
}

export type AlertState = 'onset' | 'ongoing' | 'resolved';

/**
 * What an alert says about the run, so that `verdict()` can fuse alerts without knowing every
 * detector: `proxy-rise` (the proxy reward rises or is pinned high), `exploit` (an exploit
 * signature: format gaming, degenerate or repeated text, diversity collapse, length drift without
 * true gain, cheap-component dominance, a sudden shift to a saturated reward), `collapse` (the
 * learning signal is gone), `instability` (KL/entropy blow-up, spikes), `info` (context only).
 */
export type AlertSignal = 'proxy-rise' | 'exploit' | 'collapse' | 'instability' | 'info';

/** A sample shown as evidence on an alert. Text is raw model output: escape it when displayed. */
export interface SampleRef {
  readonly step: number;
  readonly group?: string;
  readonly reward?: number;
  readonly components?: Readonly<Record<string, number>>;
  readonly length?: number;
  readonly response?: string;
  /** Detector-specific score of this sample (repetition rate, z-score...). */
  readonly score?: number;
}

export interface Evidence {
  /** The statistics behind the alert, by name. */
  readonly stats: Readonly<Record<string, number>>;
  /** Up to 5 offending samples, for text and group detectors. */
  readonly samples?: readonly SampleRef[];
}

export interface Alert {
  /** Unique per alert episode: `${detector}:${metric}:${since}`. */
  readonly id: string;
  /** Operator name (`meanShift`, `formatGaming`, ...). */
  readonly detector: string;
  /** What was watched (`reward`, `reward/mean`, `length/mean`, ...). */
  readonly metric: string;
  readonly severity: Severity;
  readonly signal: AlertSignal;
  /** Step at which this alert was emitted. */
  readonly step: number;
  /** Plain English with the numbers. */
  readonly message: string;
  readonly value: number;
  readonly threshold: number;
  /** Onset step of the condition. */
  readonly since: number;
  readonly evidence: Evidence;
  readonly state: AlertState;
  /** Pipeline name set by `tag()`. */
  readonly tag?: string;
  readonly t?: number;
}

export type VerdictStatus = 'healthy' | 'warning' | 'hacking' | 'collapse';

export interface VerdictReason {
  readonly detector: string;
  readonly metric: string;
  readonly severity: Severity;
  readonly signal: AlertSignal;
  readonly since: number;
  readonly message: string;
  /** The pipeline (`tag()`) whose alert this is; absent for untagged alerts. */
  readonly tag?: string;
}

/**
 * The judgement of a run (see core/verdict.ts `judge`). `status` is the worst state the run has
 * reached so far, so a calm ending never hides an earlier hack (what `audit` gates on); `current`
 * is the state judged on the alerts active now (what a live banner shows beside it).
 */
export interface Verdict {
  /** Worst state reached so far over the whole run. */
  readonly status: VerdictStatus;
  /** Reasons for `status`, most important first, as of the last step that state held. */
  readonly reasons: readonly VerdictReason[];
  /** First step at which the run was flagged warning or worse; absent while healthy. */
  readonly firstFlaggedStep?: number;
  /** Last step seen when the verdict was made. */
  readonly step: number;
  /** State judged on the episodes active now (equals `status` unless the run recovered). */
  readonly current?: VerdictStatus;
  /** Reasons for `current`, most important first. */
  readonly currentReasons?: readonly VerdictReason[];
  /** First step at which `status` was reached; absent while healthy. */
  readonly worstSince?: number;
}

/** A malformed input line: reported on a side channel and counted, never fatal. */
export interface InputProblem {
  /** File path, URL or source name. */
  readonly source: string;
  /** 1-based line number (0 when not line-oriented). */
  readonly line: number;
  readonly reason: string;
  /** The start of the offending text, control characters escaped. */
  readonly excerpt: string;
}
