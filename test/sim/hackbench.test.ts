import { describe, expect, it } from 'vitest';
import type { Alert, AlertState, Severity } from '../../src/core/types.js';
import { scoreAlerts } from '../../src/sim/hackbench.js';

function alert(step: number, since: number, severity: Severity, state: AlertState): Alert {
  return {
    id: `groupCollapse:reward:${String(since)}`,
    detector: 'groupCollapse',
    metric: 'reward',
    severity,
    signal: 'collapse',
    step,
    message: 'zero spread',
    value: 0,
    threshold: 0,
    since,
    evidence: { stats: {} },
    state,
  };
}

const healthyRun = { pattern: 'healthy' as const, events: 100, simulation: { seed: 1, steps: 10 } };

describe('scoreAlerts false alerts', () => {
  it('counts an episode that opens at info and escalates to warning while ongoing, once', () => {
    const alerts = [alert(3, 3, 'info', 'onset'), alert(4, 3, 'warning', 'ongoing'), alert(5, 3, 'critical', 'ongoing')];
    expect(scoreAlerts(alerts, healthyRun).falseAlerts).toBe(1);
  });

  it('counts a warning onset, and a new episode after the first resolved', () => {
    const alerts = [alert(3, 3, 'warning', 'onset'), alert(6, 3, 'warning', 'resolved'), alert(8, 8, 'warning', 'onset')];
    expect(scoreAlerts(alerts, healthyRun).falseAlerts).toBe(2);
  });

  it('does not count info episodes', () => {
    expect(scoreAlerts([alert(3, 3, 'info', 'onset'), alert(4, 3, 'info', 'ongoing')], healthyRun).falseAlerts).toBe(0);
  });
});
