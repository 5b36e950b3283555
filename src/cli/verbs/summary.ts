/** `goodhart summary <files...>`: per-metric statistics, each detector's state and the verdict. */
import type { Command } from 'commander';
import { max, mean, median, min, standardDeviation } from 'simple-statistics';
import type { Alert, Severity, StepRecord, Verdict } from '../../core/types.js';
import { formatNumber, formatVerdict } from '../../sinks/console.js';
import { oneLine } from '../../sinks/terminal.js';
import { defaultDetectors, type DetectorRun } from '../detect.js';
import { examples, threadsOption, positiveInt, resolveShared, sharedOptions, type SharedFlags, type VerbContext } from '../options.js';
import { replay } from '../run-analysis.js';
import { componentsOf, unseenTrueComponent } from '../true-component.js';
import { withUnjudgedJson } from '../unjudged-json.js';

interface SummaryFlags extends SharedFlags {
  readonly last?: number;
  readonly json?: boolean;
}

/** Statistics of one metric over the summarized steps. */
export interface MetricSummary {
  readonly metric: string;
  readonly n: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly first: number;
  readonly last: number;
}

/** Where one detector stands at the end of the run, from its latest alert. */
export interface DetectorState {
  /** As alerts name it: the operator (`meanShift`). */
  readonly detector: string;
  /** Its pipeline slot (`rewardShift`); null for alerts from outside the pipeline's list. */
  readonly slot: string | null;
  /** The series it watches (`reward/mean`). */
  readonly metric: string;
  /** `quiet`: it never alerted; `active`: an episode is open; `resolved`: its last episode closed. */
  readonly state: 'quiet' | 'active' | 'resolved';
  /** The latest episode's severity (null when quiet). */
  readonly severity: Severity | null;
  /** The step the latest episode opened (null when quiet). */
  readonly since: number | null;
  /** The step of its latest alert: the resolution step when resolved (null when quiet). */
  readonly step: number | null;
  readonly episodes: number;
  readonly message: string | null;
}

/** Per-metric statistics (simple-statistics; population std) of the train-phase step records. */
export function metricSummaries(records: readonly StepRecord[]): MetricSummary[] {
  const values = new Map<string, number[]>();
  for (const record of records) {
    if (record.phase === 'eval') continue;
    for (const [metric, value] of Object.entries(record.metrics)) {
      let list = values.get(metric);
      if (list === undefined) values.set(metric, (list = []));
      list.push(value);
    }
  }
  return [...values.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([metric, list]) => ({
      metric,
      n: list.length,
      mean: mean(list),
      std: standardDeviation(list),
      min: min(list),
      median: median(list),
      max: max(list),
      first: list[0]!,
      last: list[list.length - 1]!,
    }));
}

/**
 * The state of every detector that ran (in pipeline order, quiet ones included) from its latest
 * alert, with how many episodes it opened; alerts of a detector not in `detectors` get a row too.
 */
export function detectorStates(detectors: readonly DetectorRun[], alerts: readonly Alert[]): DetectorState[] {
  const key = (named: { readonly detector: string; readonly metric: string }): string => `${named.detector}\u0000${named.metric}`;
  const states = new Map<string, DetectorState>();
  for (const { detector, slot, metric } of detectors) {
    states.set(key({ detector, metric }), { detector, slot, metric, state: 'quiet', severity: null, since: null, step: null, episodes: 0, message: null });
  }
  for (const alert of alerts) {
    const before = states.get(key(alert));
    states.set(key(alert), {
      detector: alert.detector,
      slot: before?.slot ?? null,
      metric: alert.metric,
      state: alert.state === 'resolved' ? 'resolved' : 'active',
      severity: alert.severity,
      since: alert.since,
      step: alert.step,
      episodes: (before?.episodes ?? 0) + (alert.state === 'onset' ? 1 : 0),
      message: alert.message,
    });
  }
  return [...states.values()];
}

/** A detector's state in words: `quiet`, `active: warning since step 40...`, `resolved at step 60...`. */
function describeState(d: DetectorState): string {
  if (d.state === 'quiet') return 'quiet';
  const episodes = `${d.episodes} episode${d.episodes === 1 ? '' : 's'}`;
  const message = oneLine(d.message ?? '', 200);
  return d.state === 'active'
    ? `active: ${d.severity!} since step ${d.since!} (last alert step ${d.step!}), ${episodes}: ${message}`
    : `resolved at step ${d.step!} (${d.severity!} since step ${d.since!}), ${episodes}: ${message}`;
}

/**
 * Aligned text lines of a table: every column as wide as its widest cell, the `right` ones padded
 * on the left, a left-aligned last column not padded at all.
 */
function tableLines(header: readonly string[], rows: readonly (readonly string[])[], right: (column: number) => boolean, indent = ''): string[] {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
  const last = header.length - 1;
  const cell = (text: string, k: number): string => (right(k) ? text.padStart(widths[k]!) : k === last ? text : text.padEnd(widths[k]!));
  return [header, ...rows].map((row) => `${indent}${row.map(cell).join('  ')}\n`);
}

/** The records of the last `n` distinct steps. */
export function lastSteps(records: readonly StepRecord[], n: number | undefined): StepRecord[] {
  if (n === undefined) return [...records];
  const steps = [...new Set(records.map((record) => record.step))].sort((a, b) => b - a);
  if (steps.length <= n) return [...records];
  const first = steps[n - 1]!;
  return records.filter((record) => record.step >= first);
}

function verdictJson(verdict: Verdict): Record<string, unknown> {
  return {
    status: verdict.status,
    current: verdict.current ?? verdict.status,
    firstFlaggedStep: verdict.firstFlaggedStep ?? null,
    worstSince: verdict.worstSince ?? null,
    step: verdict.step,
    reasons: verdict.reasons,
  };
}

export function registerSummary(program: Command, context: VerbContext): void {
  threadsOption(
    sharedOptions(
      program
        .command('summary')
        .description("Per-metric statistics, each detector's state, the verdict with its reasons and first flagged step.")
        .argument('<files...>', 'log file(s); several = one per rank, merged by step')
        .option('--last <n>', 'statistics over the last N steps only (the verdict still judges the whole run)', positiveInt('--last'))
        .option('--json', 'print one JSON object: metrics, detectors, verdict, counts'),
    ),
  )
    .addHelpText('after', examples(['goodhart summary run.jsonl', 'goodhart summary trainer_state.json --last 20', 'goodhart summary run.jsonl --json']))
    .action(async (files: string[], flags: SummaryFlags) =>
      withUnjudgedJson(flags.json, context.io, async () => {
        const { io } = context;
        const shared = await resolveShared(flags, io);
        const tally = await replay(files.map(shared.path), shared, context, { summarize: true, keepSummaries: true, keepAlerts: true });
        const records = lastSteps(tally.summaries, flags.last);
        const metrics = metricSummaries(records);
        const detectors = detectorStates(defaultDetectors(shared.config), tally.alerts);
        const verdict = tally.verdict();
        const unseen = unseenTrueComponent(shared.config.trueComponent, componentsOf(tally.summaries));
        if (unseen !== undefined) io.stderr(unseen);
        const counts = { events: tally.events, steps: tally.steps, problems: tally.problems, alerts: tally.alertCount };
        if (flags.json === true) {
          const window = records.length === 0 ? null : { from: records[0]!.step, to: records[records.length - 1]!.step, records: records.length };
          io.stdout(`${JSON.stringify({ ...counts, window, metrics, detectors, verdict: verdictJson(verdict) })}\n`);
          return;
        }
        const out: string[] = [];
        out.push(
          `${counts.events} events, ${counts.steps} step records, ${counts.problems} input problems, ${counts.alerts} alerts` +
            (records.length > 0 ? `; statistics over steps ${records[0]!.step}..${records[records.length - 1]!.step}` : '') +
            '\n',
        );
        if (!shared.quiet && metrics.length > 0) {
          const header = ['metric', 'n', 'mean', 'std', 'min', 'median', 'max', 'first', 'last'];
          const rows = metrics.map((m) => [oneLine(m.metric, 48), String(m.n), ...[m.mean, m.std, m.min, m.median, m.max, m.first, m.last].map(formatNumber)]);
          out.push(...tableLines(header, rows, (column) => column > 0));
        }
        if (!shared.quiet && detectors.length > 0) {
          const rows = detectors.map((d) => [oneLine(d.detector, 40), d.slot ?? '-', oneLine(d.metric, 40), describeState(d)]);
          out.push('detectors:\n', ...tableLines(['detector', 'slot', 'watches', 'state'], rows, () => false, '  '));
        }
        out.push(formatVerdict(verdict, { color: shared.colorOut }));
        io.stdout(out.join(''));
      }),
    );
}
