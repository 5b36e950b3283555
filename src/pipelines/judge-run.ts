/**
 * Judging a whole run: the default detectors over a finished source (a replayed file, a simulated
 * run), every alert kept, and the whole-run verdict from the same `judge()` the dashboard's
 * `verdict()` operator uses, so `goodhart audit`, `summary` and the dashboard always agree.
 */
import { tap, type Observable } from 'rxjs';
import { sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { SummarizeInput } from '../../operators/summarize-steps.js';
import type { Alert, InputProblem, Verdict } from '../core/types.js';
import { VerdictJudge, resolveVerdictConfig, type VerdictConfig } from '../core/verdict.js';

export interface JudgeRunConfig extends SampleDetectorsConfig {
  /** Settings of the verdict (`proxyHorizon`). Default verdict defaults. */
  readonly verdict?: VerdictConfig;
  /** Problems kept in `problems` (all are counted in `problemCount`). Default 100. */
  readonly keepProblems?: number;
}

/** What `judgeRun` found. */
export interface RunJudgement {
  /** Every alert of the default pipelines, in stream order. */
  readonly alerts: readonly Alert[];
  /** The whole-run verdict (worst state reached, with reasons and first flagged step). */
  readonly verdict: Verdict;
  /** Scored samples read. */
  readonly events: number;
  /** Step records read (trainer logs). */
  readonly records: number;
  /** Input problems met (bad lines...), all counted. */
  readonly problemCount: number;
  /** The first `keepProblems` of them, in order. */
  readonly problems: readonly InputProblem[];
}

/**
 * Runs `sampleDetectors(config)` over a finite source and judges the whole run. Resolves when the
 * source completes; rejects when it errors (an unreadable file) or when the config is bad.
 *
 * @example
 * ```ts
 * import { fromFile, judgeRun } from 'goodhart';
 * const { verdict, alerts, problemCount } = await judgeRun(fromFile('run.jsonl'), { maxLength: 1024 });
 * process.exitCode = verdict.status === 'healthy' ? 0 : 1;
 * ```
 */
export function judgeRun(source: Observable<SummarizeInput>, config: JudgeRunConfig = {}): Promise<RunJudgement> {
  const { verdict: verdictConfig, keepProblems: keep, ...pipelineConfig } = config;
  const keepProblems = keep ?? 100;
  if (!Number.isInteger(keepProblems) || keepProblems < 0) {
    throw new RangeError(`judgeRun keepProblems must be an integer >= 0, got ${String(keepProblems)}`);
  }
  const resolvedVerdict = resolveVerdictConfig(verdictConfig);
  const detectors = sampleDetectors(pipelineConfig);
  return new Promise<RunJudgement>((resolve, reject) => {
    const judge = new VerdictJudge(resolvedVerdict);
    const alerts: Alert[] = [];
    const problems: InputProblem[] = [];
    let events = 0;
    let records = 0;
    let problemCount = 0;
    const counted = source.pipe(
      tap((item) => {
        if (!('kind' in item)) {
          if ('metrics' in item) records++;
          else events++;
          return;
        }
        if (item.kind === 'event') events++;
        else if (item.kind === 'step') records++;
        else {
          problemCount++;
          if (problems.length < keepProblems) problems.push(item.problem);
        }
      }),
    );
    counted.pipe(detectors).subscribe({
      next: (alert) => {
        alerts.push(alert);
        judge.add(alert);
      },
      error: reject,
      complete: () => {
        resolve({ alerts, verdict: judge.verdict(), events, records, problemCount, problems });
      },
    });
  });
}
