import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert, SampleRef } from '../../src/core/types.js';
import { classify, DashboardState } from '../../src/server/dashboard-state.js';

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'formatGaming:reward:5',
  detector: 'formatGaming',
  metric: 'reward',
  severity: 'warning',
  signal: 'exploit',
  step: 5,
  message: 'junk paid',
  value: 0.6,
  threshold: 0.2,
  since: 5,
  state: 'onset',
  evidence: { stats: { rate: 0.6 } },
  ...over,
});

describe('DashboardState', () => {
  it('merges the records of one step into one row, eval records under eval/', () => {
    const state = new DashboardState({ now: () => 42 });
    state.add({ step: 1, metrics: { 'reward/mean': 0.5 } });
    state.add({ step: 1, metrics: { kl: 0.1 }, t: 7 });
    state.add({ step: 1, metrics: { 'reward/mean': 0.4 }, phase: 'eval' });
    state.add({ step: 2, metrics: { 'reward/mean': 0.6, bad: Number.NaN } });
    const [channel] = state.snapshot().channels;
    expect(channel!.rows).toEqual([
      { step: 1, t: 42, metrics: { 'reward/mean': 0.5, kl: 0.1, 'eval/reward/mean': 0.4 } },
      { step: 2, t: 42, metrics: { 'reward/mean': 0.6 } },
    ]);
    expect(channel!.totals.steps).toBe(2);
  });

  it('routes by channel option, else by the item\'s run or tag, else "run"', () => {
    const state = new DashboardState();
    state.add({ step: 1, metrics: { a: 1 }, run: 'r1' });
    state.add(alert({ tag: 'pipe' }));
    state.add({ step: 1, metrics: { a: 1 } }, { channel: 'explicit' });
    state.add({ status: 'healthy', reasons: [], step: 1 });
    expect(state.channelNames()).toEqual(['r1', 'pipe', 'explicit', 'run']);
  });

  it('keeps one entry per alert episode (latest state) and lists its evidence samples once', () => {
    const state = new DashboardState();
    const samples: SampleRef[] = [{ step: 5, response: 'I am fine. I am fine. I am fine. I am fine.' }];
    state.add(alert({ evidence: { stats: {}, samples } }));
    state.add(alert({ step: 6, state: 'ongoing', evidence: { stats: {}, samples } }));
    state.add(alert({ step: 9, state: 'resolved', evidence: { stats: {}, samples } }));
    state.add(alert({ id: 'other', tag: 't' }), { channel: 'run' });
    const [channel] = state.snapshot().channels;
    expect(channel!.alerts.map((a) => [a.id, a.state])).toEqual([
      ['formatGaming:reward:5', 'resolved'],
      ['other', 'onset'],
    ]);
    expect(channel!.samples).toHaveLength(1);
    // Word trigrams of "i am fine" x4: 10 trigrams, 3 distinct -> 1 - 3/10.
    expect(channel!.samples[0]).toMatchObject({ id: 1, alerts: ['formatGaming:reward:5'], repetition: 0.7 });
  });

  it('tells items apart by shape and unwraps kind wrappers, but does not flag every sample of a run', () => {
    expect(classify({ step: 1, metrics: {} })?.kind).toBe('step');
    expect(classify({ kind: 'summary', record: { step: 1, metrics: {} } })?.kind).toBe('step');
    expect(classify({ kind: 'step', record: { step: 1, metrics: {} } })?.kind).toBe('step');
    expect(classify(alert())?.kind).toBe('alert');
    expect(classify({ kind: 'alert', alert: alert() })?.kind).toBe('alert');
    expect(classify({ status: 'hacking', reasons: [], step: 3 })?.kind).toBe('verdict');
    expect(classify({ step: 3, reward: 1 })?.kind).toBe('sample');
    expect(classify({ kind: 'sample', sample: { step: 3 } })?.kind).toBe('sample');
    expect(classify({ kind: 'problem', problem: { source: 'f', line: 1, reason: 'x', excerpt: '' } })?.kind).toBe('problem');
    expect(classify({ kind: 'event', event: { step: 3, reward: 1 } })).toBeUndefined();
    expect(classify({ nothing: true } as never)).toBeUndefined();
    expect(classify(null as never)).toBeUndefined();
  });

  it('adds the KS length drift of the run\'s samples against its first ones to the step rows', () => {
    const state = new DashboardState({ driftWindow: 4, now: () => 0 });
    const event = (step: number, length: number) => ({ kind: 'event', event: { step, reward: 1, length } }) as const;
    for (const length of [10, 11, 12, 13]) expect(state.add(event(1, length))).toEqual([]);
    state.add({ step: 1, metrics: { 'length/mean': 11.5 } });
    // The reference is full but nothing recent yet: no statistic.
    state.add(event(2, 30));
    state.add({ step: 2, metrics: { 'length/mean': 30 } });
    // One recent value above every reference value: KS distance 1 (quarter of the window filled).
    state.add(event(3, 11.5));
    state.add(event(3, 12.5));
    state.add(event(3, 40));
    // Recent {30, 11.5, 12.5, 40} vs reference {10..13}: ECDFs differ most at 13 (1 vs 2/4): D = 0.5.
    state.add({ step: 3, metrics: { 'length/mean': 23.5 } });
    const rows = state.snapshot().channels[0]!.rows;
    expect(rows.map((r) => r.metrics['length/drift_ks'])).toEqual([undefined, 1, 0.5]);
    expect(state.snapshot().channels[0]!.samples).toEqual([]);
  });

  it('cuts long sample text and says how much was cut', () => {
    const state = new DashboardState({ maxTextChars: 10 });
    state.add({ step: 1, response: 'x'.repeat(25) });
    expect(state.snapshot().channels[0]!.samples[0]!.response).toBe(`${'x'.repeat(10)}… [15 more characters]`);
  });

  it('rejects bad history sizes and length caps', () => {
    expect(() => new DashboardState({ historySteps: 0 })).toThrow(RangeError);
    expect(() => new DashboardState({ historyAlerts: 1.5 })).toThrow(RangeError);
    expect(() => new DashboardState().setLengthCap('run', -1)).toThrow(RangeError);
  });

  it('property: history is the last N steps seen, in order, whatever the stream (bounded memory)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 300 }), fc.integer({ min: 1, max: 20 }), (steps, capacity) => {
        const state = new DashboardState({ historySteps: capacity, historyAlerts: capacity, now: () => 0 });
        const rows: { step: number; count: number }[] = [];
        steps.forEach((step, i) => {
          state.add({ step, metrics: { [`m${i}`]: i } });
          state.add(alert({ id: `a${step}`, step }));
          // Plain recomputation: a step still in the window merges, otherwise a new row (oldest dropped).
          const row = rows.find((r) => r.step === step);
          if (row !== undefined) row.count++;
          else {
            rows.push({ step, count: 1 });
            if (rows.length > capacity) rows.shift();
          }
        });
        const channel = state.snapshot().channels[0];
        if (steps.length === 0) return channel === undefined;
        expect(channel!.rows.map((r) => [r.step, Object.keys(r.metrics).length])).toEqual(rows.map((r) => [r.step, r.count]));
        expect(channel!.alerts.length).toBeLessThanOrEqual(capacity);
        expect(new Set(channel!.alerts.map((a) => a.id)).size).toBe(channel!.alerts.length);
        return true;
      }),
    );
  });
});
