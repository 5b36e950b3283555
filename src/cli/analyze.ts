/**
 * The replay engine behind `audit`, `summary`, `report`, `watch` and `demo`: one shared
 * subscription to an `Ingested` source feeds the detectors (and, when asked, the step
 * summarizer), and the alerts go through the one verdict function (core/verdict.ts), so every
 * verb judges a run exactly as the dashboard does.
 */
import { EMPTY, map, merge, mergeMap, of, type Observable, type OperatorFunction } from 'rxjs';
import { fanOut } from '../../operators/internal/fan-out.js';
import { VerdictJudge, type VerdictConfig } from '../core/verdict.js';
import type { Alert, InputProblem, RewardEvent, StepRecord, Verdict } from '../core/types.js';
import type { Ingested } from '../sources/ingested.js';

/** Turns a run's items into alerts (the default: `sampleDetectors`, see cli/detect.ts). */
export type Detect = OperatorFunction<Ingested, Alert>;

/** What the engine emits, in stream order. */
export type AnalysisItem =
  | Ingested
  /** A step record made by the step summarizer (or a trainer-logged one passed through). */
  | { readonly kind: 'summary'; readonly record: StepRecord }
  | { readonly kind: 'alert'; readonly alert: Alert }
  /** The verdict after an alert changed it (its status or its current state). */
  | { readonly kind: 'verdict'; readonly verdict: Verdict };

export interface AnalyzeConfig {
  readonly detect: Detect;
  /** Step summarizer for `summary`/`report` (charts and statistics). Default: none. */
  readonly summarize?: OperatorFunction<Ingested, StepRecord>;
  readonly verdict?: VerdictConfig;
}

/**
 * Runs detectors (and the optional summarizer) over `source` with one subscription to it
 * (`fanOut`: unlike `connect`, unsubscribing stops even a synchronous replay at once).
 * Source items come first, then the alerts they caused, each followed by the verdict when it
 * changed.
 */
export function analyze(config: AnalyzeConfig): OperatorFunction<Ingested, AnalysisItem> {
  const summarize = config.summarize;
  return (source) =>
    source.pipe(
      fanOut((shared: Observable<Ingested>) => {
        const judge = new VerdictJudge(config.verdict);
        let last: Verdict | undefined;
        const alerts = shared.pipe(
          config.detect,
          mergeMap((alert): Observable<AnalysisItem> => {
            judge.add(alert);
            const verdict = judge.verdict();
            const changed = last === undefined || last.status !== verdict.status || last.current !== verdict.current;
            last = verdict;
            const item: AnalysisItem = { kind: 'alert', alert };
            return changed ? of<AnalysisItem[]>(item, { kind: 'verdict', verdict }) : of(item);
          }),
        );
        const summaries: Observable<AnalysisItem> =
          summarize === undefined ? EMPTY : shared.pipe(summarize, map((record) => ({ kind: 'summary', record }) as const));
        return merge(shared, alerts, summaries);
      }),
    );
}

export interface TallyConfig {
  readonly verdict?: VerdictConfig;
  /** Keep the summarized step records (summary, report). Default false: memory stays flat. */
  readonly keepSummaries?: boolean;
  /** Keep every alert (report, export). Default false. */
  readonly keepAlerts?: boolean;
  /** Problems kept for display (all are counted). Default 20. */
  readonly keepProblems?: number;
}

/** Running totals of an analysis, for the verbs' reports. */
export class RunTally {
  events = 0;
  /** Step records read from the input (trainer logs, goodhart JSONL). */
  steps = 0;
  problems = 0;
  readonly alerts: Alert[] = [];
  /** The first problems, kept for display. */
  readonly firstProblems: InputProblem[] = [];
  readonly summaries: StepRecord[] = [];
  lastStep: number | undefined;
  private readonly judge: VerdictJudge;
  alertCount = 0;
  private readonly keepSummaries: boolean;
  private readonly keepAlerts: boolean;
  private readonly keepProblems: number;

  constructor(config: TallyConfig = {}) {
    this.judge = new VerdictJudge(config.verdict);
    this.keepSummaries = config.keepSummaries ?? false;
    this.keepAlerts = config.keepAlerts ?? false;
    this.keepProblems = config.keepProblems ?? 20;
  }

  add(item: AnalysisItem): void {
    switch (item.kind) {
      case 'event':
        this.events++;
        this.seeStep(item.event);
        return;
      case 'step':
        this.steps++;
        this.seeStep(item.record);
        return;
      case 'problem':
        this.problems++;
        if (this.firstProblems.length < this.keepProblems) this.firstProblems.push(item.problem);
        return;
      case 'summary':
        if (this.keepSummaries) this.summaries.push(item.record);
        return;
      case 'alert':
        this.alertCount++;
        if (this.keepAlerts) this.alerts.push(item.alert);
        this.judge.add(item.alert);
        return;
      case 'verdict':
        return;
    }
  }

  /** The verdict over every alert so far; its `step` is the last step read, not the last alert's. */
  verdict(): Verdict {
    const verdict = this.judge.verdict();
    return this.lastStep === undefined ? verdict : { ...verdict, step: Math.max(verdict.step, this.lastStep) };
  }

  private seeStep(record: RewardEvent | StepRecord): void {
    this.lastStep = this.lastStep === undefined ? record.step : Math.max(this.lastStep, record.step);
  }
}
