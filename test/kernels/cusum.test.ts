import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TabularCusum } from '../../src/kernels/cusum.js';
import { reference } from '../support/paths.js';

// ../shared/references/cusum.json: NIST/SEMATECH e-Handbook 6.3.2.3, Montgomery Example 9.1,
// Lucas & Crosier (1982) Table 5, oremif/kstats unit cases, River drift.CUSUM doctest.
const refs = JSON.parse(readFileSync(reference('cusum.json'), 'utf8'));

interface Run {
  readonly high: number[];
  readonly low: number[];
  readonly alarms: number[];
}

function run(chart: TabularCusum, data: readonly number[]): Run {
  const high: number[] = [];
  const low: number[] = [];
  const alarms: number[] = [];
  data.forEach((x, i) => {
    if (chart.update(x)) alarms.push(i);
    high.push(chart.high);
    low.push(chart.low);
  });
  return { high, low, alarms };
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - expected[i]!), `index ${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  });
}

describe('TabularCusum', () => {
  it('reproduces NIST e-Handbook 6.3.2.3: exact sums and first alarm at group 14', () => {
    const nist = refs.nist_6_3_2_3_tabular_cusum;
    const { target, k, h } = nist.params;
    const result = run(new TabularCusum({ target, k, h }), nist.data);
    // exact recomputation: 1e-9; printed 2-decimal table: 0.005 + 1e-9 (conventions of the file)
    expectClose(result.high, nist.exact_recomputed.s_hi, 1e-9);
    expectClose(result.low, nist.exact_recomputed.s_lo, 1e-9);
    expectClose(result.high, nist.printed.s_hi, 0.005 + 1e-9);
    expectClose(result.low, nist.printed.s_lo, 0.005 + 1e-9);
    expect(result.alarms).toEqual(nist.exact_recomputed.alarm_hi_indices0);
    expect(result.alarms[0]! + 1).toBe(nist.first_alarm.group_1based);
  });

  it('reproduces Montgomery Example 9.1: C+ = 5.28 at period 29, C-(2) = 1.56, C-(3) = 1.77', () => {
    const ex = refs.montgomery_example_9_1;
    const chart = new TabularCusum({ target: ex.params.target, k: ex.params.K, h: ex.params.H });
    const result = run(chart, ex.data);
    expectClose(result.high, ex.exact_recomputed.s_hi, 1e-9);
    expectClose(result.low, ex.exact_recomputed.s_lo, 1e-9);
    expectClose(result.high.slice(0, 29), ex.printed_c_plus_periods_1_to_29, 0.005 + 1e-9);
    expect(result.alarms[0]! + 1).toBe(ex.printed_facts.alarm_period_1based);
    expect(result.high[28]).toBeCloseTo(ex.printed_facts.C_plus_29, 9);
    expect(result.high[29]).toBeCloseTo(ex.printed_facts.C_plus_30_if_not_restarted, 9);
    expect(result.low[1]).toBeCloseTo(ex.printed_facts.C_minus_2, 9);
    expect(result.low[2]).toBeCloseTo(ex.printed_facts.C_minus_3, 9);
    expect(result.alarms).toEqual(ex.exact_recomputed.alarm_hi_indices0);
    // N+ = 7: the upper sum has been non-zero for 7 periods at the alarm (shift after period 22)
    let run7 = 0;
    for (let i = 28; i >= 0 && result.high[i]! > 0; i--) run7++;
    expect(run7).toBe(ex.printed_facts.N_plus_at_alarm);
  });

  it('reproduces Lucas & Crosier (1982) Table 5: FIR head start 2.5 signals at 3 instead of 7', () => {
    const lc = refs.lucas_crosier_1982_fir_example;
    const { target, k, h, head_start_fir } = lc.params;
    const plain = run(new TabularCusum({ target, k, h }), lc.data);
    const fir = run(new TabularCusum({ target, k, h, headStart: head_start_fir }), lc.data);
    expectClose(plain.high, lc.exact_recomputed_no_fir, 1e-9);
    expectClose(fir.high, lc.exact_recomputed_fir, 1e-9);
    expect(plain.alarms[0]! + 1).toBe(lc.printed.signal_1based.no_fir);
    expect(fir.alarms[0]! + 1).toBe(lc.printed.signal_1based.fir_2_5);
  });

  const kstatsCases: [number, any][] = refs.kstats_unit_cases.cases.map((c: any, i: number) => [i, c]);
  it.each(kstatsCases)('reproduces oremif/kstats unit case %i', (_i, c) => {
    const result = run(new TabularCusum({ target: c.target, k: c.k, h: c.h }), c.data);
    if (c.s_hi) expectClose(result.high, c.s_hi, 1e-9);
    if (c.s_lo) expectClose(result.low, c.s_lo, 1e-9);
    expect(result.alarms[0] ?? -1).toBe(c.alarm_index0);
  });

  it('reports which side alarmed', () => {
    const chart = new TabularCusum({ k: 0.5, h: 1 });
    expect(chart.update(0)).toBe(false);
    expect(chart.side).toBe('none');
    expect(chart.update(3)).toBe(true);
    expect(chart.side).toBe('high');
    chart.reset();
    expect(chart.update(-3)).toBe(true);
    expect(chart.side).toBe('low');
  });

  it('keeps alarming without a reset, restarts from the head start with resetOnAlarm', () => {
    const sticky = new TabularCusum({ k: 0.5, h: 2 });
    const restart = new TabularCusum({ k: 0.5, h: 2, headStart: 1, resetOnAlarm: true });
    expect([3, 3, 0].map((x) => sticky.update(x))).toEqual([true, true, true]);
    expect(restart.update(3)).toBe(true); // 1 + 2.5 = 3.5 > 2
    expect(restart.update(0)).toBe(false); // restarted at 1, then 1 - 0.5 = 0.5
    expect(restart.high).toBeCloseTo(0.5, 12);
    expect(restart.updates).toBe(1);
  });

  it('ignores non-finite input instead of zeroing the sums', () => {
    const chart = new TabularCusum({ k: 0, h: 10 });
    chart.update(3);
    chart.update(Number.NaN);
    chart.update(Number.POSITIVE_INFINITY);
    expect(chart.high).toBe(3);
    expect(chart.updates).toBe(1);
  });

  it('rejects bad settings at construction', () => {
    expect(() => new TabularCusum({ k: -1 })).toThrow(RangeError);
    expect(() => new TabularCusum({ h: 0 })).toThrow(RangeError);
    expect(() => new TabularCusum({ h: 5, headStart: 5 })).toThrow(RangeError);
    expect(() => new TabularCusum({ target: Number.NaN })).toThrow(RangeError);
  });

  const stream = fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { maxLength: 200 });
  const settings = fc.record({
    target: fc.double({ min: -5, max: 5, noNaN: true }),
    k: fc.double({ min: 0, max: 3, noNaN: true }),
    h: fc.double({ min: 0.1, max: 20, noNaN: true }),
  });

  it('property: sums are never negative and match a plain recomputation', () => {
    fc.assert(
      fc.property(stream, settings, (data, { target, k, h }) => {
        const chart = new TabularCusum({ target, k, h });
        let hi = 0;
        let lo = 0;
        for (const x of data) {
          const alarm = chart.update(x);
          hi = Math.max(0, hi + x - (target + k));
          lo = Math.max(0, lo + (target - k) - x);
          expect(chart.high).toBeGreaterThanOrEqual(0);
          expect(chart.low).toBeGreaterThanOrEqual(0);
          expect(chart.high).toBe(hi);
          expect(chart.low).toBe(lo);
          expect(alarm).toBe(hi > h || lo > h);
        }
      }),
    );
  });

  it('property: a FIR head start never delays the first signal', () => {
    fc.assert(
      fc.property(stream, settings, fc.double({ min: 0, max: 0.99, noNaN: true }), (data, { target, k, h }, fraction) => {
        const plain = new TabularCusum({ target, k, h });
        const fir = new TabularCusum({ target, k, h, headStart: fraction * h });
        const first = (chart: TabularCusum): number => {
          const index = data.findIndex((x) => chart.update(x));
          return index < 0 ? Number.POSITIVE_INFINITY : index;
        };
        expect(first(fir)).toBeLessThanOrEqual(first(plain));
      }),
    );
  });

  // River drift.CUSUM doctest: a detector built on the chart (frozen warm-up mean/std, k and h in
  // std units, full reset after a detection). Runs only when the shared stream file exists.
  const river = refs.river_cusum_detector_doc;
  const streamPath = reference(river.stream_file);
  it.skipIf(!existsSync(streamPath))(`River drift.CUSUM doctest detections (needs ${river.stream_file}, absent in ../shared/references)`, () => {
    const parsed = JSON.parse(readFileSync(streamPath, 'utf8'));
    const data: number[] = Array.isArray(parsed) ? parsed : parsed.data ?? parsed.stream;
    const { min_instances, slack, threshold } = river.params;
    const detections: number[] = [];
    let warmup: number[] = [];
    let chart: TabularCusum | undefined;
    let resetNext = false;
    data.forEach((x, i) => {
      if (resetNext) {
        warmup = [];
        chart = undefined;
        resetNext = false;
      }
      if (!chart) {
        warmup.push(x);
        if (warmup.length < min_instances) return;
        const mean = warmup.reduce((a, b) => a + b, 0) / warmup.length;
        const std = Math.sqrt(warmup.reduce((a, b) => a + (b - mean) ** 2, 0) / (warmup.length - 1));
        chart = new TabularCusum({ target: mean, k: slack * std, h: threshold * std });
      }
      if (chart.update(x)) {
        detections.push(i);
        resetNext = true;
      }
    });
    expect(detections).toEqual(river.expected_indices);
  });
});
