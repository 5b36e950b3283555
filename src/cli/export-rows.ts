/**
 * Table layouts of `goodhart export`: events (components as columns), step records (metrics as
 * columns) and alerts, with the column set found in a first pass over the input.
 */
import type { Alert, RewardEvent, StepRecord } from '../core/types.js';
import type { TableColumn, TableRow } from '../sinks/table.js';

/** What a first pass learns about an input. */
export class InputShape {
  events = 0;
  steps = 0;
  readonly components = new Set<string>();
  readonly metrics = new Set<string>();
  /** Distinct steps of events and of step records, to find the last N. */
  readonly eventSteps = new Set<number>();
  readonly recordSteps = new Set<number>();
  private readonly has = new Set<keyof RewardEvent | keyof StepRecord>();
  /** A step that is not a safe integer was seen (every format's decoder rejects one; this guards the rest). */
  private fractionalSteps = false;

  event(event: RewardEvent): void {
    this.events++;
    this.eventSteps.add(event.step);
    if (!Number.isSafeInteger(event.step)) this.fractionalSteps = true;
    if (event.components !== undefined) for (const name of Object.keys(event.components)) this.components.add(name);
    for (const key of EVENT_FIELDS) if (event[key] !== undefined) this.has.add(key);
  }

  record(record: StepRecord): void {
    this.steps++;
    this.recordSteps.add(record.step);
    if (!Number.isSafeInteger(record.step)) this.fractionalSteps = true;
    for (const name of Object.keys(record.metrics)) this.metrics.add(name);
    for (const key of RECORD_FIELDS) if (record[key] !== undefined) this.has.add(key);
  }

  /** Steps are integers (INT64 in Parquet) unless a step that is not one was seen. */
  private get stepType(): TableColumn['type'] {
    return this.fractionalSteps ? 'number' : 'integer';
  }

  /** Event columns: step, then the fields present, components as `components.<name>`, text last. */
  eventColumns(): TableColumn[] {
    const columns: TableColumn[] = [{ name: 'step', type: this.stepType }];
    for (const key of EVENT_FIELDS) {
      if (this.has.has(key) && key !== 'prompt' && key !== 'response' && key !== 'meta') columns.push({ name: key, type: EVENT_TYPES[key] });
    }
    for (const name of [...this.components].sort()) columns.push({ name: `components.${name}`, type: 'number' });
    for (const key of ['prompt', 'response', 'meta'] as const) if (this.has.has(key)) columns.push({ name: key, type: 'string' });
    return columns;
  }

  /** Step record columns: step, phase, run, t, missing (when present), then each metric by name. */
  recordColumns(): TableColumn[] {
    const columns: TableColumn[] = [{ name: 'step', type: this.stepType }];
    for (const key of RECORD_FIELDS) if (this.has.has(key)) columns.push({ name: key, type: RECORD_TYPES[key] });
    for (const name of [...this.metrics].sort()) columns.push({ name, type: 'number' });
    return columns;
  }

  /** Alert columns: `step` and `since` are steps of this input. */
  alertColumns(): TableColumn[] {
    return ALERT_COLUMNS.map((column) => (column.name === 'step' || column.name === 'since' ? { ...column, type: this.stepType } : column));
  }

  /** Smallest step among the last `n` distinct steps of `steps` (everything when undefined). */
  static firstOfLast(steps: ReadonlySet<number>, n: number | undefined): number {
    if (n === undefined || n >= steps.size) return -Infinity;
    return [...steps].sort((a, b) => b - a)[n - 1]!;
  }
}

const EVENT_FIELDS = ['run', 'group', 'reward', 'length', 'kl', 'logprob', 't', 'prompt', 'response', 'meta'] as const;
const EVENT_TYPES: Readonly<Record<(typeof EVENT_FIELDS)[number], 'number' | 'string'>> = {
  run: 'string',
  group: 'string',
  reward: 'number',
  length: 'number',
  kl: 'number',
  logprob: 'number',
  t: 'number',
  prompt: 'string',
  response: 'string',
  meta: 'string',
};
const RECORD_FIELDS = ['phase', 'run', 't', 'missing'] as const;
/** `missing` counts values, so it is an integer. */
const RECORD_TYPES: Readonly<Record<(typeof RECORD_FIELDS)[number], TableColumn['type']>> = { phase: 'string', run: 'string', t: 'number', missing: 'integer' };

export function eventRow(event: RewardEvent): TableRow {
  const row: Record<string, string | number | undefined> = {
    step: event.step,
    run: event.run,
    group: event.group,
    reward: event.reward,
    length: event.length,
    kl: event.kl,
    logprob: event.logprob,
    t: event.t,
    prompt: event.prompt,
    response: event.response,
    meta: event.meta === undefined ? undefined : JSON.stringify(event.meta),
  };
  if (event.components !== undefined) for (const [name, value] of Object.entries(event.components)) row[`components.${name}`] = value;
  return row;
}

export function recordRow(record: StepRecord): TableRow {
  // Metrics first, so a metric can never overwrite the step/phase/run/t/missing columns.
  return { ...record.metrics, step: record.step, phase: record.phase, run: record.run, t: record.t, missing: record.missing };
}

const ALERT_COLUMNS: readonly TableColumn[] = [
  { name: 'step', type: 'integer' },
  { name: 'since', type: 'integer' },
  { name: 'state', type: 'string' },
  { name: 'severity', type: 'string' },
  { name: 'signal', type: 'string' },
  { name: 'detector', type: 'string' },
  { name: 'metric', type: 'string' },
  { name: 'value', type: 'number' },
  { name: 'threshold', type: 'number' },
  { name: 'message', type: 'string' },
  { name: 'tag', type: 'string' },
  { name: 'id', type: 'string' },
  { name: 'evidence', type: 'string' },
];

export function alertRow(alert: Alert): TableRow {
  return {
    step: alert.step,
    since: alert.since,
    state: alert.state,
    severity: alert.severity,
    signal: alert.signal,
    detector: alert.detector,
    metric: alert.metric,
    value: alert.value,
    threshold: alert.threshold,
    message: alert.message,
    tag: alert.tag,
    id: alert.id,
    evidence: JSON.stringify(alert.evidence),
  };
}
