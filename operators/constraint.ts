import type { OperatorFunction } from 'rxjs';
import type { Condition } from '../src/core/condition.js';
import type { HysteresisConfig } from '../src/core/hysteresis.js';
import type { Alert, AlertSignal, RewardEvent, SampleRef, Severity } from '../src/core/types.js';
import { RateDetector } from '../src/detectors/rate-detector.js';
import { checkBetween, checkInteger, checkSeverity, pct } from '../src/detectors/select.js';
import { resolveRateJudgeConfig, sampleOf } from '../src/detectors/windowed-rate.js';
import { hysteresis } from './hysteresis.js';
import { judgedConditions } from './internal/judged.js';

export interface ConstraintConfig<T = RewardEvent> {
  /** Names the constraint: the alert's `metric` is `constraint/<name>`. Required. */
  readonly name: string;
  /**
   * The predicate every item should satisfy: `true` = fine, `false` = a violation, `undefined` =
   * not applicable (skipped and counted). Required.
   */
  readonly test: (item: T) => boolean | undefined;
  /** The largest acceptable violation rate over the window, in [0, 1). Required. */
  readonly maxRate: number;
  /** Items in the rate window. Default 256. */
  readonly window?: number;
  /** Fewest items in the window for a judgement. Default min(32, window). */
  readonly minSamples?: number;
  /** Judgements in a row above `maxRate` before the condition is active. Default 2. */
  readonly persistence?: number;
  /** Trainer step of an item. Default `item.step`. */
  readonly step?: (item: T) => number;
  /** Evidence sample of a violating item. Default: its RewardEvent fields (step, group, reward, response...). */
  readonly sample?: (item: T) => SampleRef;
  /** Signal while active. Default `'exploit'`. */
  readonly signal?: AlertSignal;
  /** Severity while active. Default `'warning'`. */
  readonly severity?: Severity;
  /** Passed to `hysteresis()`. */
  readonly hysteresis?: HysteresisConfig;
}

const SIGNALS: readonly AlertSignal[] = ['proxy-rise', 'exploit', 'collapse', 'instability', 'info'];

function defaultStep(item: unknown): number {
  const step = (item as { step?: unknown } | null)?.step;
  return typeof step === 'number' ? step : Number.NaN;
}

/**
 * Raw per-step `Condition`s of {@link constraint} (before hysteresis). Validates the config at
 * call time.
 */
export function constraintConditions<T = RewardEvent>(config: ConstraintConfig<T>): OperatorFunction<T, Condition> {
  if (typeof config !== 'object') throw new TypeError('constraint config must be an object');
  const { name, test } = config;
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`constraint name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (typeof test !== 'function') throw new TypeError('constraint test must be a function');
  if (typeof config.maxRate !== 'number') throw new TypeError('constraint maxRate is required (a number in [0, 1))');
  checkBetween('constraint', 'maxRate', config.maxRate, 0, 1, 'low');
  if (config.window !== undefined) checkInteger('constraint', 'window', config.window, 1);
  const judge = resolveRateJudgeConfig('constraint', {
    mode: 'fixed',
    maxRate: config.maxRate,
    ...(config.window === undefined ? {} : { window: config.window }),
    ...(config.minSamples === undefined ? {} : { minSamples: config.minSamples }),
    ...(config.persistence === undefined ? {} : { persistence: config.persistence }),
  });
  if (config.step !== undefined && typeof config.step !== 'function') throw new TypeError('constraint step must be a function');
  if (config.sample !== undefined && typeof config.sample !== 'function') throw new TypeError('constraint sample must be a function');
  const signal = config.signal ?? 'exploit';
  if (!SIGNALS.includes(signal)) throw new TypeError(`constraint signal must be an AlertSignal, got ${JSON.stringify(signal)}`);
  const severity = checkSeverity('constraint', 'severity', config.severity ?? 'warning');
  const step: (item: T) => number = config.step ?? defaultStep;
  const sample = config.sample ?? ((item: T) => sampleOf(item as unknown as RewardEvent, 1));

  return judgedConditions(
    () =>
      new RateDetector<T>({
        detector: 'constraint',
        metric: `constraint/${name}`,
        judge,
        step,
        score: (item) => {
          const verdict = test(item);
          return verdict === undefined ? Number.NaN : verdict ? 0 : 1;
        },
        flagAt: 1,
        sample: (item) => ({ ...sample(item), score: 1 }),
        severity,
        signal: () => signal,
        message: (j) =>
          j.active
            ? `${pct(j.rate)} of the last ${j.samples} items violate "${name}" (${j.flagged} violations; max ${pct(config.maxRate)}) for ${j.streak} steps`
            : `"${name}" violated by ${pct(j.rate)} of the last ${j.samples} items (max ${pct(config.maxRate)})`,
      }),
  );
}

/**
 * Watches a domain rule of your own: the rate at which items violate a predicate (an answer that
 * is not a number, a forbidden tool call) over the last `window` items, active when it exceeds
 * `maxRate` on `persistence` judgements in a row.
 *
 * Like `formatGaming`, a windowed rate judged per step, but the flag is your predicate and the
 * threshold a fixed maximum rather than the run's baseline.
 *
 * ```
 * step:     1    2    3    4    5
 * items:    ok   ok   bad  bad  bad      (one step of `window` items each)
 *           constraint({ name: 'numeric', test, maxRate: 0.1, window: 4, persistence: 2 })
 * output:   --------------o----          o = onset (exploit warning) at step 4
 * ```
 *
 * @example
 * ```ts
 * import { constraint } from 'goodhart/operators';
 * const numeric = constraint({
 *   name: 'numeric-answer',
 *   test: (e) => (e.response === undefined ? undefined : /<answer>\s*-?[\d.,]+\s*<\/answer>/.test(e.response)),
 *   maxRate: 0.05,
 * });
 * events$.pipe(numeric).subscribe((alert) => console.log(alert.message));
 * ```
 *
 * Statistic: violations / items among the last `window` (default 256) items the predicate judged;
 * judged at each step change (and every `window` items within a step, and at completion), once
 * `minSamples` (32) items are in the window. False alarms: under a true violation rate p below
 * `maxRate`, a window of n items exceeds it with the binomial tail probability, and `persistence`
 * consecutive excesses are required; choose `maxRate` with headroom over the rate you expect.
 * A throwing `test` goes to the error channel. Evidence: the statistics and the 5 most recent
 * violating items.
 * @see formatGaming
 */
export function constraint<T = RewardEvent>(config: ConstraintConfig<T>): OperatorFunction<T, Alert> {
  const conditions = constraintConditions(config);
  const alerts = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, alerts);
}
