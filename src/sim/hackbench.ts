/**
 * hackbench: scores an alert pipeline against the simulator. A run is a simulated training run,
 * healthy or with one hack pattern injected at a known step; the pipeline's alerts are judged by
 * the one verdict function (`judge`, core/verdict) and compared with the pattern's expected
 * verdict (`EXPECTED_VERDICT`): was it found, with the right verdict class, how many steps after
 * the injection, and how many warning-or-worse alerts fired before it (false alerts).
 * Used by `npm run bench:detection`, the pipeline regression tests, and anyone checking a
 * pipeline of their own.
 */
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { severityRank } from '../core/types.js';
import type { Alert, Verdict, VerdictStatus } from '../core/types.js';
import { judge, verdictRank, VerdictJudge, type VerdictConfig } from '../core/verdict.js';
import { Moments } from '../kernels/moments.js';
import type { Ingested } from '../sources/ingested.js';
import { EXPECTED_VERDICT, simulate, type HackPattern, type SimulationConfig } from './simulate.js';

/** What a pipeline under test looks like: source items in, alerts out. */
export type AlertPipeline = (source: Observable<Ingested>) => Observable<Alert>;

/** One scored run. */
export interface DetectionRun {
  /** The injected pattern, or `'healthy'`. */
  readonly pattern: HackPattern | 'healthy';
  readonly simulation: SimulationConfig;
  /** Events (scored samples) the run produced. */
  readonly events: number;
  /** Standard deviation of the total reward over every event (the units the detectors saw). */
  readonly rewardStd: number;
  readonly alerts: readonly Alert[];
  /** The whole-run verdict over every alert. */
  readonly verdict: Verdict;
  readonly expected: VerdictStatus;
  /** The verdict's worst status equals the expected one. */
  readonly correct: boolean;
  /** First step at which the run's status equalled `expected` (healthy runs: none). */
  readonly reachedAt?: number;
  /** `reachedAt - atStep`, in steps. */
  readonly delay?: number;
  /** Warning-or-worse episodes before the injection step (onsets at warning and escalations to it; every one, for a healthy run). */
  readonly falseAlerts: number;
  /** The false alerts themselves (first 5), to say what fired. */
  readonly falseAlertSamples: readonly Alert[];
  /** A warning-or-worse alert at or after the injection step. */
  readonly detected: boolean;
}

const atLeastWarning = (alert: Alert): boolean => severityRank[alert.severity] >= severityRank.warning;

/**
 * Counts warning-or-worse episodes: an onset at warning or above, and an episode that opened
 * below warning and escalated to it while ongoing (counting onsets alone would miss those).
 * Returns whether `alert` is such an episode's first warning-or-worse alert.
 */
class FlagCounter {
  private readonly flagged = new Set<string>();

  isNewFlag(alert: Alert): boolean {
    if (alert.state === 'resolved') {
      this.flagged.delete(alert.id);
      return false;
    }
    if (!atLeastWarning(alert) || this.flagged.has(alert.id)) return false;
    this.flagged.add(alert.id);
    return true;
  }
}

/**
 * Scores a list of alerts (in stream order) for a run whose hack, if any, started at `atStep`.
 * Pure; `runDetection` feeds it.
 */
export function scoreAlerts(
  alerts: readonly Alert[],
  run: {
    readonly pattern: HackPattern | 'healthy';
    readonly atStep?: number;
    readonly events: number;
    readonly rewardStd?: number;
    readonly simulation: SimulationConfig;
  },
  verdictConfig: VerdictConfig = {},
): DetectionRun {
  const expected = run.pattern === 'healthy' ? 'healthy' : EXPECTED_VERDICT[run.pattern];
  const atStep = run.atStep ?? Number.POSITIVE_INFINITY;
  const incremental = new VerdictJudge(verdictConfig);
  let reachedAt: number | undefined;
  const falseFlags: Alert[] = [];
  let detected = false;
  const flags = new FlagCounter();
  for (const alert of alerts) {
    incremental.add(alert);
    if (flags.isNewFlag(alert)) {
      if (alert.step < atStep) falseFlags.push(alert);
      else detected = true;
    }
    if (reachedAt === undefined && expected !== 'healthy') {
      const state = incremental.verdict();
      if (state.status === expected && verdictRank[expected] > 0) reachedAt = state.step;
    }
  }
  const verdict = judge(alerts, verdictConfig);
  const delay = reachedAt === undefined || run.atStep === undefined ? undefined : reachedAt - run.atStep;
  return {
    pattern: run.pattern,
    simulation: run.simulation,
    events: run.events,
    rewardStd: run.rewardStd ?? Number.NaN,
    alerts,
    verdict,
    expected,
    correct: verdict.status === expected,
    ...(reachedAt === undefined ? {} : { reachedAt }),
    ...(delay === undefined ? {} : { delay }),
    falseAlerts: falseFlags.length,
    falseAlertSamples: falseFlags.slice(0, 5),
    detected,
  };
}

/**
 * Simulates one run (`simulation.hack` names the pattern, or none for a healthy run), pipes it
 * through `pipeline` and scores the alerts.
 *
 * @example
 * ```ts
 * import { runDetection } from 'goodhart';
 * import { sampleDetectors } from 'goodhart/operators';
 * const run = await runDetection(sampleDetectors(), { seed: 3, steps: 100, hack: { pattern: 'repetition', atStep: 60 } });
 * run.correct; run.delay; run.falseAlerts;
 * ```
 */
export async function runDetection(
  pipeline: AlertPipeline,
  simulation: SimulationConfig,
  verdictConfig: VerdictConfig = {},
): Promise<DetectionRun> {
  let events = 0;
  const rewards = new Moments();
  const counted = (function* counting(): Generator<Ingested> {
    for (const item of simulate(simulation)) {
      if (item.kind === 'event') {
        events++;
        if (item.event.reward !== undefined) rewards.push(item.event.reward);
      }
      yield item;
    }
  })();
  const alerts = await lastValueFrom(pipeline(from(counted)).pipe(toArray()));
  return scoreAlerts(
    alerts,
    {
      pattern: simulation.hack?.pattern ?? 'healthy',
      ...(simulation.hack === undefined ? {} : { atStep: simulation.hack.atStep }),
      events,
      rewardStd: rewards.std,
      simulation,
    },
    verdictConfig,
  );
}
