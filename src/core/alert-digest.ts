/**
 * A digest of the alerts of one window, made by `aggregateAlerts()`. It is itself an `Alert`
 * (detector `aggregateAlerts`), so every alert sink can print it, and it carries the alerts it
 * folds plus their counts.
 */
import { severityRank, type Alert, type Severity } from './types.js';

export interface AlertDigest extends Alert {
  /** The alerts of the window, in arrival order. */
  readonly alerts: readonly Alert[];
  /** How many alerts per severity (every severity present, zeros included). */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** How many alerts per detector. */
  readonly byDetector: Readonly<Record<string, number>>;
}

/**
 * Builds the digest of a non-empty window of alerts: severity = the worst, signal `info`,
 * `since`/`step` = first/last alert step, `value` = the count, message like
 * "3 alerts in steps 10-19: 1 critical, 2 warning (meanShift 2, repetition 1)". Throws a
 * RangeError on an empty list (the operator never emits empty windows).
 */
export function digestAlerts(alerts: readonly Alert[], windowText: string): AlertDigest {
  const first = alerts[0];
  const last = alerts.at(-1);
  if (first === undefined || last === undefined) throw new RangeError('digestAlerts requires at least one alert');
  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  const byDetector: Record<string, number> = {};
  let worst: Severity = 'info';
  let tag: string | undefined = first.tag;
  for (const alert of alerts) {
    bySeverity[alert.severity] += 1;
    byDetector[alert.detector] = (byDetector[alert.detector] ?? 0) + 1;
    if (severityRank[alert.severity] > severityRank[worst]) worst = alert.severity;
    if (alert.tag !== tag) tag = undefined;
  }
  const severities = (['critical', 'warning', 'info'] as const)
    .filter((severity) => bySeverity[severity] > 0)
    .map((severity) => `${bySeverity[severity]} ${severity}`)
    .join(', ');
  const detectors = Object.entries(byDetector)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .map(([detector, count]) => `${detector} ${count}`)
    .join(', ');
  const stats: Record<string, number> = { count: alerts.length };
  for (const [severity, count] of Object.entries(bySeverity)) stats[`severity/${severity}`] = count;
  for (const [detector, count] of Object.entries(byDetector)) stats[`detector/${detector}`] = count;
  const digest: AlertDigest = {
    id: `aggregateAlerts:${first.step}`,
    detector: 'aggregateAlerts',
    metric: 'alerts',
    severity: worst,
    signal: 'info',
    step: last.step,
    message: `${alerts.length} alert${alerts.length === 1 ? '' : 's'} in ${windowText}: ${severities} (${detectors})`,
    value: alerts.length,
    threshold: 0,
    since: first.step,
    evidence: { stats },
    state: 'onset',
    alerts,
    bySeverity,
    byDetector,
  };
  return tag === undefined ? digest : { ...digest, tag };
}
