/**
 * alert-plumbing: the alert state machines alone and through their operators, so the cost of the
 * RxJS layer is visible. Inputs are generated before timing.
 * - hysteresis: 10^6 conditions over 16 keys, 64 per step, flapping on a fixed pattern.
 * - judge: 10^5 alerts over 32 episodes (onset/ongoing/resolved, mixed signals).
 * - rateLimitAlerts (steps): 10^5 alerts over 16 keys, max 3 per 10 steps.
 */
import { from, type Observable } from 'rxjs';
import { fmt, time, type Row, type Table } from './harness.js';
import { hysteresis } from '../operators/hysteresis.js';
import { rateLimitAlerts } from '../operators/rate-limit-alerts.js';
import { verdict } from '../operators/verdict.js';
import type { Condition } from '../src/core/condition.js';
import { Hysteresis } from '../src/core/hysteresis.js';
import type { Alert, AlertSignal } from '../src/core/types.js';
import { judge } from '../src/core/verdict.js';

const RUNS = 5;
const CONDITIONS = 1_000_000;
const ALERTS = 100_000;
const SIGNALS: readonly AlertSignal[] = ['proxy-rise', 'exploit', 'collapse', 'instability', 'info'];

const conditions: Condition[] = Array.from({ length: CONDITIONS }, (_, i) => ({
  detector: 'meanShift',
  metric: `m${i % 16}`,
  step: Math.floor(i / 64),
  // active for 20 steps out of every 50, shifted per key
  active: (Math.floor(i / 64) + (i % 16) * 3) % 50 < 20,
  severity: 'warning',
  signal: 'exploit',
  message: 'x',
  value: 1,
  threshold: 0.5,
  evidence: { stats: {} },
}));

const alerts: Alert[] = Array.from({ length: ALERTS }, (_, i) => {
  const episode = i % 32;
  const step = Math.floor(i / 8);
  const phase = Math.floor(step / 10) % 3;
  return {
    id: `d${episode}:m:${Math.floor(step / 30)}`,
    detector: `d${episode}`,
    metric: 'm',
    severity: episode % 3 === 0 ? 'info' : 'warning',
    signal: SIGNALS[episode % SIGNALS.length]!,
    step,
    message: 'x',
    value: 1,
    threshold: 0.5,
    since: Math.floor(step / 30) * 30,
    evidence: { stats: {} },
    state: phase === 0 ? 'onset' : phase === 1 ? 'ongoing' : 'resolved',
  };
});

function count<T>(source: Observable<T>): number {
  let n = 0;
  source.subscribe(() => n++);
  return n;
}

export function run(): Table[] {
  const rows: Row[] = [];
  const add = (name: string, events: number, body: () => unknown, baseline?: number): number => {
    const t = time(body, events, RUNS);
    rows.push({
      name,
      cells: [fmt.ns(t.nsPerEvent), fmt.rate(1e9 / t.nsPerEvent), baseline === undefined ? '—' : `${((t.nsPerEvent / baseline - 1) * 100).toFixed(0)}%`],
    });
    return t.nsPerEvent;
  };
  const machineNs = add('Hysteresis machine, plain loop', CONDITIONS, () => {
    const machine = new Hysteresis({ clearAfter: 3, cooldown: 5 });
    let n = 0;
    for (const c of conditions) if (machine.next(c)) n++;
    return n;
  });
  add('hysteresis() operator', CONDITIONS, () => count(from(conditions).pipe(hysteresis({ clearAfter: 3, cooldown: 5 }))), machineNs);
  const judgeNs = add('judge(), plain loop', ALERTS, () => judge(alerts));
  add('verdict() operator', ALERTS, () => count(from(alerts).pipe(verdict())), judgeNs);
  add('rateLimitAlerts({ max: 3, windowSteps: 10 })', ALERTS, () => count(from(alerts).pipe(rateLimitAlerts({ max: 3, windowSteps: 10 }))));
  return [
    {
      suite: 'alert-plumbing',
      title: 'Alert plumbing: state machines alone and through RxJS',
      header: ['body', 'time/event', 'rate', 'RxJS overhead vs plain loop'],
      rows,
      notes: [
        `Hysteresis: ${CONDITIONS.toLocaleString('en-US')} conditions over 16 keys, 64 per step. Verdict and rate limit: ${ALERTS.toLocaleString('en-US')} alerts over 32 episodes (alert volume after hysteresis is orders of magnitude below the event rate). Median of ${RUNS} runs.`,
      ],
    },
  ];
}
