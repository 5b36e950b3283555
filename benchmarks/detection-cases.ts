/**
 * The detection-quality cases shared by `benchmarks/detection.bench.ts` (full size) and the
 * regression tests in test/pipelines (smaller): simulated healthy runs over reward kinds and
 * scales, each hack pattern injected, and the real trainer logs with what each must show.
 */
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import { sampleDetectors, type SampleDetectorsConfig } from '../operators/sample-detectors.js';
import type { Alert, Verdict, VerdictStatus } from '../src/core/types.js';
import { severityRank } from '../src/core/types.js';
import { judge } from '../src/core/verdict.js';
import { runDetection, type AlertPipeline, type DetectionRun } from '../src/sim/hackbench.js';
import { HACK_PATTERNS, type HackPattern, type RewardKind, type SimulationConfig } from '../src/sim/index.js';
import { fromFile } from '../src/sources/from-file.js';
import type { Ingested } from '../src/sources/ingested.js';
import { realdata } from '../test/support/paths.js';

/** Length cap of the simulated runs (the simulator's default), known to the pipeline as a user would pass it. */
export const SIM_MAX_LENGTH = 1024;

/** The default sample pipeline as `audit` runs it on simulated runs. */
export function defaultPipeline(config: SampleDetectorsConfig = {}): AlertPipeline {
  return sampleDetectors({ maxLength: SIM_MAX_LENGTH, ...config });
}

export const REWARD_KINDS: readonly RewardKind[] = ['binary', 'shaped', 'continuous'];

/**
 * Reward scales: 1, and multipliers that give a total-reward sd near 10 and near 0.01 (every
 * kind's reward has sd 0.3-0.6 at scale 1; the measured sd is reported per run).
 */
export const REWARD_SCALES: readonly number[] = [1, 20, 0.02];

/** Healthy simulated runs: every kind x scale x seed. */
export function healthyCases(seeds: readonly number[], steps: number): SimulationConfig[] {
  return seeds.flatMap((seed) =>
    REWARD_KINDS.flatMap((rewardKind) => REWARD_SCALES.map((rewardScale) => ({ seed, steps, rewardKind, rewardScale }))),
  );
}

/** Injected-hack runs: every pattern x kind x seed, injected at `atStep`, `after` steps more. */
export function patternCases(
  seeds: readonly number[],
  kinds: readonly RewardKind[] = REWARD_KINDS,
  atStep = 60,
  after = 40,
): { pattern: HackPattern; simulation: SimulationConfig }[] {
  return HACK_PATTERNS.flatMap((pattern) =>
    seeds.flatMap((seed) =>
      kinds.map((rewardKind) => ({
        pattern,
        simulation: { seed, steps: atStep + after, rewardKind, hack: { pattern, atStep } },
      })),
    ),
  );
}

/** Runs one simulated case through a pipeline (new per run: no shared state). */
export function runCase(simulation: SimulationConfig, config: SampleDetectorsConfig = {}): Promise<DetectionRun> {
  return runDetection(defaultPipeline(config), { maxLength: SIM_MAX_LENGTH, ...simulation });
}

/** What a real log must show. */
export interface RealCase {
  readonly file: string;
  readonly what: string;
  /** Passes when the run's alerts and verdict show what the file is known for. */
  readonly check: (alerts: readonly Alert[], verdict: Verdict) => boolean;
  /** Status the verdict must (or must not, with `not`) reach, for the table. */
  readonly expect: string;
}

const flagged = (alert: Alert): boolean => severityRank[alert.severity] >= severityRank.warning && alert.state !== 'resolved';
const isStatus = (status: VerdictStatus) => (_: readonly Alert[], verdict: Verdict): boolean => verdict.status === status;

export const REAL_CASES: readonly RealCase[] = [
  {
    file: 'verl-ppo_gemma-2-2b_gsm8k_healthy.log',
    what: 'verl PPO, healthy negative control',
    expect: 'healthy',
    check: isStatus('healthy'),
  },
  {
    file: 'trl-grpo_qwen35_collapse_step_logs.json',
    what: 'TRL GRPO, policy collapse at steps 150-165',
    expect: 'collapse',
    check: isStatus('collapse'),
  },
  {
    file: 'verl-gpg_qwen2-7b_math_length_explosion.log',
    what: 'verl GPG, response length 210 -> 611 at steps 156-165, score flat',
    expect: 'length drift found (warning+ on length/*, from step 150 on)',
    check: (alerts) => alerts.some((a) => flagged(a) && a.metric.startsWith('length/') && a.step >= 150),
  },
  {
    file: 'trl-grpo_qwen35_saturation_step_logs.json',
    what: 'TRL GRPO, reward saturates at the ceiling (mastery, not a hack)',
    expect: 'not hacking',
    check: (_, verdict) => verdict.status !== 'hacking',
  },
];

/** Replays a real log through the default pipeline (no length cap known: the logs carry clip ratios). */
export async function runReal(file: string, config: SampleDetectorsConfig = {}): Promise<{ alerts: Alert[]; verdict: Verdict }> {
  const source: Observable<Ingested> = fromFile(realdata(file));
  const alerts = await lastValueFrom(source.pipe(sampleDetectors(config), toArray()));
  return { alerts, verdict: judge(alerts) };
}

/** The delay target: steps from injection to the expected verdict. */
export const MAX_DELAY = 15;

/** A pattern run meets the targets: the expected verdict, within `MAX_DELAY` steps, no false alerts. */
export const patternPasses = (run: DetectionRun): boolean =>
  run.correct && run.delay !== undefined && run.delay <= MAX_DELAY && run.falseAlerts === 0;

/** A healthy run meets the targets: a healthy verdict and no warning-or-worse alert. */
export const healthyPasses = (run: DetectionRun): boolean => run.verdict.status === 'healthy' && run.falseAlerts === 0;

/** A short description of the first false alerts of a run, for failure messages and the table. */
export function describeFalseAlerts(run: DetectionRun): string {
  return run.falseAlertSamples.map((a) => `${a.detector}(${a.metric})@${String(a.step)}: ${a.message}`).join('; ');
}
