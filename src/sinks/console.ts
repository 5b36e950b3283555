/**
 * Console sink: one coloured line per alert (severity, step, detector, metric, message, the
 * evidence statistics), the offending samples indented under it, verdict banners and input
 * problems. Every piece of text that came from a file or a model is stripped of terminal control
 * sequences first (see sinks/terminal.ts), so a log cannot drive the user's terminal.
 */
import type { Alert, InputProblem, Verdict, VerdictStatus } from '../core/types.js';
import { oneLine, painter, stripControl, type Color, type Painter } from './terminal.js';

export interface ConsoleSinkConfig {
  /** Writes one chunk of text (a line with its `\n`). */
  readonly write: (text: string) => void;
  /** ANSI colours. Default false. */
  readonly color?: boolean;
  /** Samples shown under an alert. Default 3. */
  readonly samples?: number;
  /** Characters of a sample's response shown. Default 100. */
  readonly responseChars?: number;
}

const SEVERITY_COLOR: Readonly<Record<Alert['severity'], Color>> = { info: 'blue', warning: 'yellow', critical: 'red' };
const STATUS_COLOR: Readonly<Record<VerdictStatus, Color>> = {
  healthy: 'green',
  warning: 'yellow',
  collapse: 'magenta',
  hacking: 'red',
};

/** Shortest readable form of a statistic: 4 significant digits, integers as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  return String(Number(value.toPrecision(4)));
}

/**
 * The alert as console lines: the headline with its statistics, then up to `samples` offending
 * samples (`step`, `reward`, `score`, response excerpt).
 *
 * @example formatAlert(alert) // '[step 160] CRITICAL meanShift length/mean onset: mean length rose ... (value 611, threshold 260, since 156; before=217 after=611)\n'
 */
export function formatAlert(alert: Alert, config: Omit<ConsoleSinkConfig, 'write'> = {}): string {
  const paint = painter(config.color ?? false);
  const samples = config.samples ?? 3;
  const chars = config.responseChars ?? 100;
  const stats = Object.entries(alert.evidence.stats)
    .map(([name, value]) => `${oneLine(name, 40)}=${formatNumber(value)}`)
    .join(' ');
  const detail = [
    `value ${formatNumber(alert.value)}`,
    `threshold ${formatNumber(alert.threshold)}`,
    `since step ${alert.since}`,
  ].join(', ');
  const tag = alert.tag === undefined ? '' : ` [${oneLine(alert.tag, 40)}]`;
  const lines = [
    `${paint('gray', `[step ${alert.step}]`)} ${paint(SEVERITY_COLOR[alert.severity], alert.severity.toUpperCase())} ` +
      `${paint('bold', oneLine(alert.detector, 60))} ${oneLine(alert.metric, 60)} ${alert.state}${tag}: ` +
      `${oneLine(alert.message, 400)} (${detail}${stats === '' ? '' : `; ${stats}`})`,
  ];
  for (const sample of (alert.evidence.samples ?? []).slice(0, samples)) {
    lines.push(`    ${paint('gray', sampleLine(sample, chars))}`);
  }
  return `${lines.join('\n')}\n`;
}

function sampleLine(sample: NonNullable<Alert['evidence']['samples']>[number], chars: number): string {
  const parts = [`step ${sample.step}`];
  if (sample.group !== undefined) parts.push(`group ${oneLine(sample.group, 30)}`);
  if (sample.reward !== undefined) parts.push(`reward ${formatNumber(sample.reward)}`);
  if (sample.score !== undefined) parts.push(`score ${formatNumber(sample.score)}`);
  if (sample.length !== undefined) parts.push(`length ${formatNumber(sample.length)}`);
  const text = sample.response === undefined ? '' : ` "${oneLine(sample.response, chars)}"`;
  return `${parts.join(', ')}${text}`;
}

/** The verdict as console lines: status, first flagged step, then one line per reason. */
export function formatVerdict(verdict: Verdict, config: Omit<ConsoleSinkConfig, 'write'> = {}): string {
  const paint = painter(config.color ?? false);
  const head = `verdict: ${paint(STATUS_COLOR[verdict.status], paint('bold', verdict.status.toUpperCase()))}`;
  const when =
    verdict.firstFlaggedStep === undefined
      ? ` (through step ${verdict.step})`
      : ` (first flagged at step ${verdict.firstFlaggedStep}` +
        (verdict.worstSince !== undefined && verdict.status !== 'warning' ? `, ${verdict.status} since step ${verdict.worstSince}` : '') +
        `${verdict.current !== undefined && verdict.current !== verdict.status ? `, now ${verdict.current}` : ''})`;
  const lines = [head + when];
  for (const reason of verdict.reasons) {
    lines.push(
      `  - ${paintSeverity(paint, reason.severity)} ${oneLine(reason.detector, 60)} ${oneLine(reason.metric, 60)}` +
        `${reason.tag === undefined ? '' : ` [${oneLine(reason.tag, 40)}]`} ` +
        `since step ${reason.since}: ${oneLine(reason.message, 400)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function paintSeverity(paint: Painter, severity: Alert['severity']): string {
  return paint(SEVERITY_COLOR[severity], severity);
}

/** An input problem as one line: `file:line: reason: excerpt`. */
export function formatProblem(problem: InputProblem): string {
  const where = problem.line > 0 ? `${problem.source}:${problem.line}` : problem.source;
  const excerpt = problem.excerpt === '' ? '' : ` (${oneLine(problem.excerpt, 80)})`;
  return `${stripControl(where)}: ${oneLine(problem.reason, 300)}${excerpt}\n`;
}

/** Prints alerts, verdicts and problems as they come. */
export class ConsoleSink {
  private readonly config: ConsoleSinkConfig;

  constructor(config: ConsoleSinkConfig) {
    this.config = config;
  }

  alert(alert: Alert): void {
    this.config.write(formatAlert(alert, this.config));
  }

  verdict(verdict: Verdict): void {
    this.config.write(formatVerdict(verdict, this.config));
  }

  problem(problem: InputProblem): void {
    this.config.write(`${painter(this.config.color ?? false)('yellow', 'input problem')}: ${formatProblem(problem)}`);
  }
}
