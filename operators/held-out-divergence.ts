import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import { METRIC } from '../src/core/metric-names.js';
import type { Alert, Severity, StepRecord } from '../src/core/types.js';
import { HeldOutDivergence } from '../src/detectors/held-out-divergence.js';
import { checkBetween, checkInteger, checkPositive, checkSeverity } from '../src/detectors/select.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface HeldOutDivergenceConfig {
  /** The alerts' metric. Default `eval/reward`. */
  readonly metric?: string;
  /** The training reward the held-out one is compared with. Default `reward/mean`. */
  readonly trainMetric?: string;
  /** Evaluations judged as the recent level (each must be below the reference). Default 3. */
  readonly recent?: number;
  /** Evaluations before them whose median is the reference level (at least 3 needed). Default 5. */
  readonly reference?: number;
  /**
   * The drop's one-sided normal z level: the critical value is the Student t quantile of the
   * same tail, with the degrees of freedom of the noise estimate. Default 3.5.
   */
  readonly z?: number;
  /** Smallest drop, as a fraction of the reference level's magnitude. Default 0.1. */
  readonly minDrop?: number;
  /** The training reward "fell" at a Welch t of -trainT or below. Default 1. */
  readonly trainT?: number;
  /**
   * An `exploit` needs the gap (the held-out drop plus the training reward's change over the same
   * evaluations) at this z over both errors or more; a smaller one is `instability`. Default 3.
   */
  readonly gapZ?: number;
  /** Severity while active (a fall of both rewards is always `info`). Default `'warning'`. */
  readonly severity?: Severity;
  readonly hysteresis?: HysteresisConfig;
}

export const HELD_OUT_DIVERGENCE_DEFAULTS = {
  metric: 'eval/reward',
  recent: 3,
  reference: 5,
  z: 3.5,
  minDrop: 0.1,
  trainT: 1,
  gapZ: 3,
} as const;

/**
 * Raw per-evaluation `Condition`s of {@link heldOutDivergence} (before hysteresis). Validates the
 * config at call time.
 */
export function heldOutDivergenceConditions(config: HeldOutDivergenceConfig = {}): OperatorFunction<StepRecord, Condition> {
  const name = 'heldOutDivergence';
  if (typeof config !== 'object') throw new TypeError(`${name} config must be an object`);
  const defaults = HELD_OUT_DIVERGENCE_DEFAULTS;
  const metric = config.metric ?? defaults.metric;
  const trainMetric = config.trainMetric ?? METRIC.rewardMean;
  for (const [field, value] of [['metric', metric as unknown], ['trainMetric', trainMetric as unknown]] as const) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} ${field} must be a non-empty string, got ${String(value)}`);
  }
  const options = {
    metric,
    trainMetric,
    recent: checkInteger(name, 'recent', config.recent ?? defaults.recent, 1),
    reference: checkInteger(name, 'reference', config.reference ?? defaults.reference, 3),
    z: checkPositive(name, 'z', config.z ?? defaults.z),
    minDrop: checkBetween(name, 'minDrop', config.minDrop ?? defaults.minDrop, 0, 1, 'low'),
    trainT: checkPositive(name, 'trainT', config.trainT ?? defaults.trainT),
    gapZ: checkPositive(name, 'gapZ', config.gapZ ?? defaults.gapZ),
    severity: checkSeverity(name, 'severity', config.severity ?? 'warning'),
  };
  return judgedConditions(() => {
    const detector = new HeldOutDivergence(options);
    return { push: (record: StepRecord) => detector.push(record), flush: () => detector.flush() };
  });
}

/**
 * Detects the reward on held-out data falling while the training reward holds or rises: the
 * policy gets better at what it is trained on and worse at the same reward on data it never
 * trains on, the gap Goodhart's law predicts (and what rllm#143 asks for: "train return rises
 * while eval drops").
 *
 * Reads the evaluation rows trainers already log beside training: TRL's `eval_reward` (an
 * eval-phase record's `reward/mean`), verl's `val-core/<source>/<var>/mean@N` (in the step's
 * own line, `eval/source/...` once decoded), each data source a series of its own. Every other
 * default detector ignores evaluation records; this one reads both phases.
 *
 * ```
 * records: -E-E-E-E-E-E-E-E-E-E-e-e-e-R-|   one record a step (verl): E = eval 0.62 ± 0.01 beside a
 *          heldOutDivergence()                training reward 0.5; e = eval 0.50, R = reward 0.7
 * alerts:  ---------------------------w-|   w = onset for the third low evaluation (exploit, warning),
 * ```                                       judged when the next step arrives (or the source ends)
 *
 * @example
 * ```ts
 * import { fromFile } from 'goodhart';
 * import { heldOutDivergence } from 'goodhart/operators';
 * import { filter, map } from 'rxjs';
 * const alerts$ = fromFile('trainer_state.json').pipe(
 *   filter((item) => item.kind === 'step'), map((item) => item.record), heldOutDivergence());
 * ```
 *
 * Rule (see `src/detectors/held-out-divergence.ts`): at each evaluation, the median of the last
 * `recent` (3) evaluations below the median of the `reference` (5) before them (and, from 16
 * evaluations on, the last 6 below the 10 before them) by a z at least the Student t quantile of
 * half the normal tail beyond `z` (3.5; the degrees of freedom those of the noise estimate, so few
 * evaluations need a larger drop), each recent one more than one noise sd below the reference, and
 * the drop at least `minDrop` (10%) of the reference level; the noise is the robust
 * evaluation-to-evaluation sd (winsorized successive differences). Then the training reward between
 * the same evaluations decides the signal: fell too (Welch t <= -1) -> `info` (no gap: the run
 * got worse, or a curriculum got harder, and other detectors explain it); else a gap shown (the
 * held-out drop plus the training reward's change, z >= `gapZ` 3 over both errors) -> `exploit`
 * (which the verdict calls hacking beside a rising proxy reward); else, and with no training
 * reward logged, `instability` (a training reward too noisy to have "fallen" may have fallen as
 * far: in a simulated curriculum logged every 10 steps it "held" 0.44 -> 0.38 at t -0.96 while
 * the held-out reward fell 0.51 -> 0.32, a gap of z 1.9). The price, simulated (100 runs each,
 * evaluations of 500 prompts every 10 steps): where both fell 0.2 with the training reward logged
 * every 10 steps at batch sd 0.12, 28 `exploit`s became `instability`; where only the held-out
 * reward fell, 76 `exploit`s became 17 (59 `instability`) at that logging, and stayed 88 with the
 * training reward logged every step at sd 0.03. The other 12 there are `info`: the training
 * reward dipped to t <= -1 by chance. Severity `warning` (the `info` case aside). Warm-up: 6
 * evaluations of a series (a drop then needs a z of 21 at 3 degrees of freedom; 6.3 at 10
 * differences, 4.2 at 32). Detection, simulated: a fall of 0.15 (~7 sd) over 60 steps is found in 100 of 100 runs evaluated every 10 steps (median 60 steps
 * after it starts) and 96 of 100 evaluated every 20; a fall of ~3 sd is mostly missed. False
 * alarms: 1 of 1,200 simulated healthy runs; a single bad evaluation never counts (every recent one
 * must be low); on the real verl GPG log (MATH validation swinging 0.39-0.54 every 5 steps) it
 * stays quiet. Evidence: reference and recent levels, drop, z, sigma, the step the drop
 * began (`since`), evaluations, and the training reward before and after with its t.
 * Cost: O(1) per training record, O(32 log 32) per evaluation.
 *
 * @see componentDominance for a logged gold score beside a proxy in the same records
 */
export function heldOutDivergence(config: HeldOutDivergenceConfig = {}): OperatorFunction<StepRecord, Alert> {
  const conditions = heldOutDivergenceConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}
