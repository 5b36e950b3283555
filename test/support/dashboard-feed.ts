/**
 * Feeds a simulated run through the real default pipeline (summarizeSteps for the charts,
 * sampleDetectors for alerts, verdict for the banner) into a dashboard, one step at a time, for the
 * browser tests and the screenshot script.
 */
import { concatMap, connect, from, merge, mergeMap, timer, type Observable, type Subscription } from 'rxjs';
import { sampleDetectors } from '../../operators/sample-detectors.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import { verdict } from '../../operators/verdict.js';
import type { Alert, StepRecord, Verdict } from '../../src/core/types.js';
import type { DashboardSink } from '../../src/server/serve-dashboard.js';
import { toWebSocket } from '../../src/server/to-web-socket.js';
import { simulate, type SimulationConfig } from '../../src/sim/index.js';
import type { Ingested } from '../../src/sources/ingested.js';

export interface FeedConfig extends SimulationConfig {
  /** Wall-clock ms between steps. Default 0 (as fast as possible, still one step per macrotask). */
  readonly pace?: number;
  readonly channel?: string;
}

/** The run's items grouped by step, in order. */
function byStep(config: SimulationConfig): Ingested[][] {
  const steps: Ingested[][] = [];
  let current: Ingested[] = [];
  let step: number | undefined;
  for (const item of simulate(config)) {
    const itemStep = item.kind === 'event' ? item.event.step : item.kind === 'step' ? item.record.step : step;
    if (step !== undefined && itemStep !== step) {
      steps.push(current);
      current = [];
    }
    step = itemStep;
    current.push(item);
  }
  if (current.length > 0) steps.push(current);
  return steps;
}

/** Step records, alerts and verdicts of a simulated run, paced one step per `pace` ms. */
export function analyzedRun(config: FeedConfig): Observable<Ingested | StepRecord | Alert | Verdict> {
  const pace = config.pace ?? 0;
  const maxLength = config.maxLength ?? 1024;
  const items$ = from(byStep(config)).pipe(concatMap((items) => timer(pace).pipe(mergeMap(() => from(items)))));
  return items$.pipe(
    connect((shared) =>
      merge(
        // The samples themselves: the dashboard lists none of them, but reads their lengths for the drift statistic.
        shared,
        shared.pipe(summarizeSteps({ maxLength })),
        shared.pipe(
          sampleDetectors({ maxLength }),
          connect((alerts) => merge(alerts, alerts.pipe(verdict()))),
        ),
      ),
    ),
  );
}

/** Streams a simulated run into `dashboard`; unsubscribe to stop it. */
export function feedDashboard(dashboard: DashboardSink, config: FeedConfig): Subscription {
  return analyzedRun(config)
    .pipe(toWebSocket(dashboard, { channel: config.channel ?? 'demo' }))
    .subscribe();
}
