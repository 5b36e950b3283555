/**
 * The pure per-subscriber state shared by the rate detectors (`repetition`, `formatGaming`,
 * `degenerateOutputs`, `constraint`): each item gets a score (`NaN` = not observed, skipped and
 * counted), a score at or above `flagAt` flags it, a `RateJudge` judges the flagged share per step
 * (see `windowed-rate.ts`), and each judgement becomes one `Condition` carrying the statistics and
 * the top-5 flagged samples of the window. No rxjs here.
 */
import type { Condition } from '../core/condition.js';
import type { AlertSignal, SampleRef, Severity } from '../core/types.js';
import { RateJudge, TopSamples, type RateJudgement, type ResolvedRateJudgeConfig } from './windowed-rate.js';

export interface RateDetectorSpec<T> {
  readonly detector: string;
  readonly metric: string;
  readonly judge: ResolvedRateJudgeConfig;
  readonly step: (item: T) => number;
  /** Score of an item; `NaN` when the item says nothing (no response, no reward...). */
  readonly score: (item: T) => number;
  /** Items scoring at or above this are flagged. */
  readonly flagAt: number;
  /** The evidence sample of a flagged item. */
  readonly sample: (item: T, score: number) => SampleRef;
  readonly severity: Severity;
  /** Signal of an active condition (may depend on the judgement). */
  readonly signal: (judgement: RateJudgement) => AlertSignal;
  /** Plain-English message for the judgement (active or not). */
  readonly message: (judgement: RateJudgement) => string;
  /** Extra statistics for the evidence. */
  readonly stats?: (judgement: RateJudgement) => Readonly<Record<string, number>>;
}

export class RateDetector<T> {
  private readonly judge: RateJudge;
  private readonly top: TopSamples<T>;
  /** Items skipped because they scored `NaN`. */
  skipped = 0;

  constructor(private readonly spec: RateDetectorSpec<T>) {
    this.judge = new RateJudge(spec.judge);
    this.top = new TopSamples(spec.judge.window, spec.sample);
  }

  /** Feeds one item; returns the condition of a judgement it triggers, if any. */
  push(item: T): Condition | undefined {
    const { spec } = this;
    const score = spec.score(item);
    if (Number.isNaN(score)) {
      this.skipped++;
      return undefined;
    }
    const step = spec.step(item);
    const flagged = score >= spec.flagAt;
    // The judgement of a closed step must not see this item's sample: judge first.
    const judgement = this.judge.push(flagged, step);
    const condition = judgement === undefined ? undefined : this.condition(judgement);
    this.top.tick();
    if (flagged) this.top.offer(item, score);
    return condition;
  }

  /** The judgement of the last open step, at the end of the stream. */
  flush(): Condition | undefined {
    const judgement = this.judge.flush();
    return judgement === undefined ? undefined : this.condition(judgement);
  }

  private condition(judgement: RateJudgement): Condition {
    const { spec } = this;
    const samples = judgement.flagged > 0 ? this.top.samples() : [];
    return {
      detector: spec.detector,
      metric: spec.metric,
      step: judgement.step,
      active: judgement.active,
      severity: spec.severity,
      signal: spec.signal(judgement),
      message: spec.message(judgement),
      value: judgement.rate,
      threshold: judgement.threshold,
      evidence: {
        stats: {
          rate: judgement.rate,
          flagged: judgement.flagged,
          samples: judgement.samples,
          ...(Number.isNaN(judgement.baseline) ? {} : { baseline: judgement.baseline, lowerBound: judgement.lowerBound }),
          threshold: judgement.threshold,
          streak: judgement.streak,
          skipped: this.skipped,
          ...spec.stats?.(judgement),
        },
        ...(samples.length > 0 ? { samples } : {}),
      },
    };
  }
}
