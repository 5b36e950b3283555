// Number edge cases through every kernel and operator: NaN, ±Infinity, -0, 1e308, denormals
// (5e-324), huge and tiny reward scales (1e300, 1e-300), constant streams, empty and
// single-sample groups. Outputs must stay finite and meaningful: no NaN or Infinity in alert
// values, thresholds, evidence stats or sample numbers, no "NaN"/"Infinity" printed in a message,
// no exception; and within the double range where squares still fit (|x| in 1e-150..1e150) the
// statistics scale with the data.
import { from, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Alert, RewardEvent, StepRecord, Verdict } from '../../src/core/types.js';
import {
  Ewma,
  GroupAccumulator,
  Moments,
  PageHinkley,
  RollingMoments,
  RollingQuantiles,
  SlidingMinMax,
  TabularCusum,
  ksTwoSample,
  wassersteinDistance,
} from '../../src/kernels/index.js';
import * as operators from '../../operators/index.js';
import { simEvents, simPolicySteps } from '../operators/sim-helpers.js';

// ---------------------------------------------------------------------------------------------
// Kernels

/** A fixed, irregular sample in [0, 1): the same values at every scale. */
const UNIT = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 101) / 101);
/** std of UNIT (n − 1), recomputed plainly. */
const UNIT_MEAN = UNIT.reduce((a, b) => a + b, 0) / UNIT.length;
const UNIT_STD = Math.sqrt(UNIT.reduce((a, b) => a + (b - UNIT_MEAN) ** 2, 0) / (UNIT.length - 1));

describe('kernels at extreme scales', () => {
  // Squared deviations of values near 1e150 reach 1e300: the widest scale at which a variance
  // is still a double. Beyond it (1e300, 1e-300) see the finiteness checks below.
  it.each([1e-150, 1e-100, 1e-10, 1, 1e10, 1e100, 1e150])('moments, rolling moments, EWMA, group std and MAD scale with the data (x%s)', (scale) => {
    const values = UNIT.map((x) => x * scale);
    const moments = new Moments();
    const rolling = new RollingMoments(UNIT.length);
    const group = new GroupAccumulator();
    const quantiles = new RollingQuantiles(UNIT.length);
    const unitQuantiles = new RollingQuantiles(UNIT.length);
    for (const [i, x] of values.entries()) {
      moments.push(x);
      rolling.push(x);
      group.add('g', x);
      quantiles.push(x);
      unitQuantiles.push(UNIT[i]!);
    }
    expect(moments.mean / scale).toBeCloseTo(UNIT_MEAN, 10);
    expect(moments.std / scale).toBeCloseTo(UNIT_STD, 10);
    expect(rolling.std / scale).toBeCloseTo(UNIT_STD, 10);
    expect(group.close('g')!.std / scale).toBeCloseTo(UNIT_STD, 10);
    expect(quantiles.scaledMad() / scale).toBeCloseTo(unitQuantiles.scaledMad(), 10);
    expect(wassersteinDistance(values, values.map((x) => x / 2)) / scale).toBeCloseTo(wassersteinDistance(UNIT, UNIT.map((x) => x / 2)), 10);
    // KS looks at ranks only: the same p-value at every scale.
    expect(ksTwoSample(values, values.map((x) => x / 2)).pValue).toBeCloseTo(ksTwoSample(UNIT, UNIT.map((x) => x / 2)).pValue, 12);
  });

  it.each([0, -0, 1, -1, 1e308, -1e308, 5e-324, 1e-300, 1e300])('a constant stream of %s has its own mean, zero spread and no alarm', (c) => {
    const moments = new Moments();
    const rolling = new RollingMoments(20);
    const ewma = new Ewma({ halflife: 5 });
    const quantiles = new RollingQuantiles(20);
    const minMax = new SlidingMinMax(20);
    const group = new GroupAccumulator();
    const cusum = new TabularCusum({ target: c === 0 ? 0 : c, k: 0.5, h: 5 });
    const pageHinkley = new PageHinkley();
    let alarms = 0;
    for (let i = 0; i < 100; i++) {
      moments.push(c);
      rolling.push(c);
      ewma.push(c);
      quantiles.push(c);
      minMax.push(c);
      group.add('g', c);
      if (cusum.update(c)) alarms++;
      if (pageHinkley.update(c)) alarms++;
    }
    for (const mean of [moments.mean, rolling.mean, ewma.mean, quantiles.median, minMax.min, minMax.max]) expect(mean).toBe(c === 0 ? mean : c);
    for (const spread of [moments.std, rolling.std, ewma.std, quantiles.mad()]) expect(spread).toBe(0);
    const summary = group.close('g')!;
    expect([summary.mean, summary.std, summary.zeroStd]).toEqual([c === 0 ? summary.mean : c, 0, true]);
    expect(alarms).toBe(0);
  });

  it('EWMA: the first value beyond 1.3e154 has spread 0, not 0 * Infinity = NaN (regression)', () => {
    for (const x of [1e308, -1e200, 1.4e154]) {
      const ewma = new Ewma({ halflife: 5 });
      ewma.push(x);
      expect([ewma.mean, ewma.std]).toEqual([x, 0]);
    }
  });

  it('skips non-finite values where the kernel says so (CUSUM, group accumulator) and counts them', () => {
    const cusum = new TabularCusum({ target: 0, k: 0.5, h: 5 });
    for (const x of [Number.NaN, Infinity, -Infinity]) expect(cusum.update(x)).toBe(false);
    expect([cusum.high, cusum.low]).toEqual([0, 0]);
    const group = new GroupAccumulator();
    for (const x of [1, Number.NaN, 3, Infinity, -Infinity]) group.add('g', x);
    const summary = group.close('g')!;
    expect([summary.members, summary.count, summary.mean, summary.std]).toEqual([5, 2, 2, Math.SQRT2]);
  });

  it('gives a single-sample group std NaN (as torch) and not zero spread, and an empty group no mean', () => {
    const group = new GroupAccumulator();
    group.add('one', 0.5);
    group.add('none', Number.NaN);
    const one = group.close('one')!;
    const none = group.close('none')!;
    expect([one.count, one.mean, one.zeroStd]).toEqual([1, 0.5, false]);
    expect(one.std).toBeNaN();
    expect([none.count, none.members, none.zeroStd]).toEqual([0, 1, false]);
    expect(none.mean).toBeNaN();
  });

  it('keeps the moments finite for denormals, and RollingQuantiles orders -0 with 0', () => {
    const moments = new Moments();
    for (const x of [5e-324, 0, 5e-324, 1e-320, -5e-324]) moments.push(x);
    expect(Number.isFinite(moments.mean) && Number.isFinite(moments.std)).toBe(true);
    const quantiles = new RollingQuantiles(4);
    for (const x of [-0, 0, -0, 0]) quantiles.push(x);
    expect(quantiles.countAtLeast(0)).toBe(4);
    expect(quantiles.countAtMost(0)).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------
// Operators

const SIM = { steps: 80, promptsPerStep: 4, groupSize: 6 } as const;

const withReward = (events: readonly RewardEvent[], reward: (event: RewardEvent, index: number) => number | undefined): RewardEvent[] =>
  events.map((event, index) => {
    const value = reward(event, index);
    const { reward: _old, ...rest } = event;
    return value === undefined ? rest : { ...rest, reward: value };
  });

const scaleEvent = (event: RewardEvent, scale: number): RewardEvent => ({
  ...event,
  ...(event.reward === undefined ? {} : { reward: event.reward * scale }),
  ...(event.components === undefined ? {} : { components: Object.fromEntries(Object.entries(event.components).map(([k, v]) => [k, v * scale])) }),
});

const healthy = simEvents({ ...SIM, seed: 3 });
const hacked = simEvents({ ...SIM, seed: 4, hack: { pattern: 'exploit', atStep: 40 } });
const NON_FINITE = [Number.NaN, Infinity, -Infinity] as const;

/** Event streams: each a name and its events. */
const EVENT_STREAMS: readonly (readonly [string, readonly RewardEvent[]])[] = [
  ['rewards x1e300 (hacked)', hacked.map((event) => scaleEvent(event, 1e300))],
  ['rewards x1e-300 (hacked)', hacked.map((event) => scaleEvent(event, 1e-300))],
  ['rewards x1e-320, denormal (hacked)', hacked.map((event) => scaleEvent(event, 1e-320))],
  ['constant 1', withReward(healthy, () => 1)],
  ['constant -0', withReward(healthy, () => -0)],
  ['constant 1e308', withReward(healthy, () => 1e308)],
  ['constant 5e-324', withReward(healthy, () => 5e-324)],
  ['alternating ±1e308', withReward(healthy, (_, i) => (i % 2 === 0 ? 1e308 : -1e308))],
  ['NaN / ±Infinity rewards and components mixed in (hacked)', hacked.map((event, i) => (i % 5 === 0 ? { ...event, reward: NON_FINITE[i % 3]!, components: { format: NON_FINITE[(i + 1) % 3]!, correct: 1 } } : event))],
  ['no rewards at all (empty groups)', withReward(healthy, () => undefined)],
  ['single-sample groups (hacked)', hacked.map((event, i) => ({ ...event, group: `solo-${String(i)}` }))],
  ['one sample per step', hacked.filter((_, i) => i % 32 === 0)],
];

/** Step-record streams: the simulator's policy metrics, scaled or broken. */
const policy = simPolicySteps({ ...SIM, seed: 5, hack: { pattern: 'verbosity', atStep: 40 } });
const mapMetrics = (records: readonly StepRecord[], f: (value: number, key: string, step: number) => number): StepRecord[] =>
  records.map((record) => ({ ...record, metrics: Object.fromEntries(Object.entries(record.metrics).map(([key, value]) => [key, f(value, key, record.step)])) }));
const summarized = (events: readonly RewardEvent[]): StepRecord[] => {
  const out: StepRecord[] = [];
  from(events).pipe(operators.summarizeSteps()).subscribe((record) => out.push(record));
  return out;
};

const STEP_STREAMS: readonly (readonly [string, readonly StepRecord[]])[] = [
  ['summarized hacked run', summarized(hacked)],
  ['summarized x1e300', summarized(hacked.map((event) => scaleEvent(event, 1e300)))],
  ['summarized x1e-300', summarized(hacked.map((event) => scaleEvent(event, 1e-300)))],
  ['summarized single-sample groups', summarized(hacked.map((event, i) => ({ ...event, group: `solo-${String(i)}` })))],
  ['summarized with NaN rewards', summarized(hacked.map((event, i) => (i % 5 === 0 ? { ...event, reward: Number.NaN } : event)))],
  ['policy metrics x1e300', mapMetrics(policy, (value) => value * 1e300)],
  ['policy metrics constant', mapMetrics(policy, () => 1)],
  ['policy metrics with NaN/Infinity', mapMetrics(policy, (value, _key, step) => (step % 7 === 0 ? NON_FINITE[step % 3]! : value))],
  ['policy metrics denormal', mapMetrics(policy, (value) => value * 5e-324)],
];

const finite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const NOT_A_NUMBER_TEXT = /\bNaN\b|Infinity/;

/** What is wrong with an alert, or undefined. */
function alertProblem(alert: Alert): string | undefined {
  if (!finite(alert.value)) return `value ${String(alert.value)}`;
  if (!finite(alert.threshold)) return `threshold ${String(alert.threshold)}`;
  for (const [key, value] of Object.entries(alert.evidence.stats)) if (!finite(value)) return `evidence.stats.${key} ${String(value)}`;
  for (const sample of alert.evidence.samples ?? []) {
    for (const key of ['reward', 'length', 'score'] as const) if (sample[key] !== undefined && !finite(sample[key])) return `sample ${key} ${String(sample[key])}`;
  }
  if (NOT_A_NUMBER_TEXT.test(alert.message)) return `message "${alert.message}"`;
  return undefined;
}

function verdictProblem(verdict: Verdict): string | undefined {
  for (const reason of [...verdict.reasons, ...(verdict.currentReasons ?? [])]) if (NOT_A_NUMBER_TEXT.test(reason.message)) return `reason "${reason.message}"`;
  return undefined;
}

/** Runs an operator over items synchronously: its outputs, or the error it raised. */
function run<T, R>(items: readonly T[], operator: OperatorFunction<T, R>): R[] {
  const out: R[] = [];
  let failure: unknown;
  from(items).pipe(operator).subscribe({ next: (value) => out.push(value), error: (error: unknown) => (failure = error) });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('the operator raised a non-Error', { cause: failure });
  return out;
}

/** Every alert-producing operator that reads reward events, with its default config. */
const EVENT_OPERATORS: readonly (readonly [string, () => OperatorFunction<RewardEvent, Alert>])[] = [
  ['meanShift', () => operators.meanShift()],
  ['varianceCollapse', () => operators.varianceCollapse()],
  ['saturation', () => operators.saturation()],
  ['groupCollapse', () => operators.groupCollapse()],
  ['spike', () => operators.spike()],
  ['componentDominance', () => operators.componentDominance()],
  ['distributionDrift', () => operators.distributionDrift()],
  ['repetition', () => operators.repetition()],
  ['formatGaming', () => operators.formatGaming()],
  ['degenerateOutputs', () => operators.degenerateOutputs()],
  ['diversityCollapse', () => operators.diversityCollapse()],
  ['constraint', () => operators.constraint({ name: 'reward-positive', test: (event) => (event.reward === undefined ? undefined : event.reward > 0), maxRate: 0.5 })],
  ['sampleDetectors', () => operators.sampleDetectors()],
];

/** Every alert-producing operator that reads step records, with its default config. */
const STEP_OPERATORS: readonly (readonly [string, () => OperatorFunction<StepRecord, Alert>])[] = [
  ['stepDetectors', () => operators.stepDetectors()],
  ['trend', () => operators.trend()],
  ['truncation', () => operators.truncation()],
  ['groupCollapseFromSteps', () => operators.groupCollapseFromSteps()],
  ['meanShift (reward/mean)', () => operators.meanShift<StepRecord>({ select: (record) => record.metrics['reward/mean'], step: (record) => record.step })],
  ['varianceCollapse (reward/std)', () => operators.varianceCollapse<StepRecord>({ select: (record) => record.metrics['reward/std'], step: (record) => record.step })],
  ['componentDominance (steps)', () => operators.componentDominance()],
  ['distributionDrift (steps)', () => operators.distributionDrift()],
];

/**
 * Known failures of operators owned by others (not edited here), each reported: `it.fails`
 * keeps the suite green while they stand and turns red the day one is fixed, so the entry is
 * removed then. Keyed `operator|stream`.
 */
// None stand at present: the map stays so a new failure can be pinned the same way.
const KNOWN_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([]);

const check = (key: string, name: string, body: () => void): void => {
  if (KNOWN_FAILURES.has(key)) it.fails(name, body);
  else it(name, body);
};

for (const [name, make] of EVENT_OPERATORS) {
  describe(`${name} on extreme reward numbers`, () => {
    for (const [stream, events] of EVENT_STREAMS) {
      check(`${name}|${stream}`, `${stream}: finite alert numbers, no NaN in messages, a finite verdict`, () => {
        const alerts = run(events, make());
        for (const alert of alerts) expect(alertProblem(alert), alert.message).toBeUndefined();
        for (const verdict of run(alerts, operators.verdict())) expect(verdictProblem(verdict)).toBeUndefined();
      });
    }
  });
}

for (const [name, make] of STEP_OPERATORS) {
  describe(`${name} on extreme step metrics`, () => {
    for (const [stream, records] of STEP_STREAMS) {
      check(`${name}|${stream}`, `${stream}: finite alert numbers, no NaN in messages`, () => {
        for (const alert of run(records, make())) expect(alertProblem(alert), alert.message).toBeUndefined();
      });
    }
  });
}

describe('metric operators on extreme numbers', () => {
  for (const [stream, events] of EVENT_STREAMS) {
    check(`summarizeSteps|${stream}`, `summarizeSteps on ${stream}: finite metrics only`, () => {
      for (const record of run(events, operators.summarizeSteps())) {
        for (const [key, value] of Object.entries(record.metrics)) expect(finite(value), `${key} ${String(value)} at step ${String(record.step)}`).toBe(true);
      }
    });

    check(`windowStats|${stream}`, `windowStats on ${stream}: finite statistics`, () => {
      for (const stats of run(events, operators.windowStats())) {
        for (const [key, value] of Object.entries(stats)) {
          if (typeof value === 'number') expect(finite(value), `${key} ${String(value)}`).toBe(true);
        }
      }
    });
  }

  check('summarizeSteps|missing count', 'summarizeSteps leaves NaN and infinite rewards out of the mean and counts them as missing', () => {
    const events: RewardEvent[] = [
      { step: 1, reward: 1, group: 'a' },
      { step: 1, reward: Number.NaN, group: 'a' },
      { step: 1, reward: 3, group: 'a' },
      { step: 1, reward: Infinity, group: 'b' },
      { step: 2, reward: 0, group: 'a' },
    ];
    const first = run(events, operators.summarizeSteps())[0]!;
    expect(first.metrics['reward/mean']).toBe(2);
    expect(first.missing).toBe(2);
  });

  it('summarizeSteps leaves NaN and infinite rewards out of the mean and the group statistics', () => {
    const events: RewardEvent[] = [
      { step: 1, reward: 1, group: 'a' },
      { step: 1, reward: Number.NaN, group: 'a' },
      { step: 1, reward: 3, group: 'a' },
      { step: 1, reward: -Infinity, group: 'b' },
      { step: 2, reward: 0, group: 'a' },
    ];
    const first = run(events, operators.summarizeSteps())[0]!;
    expect([first.metrics['reward/mean'], first.metrics['reward/std'], first.metrics['samples']]).toEqual([2, Math.SQRT2, 4]);
  });
});
