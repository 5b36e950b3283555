/** `goodhart summary <files...>`: per-metric statistics, each detector's state and the verdict. */
import type { Command } from 'commander';
import { max, mean, median, min, standardDeviation } from 'simple-statistics';
import type { Alert, StepRecord, Verdict } from '../../core/types.js';
import { formatNumber, formatVerdict } from '../../sinks/console.js';
import { oneLine } from '../../sinks/terminal.js';
import { examples, threadsOption, positiveInt, resolveShared, sharedOptions, type SharedFlags, type VerbContext } from '../options.js';
import { replay } from '../run-analysis.js';

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

/** Where one detector stands at the end of the run (its latest alert per watched metric). */
export interface DetectorState {
  readonly detector: string;
  readonly metric: string;
  readonly state: Alert['state'];
  readonly severity: Alert['severity'];
  readonly since: number;
  readonly step: number;
  readonly episodes: number;
  readonly message: string;
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

/** The latest alert of each detector and metric, with how many episodes it opened. */
export function detectorStates(alerts: readonly Alert[]): DetectorState[] {
  const states = new Map<string, DetectorState>();
  for (const alert of alerts) {
    const key = `${alert.detector}\u0000${alert.metric}`;
    const episodes = (states.get(key)?.episodes ?? 0) + (alert.state === 'onset' ? 1 : 0);
    states.set(key, {
      detector: alert.detector,
      metric: alert.metric,
      state: alert.state,
      severity: alert.severity,
      since: alert.since,
      step: alert.step,
      episodes,
      message: alert.message,
    });
  }
  return [...states.values()];
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
    .action(async (files: string[], flags: SummaryFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const tally = await replay(files.map(shared.path), shared, context, { summarize: true, keepSummaries: true, keepAlerts: true });
      const records = lastSteps(tally.summaries, flags.last);
      const metrics = metricSummaries(records);
      const detectors = detectorStates(tally.alerts);
      const verdict = tally.verdict();
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
        const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
        for (const row of [header, ...rows]) out.push(`${row.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  ')}\n`);
      }
      if (!shared.quiet) {
        out.push(detectors.length === 0 ? 'detectors: no alerts\n' : 'detectors:\n');
        for (const d of detectors) {
          out.push(
            `  ${oneLine(d.detector, 40)} ${oneLine(d.metric, 40)}: ${d.state === 'resolved' ? 'resolved' : `${d.severity} (${d.state})`} ` +
              `since step ${d.since}, ${d.episodes} episode${d.episodes === 1 ? '' : 's'}: ${oneLine(d.message, 200)}\n`,
          );
        }
      }
      out.push(formatVerdict(verdict, { color: shared.colorOut }));
      io.stdout(out.join(''));
    });
}
