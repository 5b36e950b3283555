/**
 * What the dashboard knows about each run: bounded recent history per channel (step rows, alert
 * episodes, flagged samples, input problems) plus the latest verdict. The live server keeps one and
 * sends its snapshot to every browser that connects; `goodhart report` fills one from a finished
 * run and inlines its snapshot into a static page (`renderReportHtml`).
 */
import { SlidingKsWindows } from '../kernels/ks-sliding-windows.js';
import { ValueKsBlocks } from '../kernels/ks-value-blocks.js';
import { WordNgramRepetition } from '../kernels/word-ngram-repetition.js';
import type { Alert, InputProblem, RewardEvent, SampleRef, StepRecord, Verdict } from '../core/types.js';

/** One row of a channel's history: every StepRecord logged for one step, metrics merged. */
export interface DashboardRow {
  readonly step: number;
  /** Wall-clock ms: the record's own `t`, else when the dashboard received the step. */
  readonly t: number;
  /** Canonical metric -> value; eval-phase records land under `eval/<name>`. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** A flagged sample as the page shows it: a `SampleRef` plus the alerts that cite it. */
export interface DashboardSample extends SampleRef {
  /** Sequence number within the channel. */
  readonly id: number;
  /** Word-trigram repetition of `response` (share of repeated trigrams), when there is text. */
  readonly repetition?: number;
  /** Ids of the alerts whose evidence carried this sample. */
  readonly alerts?: readonly string[];
}

/** One channel (a run or a tagged pipeline) as a late browser receives it. */
export interface ChannelSnapshot {
  readonly channel: string;
  readonly rows: readonly DashboardRow[];
  /** One entry per alert episode (latest alert of each `tag|id`), oldest episode first. */
  readonly alerts: readonly Alert[];
  readonly samples: readonly DashboardSample[];
  readonly problems: readonly InputProblem[];
  readonly verdict?: Verdict;
  /** Completion length cap, drawn on the length chart when known. */
  readonly lengthCap?: number;
  /** Totals seen since the start (history above is only the recent part). */
  readonly totals: { readonly steps: number; readonly alerts: number; readonly samples: number; readonly problems: number };
}

export interface DashboardSnapshot {
  /** Schema of this object, for the page and for reports read later. */
  readonly version: 1;
  /** When the snapshot was taken (ms since the epoch). */
  readonly t: number;
  readonly channels: readonly ChannelSnapshot[];
}

/** One change to a channel, as sent to browsers between snapshots. */
export type DashboardUpdate =
  | { readonly channel: string; readonly kind: 'row'; readonly row: DashboardRow }
  | { readonly channel: string; readonly kind: 'alert'; readonly alert: Alert }
  | { readonly channel: string; readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly channel: string; readonly kind: 'sample'; readonly sample: DashboardSample }
  | { readonly channel: string; readonly kind: 'problem'; readonly problem: InputProblem }
  | { readonly channel: string; readonly kind: 'meta'; readonly lengthCap: number };

/**
 * What can be piped into the dashboard. Plain records are told apart by shape (a `Verdict` has
 * `status` and `reasons`, an `Alert` `detector` and `severity`, a `StepRecord` `metrics`, anything
 * else with a numeric `step` is a flagged sample); `{ kind, ... }` wrappers (`Ingested`, the CLI's
 * analysis items) are unwrapped, except `event` items: a run's every sample is charted through its
 * step summaries, not listed as flagged (wrap one as `{ kind: 'sample', sample }` to flag it).
 */
export type DashboardItem =
  | StepRecord
  | Alert
  | Verdict
  | RewardEvent
  | SampleRef
  | { readonly kind: 'event'; readonly event: RewardEvent }
  | { readonly kind: 'step'; readonly record: StepRecord }
  | { readonly kind: 'summary'; readonly record: StepRecord }
  | { readonly kind: 'problem'; readonly problem: InputProblem }
  | { readonly kind: 'alert'; readonly alert: Alert }
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'sample'; readonly sample: SampleRef };

export interface DashboardStateConfig {
  /** Step rows kept per channel. Default 2000. */
  readonly historySteps?: number;
  /** Alert episodes kept per channel. Default 500. */
  readonly historyAlerts?: number;
  /** Flagged samples kept per channel. Default 200. */
  readonly historySamples?: number;
  /** Input problems kept per channel. Default 50. */
  readonly historyProblems?: number;
  /** Longest sample text kept, in UTF-16 code units; longer text is cut and marked. Default 4000. */
  readonly maxTextChars?: number;
  /**
   * Samples in the length-drift reference (the run's first completions) and in the recent window
   * compared with it. Default 512.
   */
  readonly driftWindow?: number;
  /** Wall clock, for rows without a `t`. Default `Date.now`. */
  readonly now?: () => number;
}

export const DASHBOARD_STATE_DEFAULTS = {
  historySteps: 2000,
  historyAlerts: 500,
  historySamples: 200,
  historyProblems: 50,
  maxTextChars: 4000,
  driftWindow: 512,
} as const;

/** The length-drift statistic the dashboard adds to step rows when it sees the run's samples. */
export const LENGTH_DRIFT_METRIC = 'length/drift_ks';

/** Where an item goes: its channel and the `tag` stamped on alerts that have none. */
export interface DashboardRoute {
  readonly channel?: string;
  readonly tag?: string;
}

/** A fixed-capacity FIFO: pushing onto a full ring drops (and returns) the oldest item. */
class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): T | undefined {
    if (this.size < this.capacity) {
      this.items[(this.start + this.size) % this.capacity] = item;
      this.size++;
      return undefined;
    }
    const dropped = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return dropped;
  }

  /** Replaces the first item matching `match` (searching from the newest). */
  replaceLast(match: (item: T) => boolean, item: T): boolean {
    for (let i = this.size - 1; i >= 0; i--) {
      const index = (this.start + i) % this.capacity;
      if (match(this.items[index] as T)) {
        this.items[index] = item;
        return true;
      }
    }
    return false;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}

class Channel {
  readonly rows: Ring<DashboardRow>;
  /** Row of each step still in `rows`. */
  readonly rowByStep = new Map<number, DashboardRow>();
  readonly alerts: Ring<Alert>;
  /** Latest alert of each episode still in `alerts`, by `tag|id`. */
  readonly episodes = new Map<string, Alert>();
  readonly samples: Ring<DashboardSample>;
  readonly problems: Ring<InputProblem>;
  verdict: Verdict | undefined;
  lengthCap: number | undefined;
  /** KS distance between the first `driftWindow` completion lengths and the latest ones. */
  readonly drift: SlidingKsWindows<ValueKsBlocks>;
  private readonly driftWindow: number;
  steps = 0;
  alertCount = 0;
  sampleCount = 0;
  problemCount = 0;

  constructor(readonly name: string, config: Required<Omit<DashboardStateConfig, 'now'>>) {
    this.rows = new Ring(config.historySteps);
    this.alerts = new Ring(config.historyAlerts);
    this.samples = new Ring(config.historySamples);
    this.problems = new Ring(config.historyProblems);
    this.driftWindow = config.driftWindow;
    this.drift = new SlidingKsWindows(new ValueKsBlocks(), { referenceSize: config.driftWindow, recentSize: config.driftWindow });
  }

  /** Feeds one completion length: the first `driftWindow` fill the (then frozen) reference. */
  addLength(length: number): void {
    if (this.drift.referenceLength < this.driftWindow) this.drift.pushReference(length);
    else this.drift.pushRecent(length);
  }

  /** The drift statistic once the recent window holds a quarter of its size, else undefined. */
  driftStatistic(): number | undefined {
    return this.drift.recentLength * 4 >= this.driftWindow ? this.drift.kernel.statistic() : undefined;
  }

  snapshot(): ChannelSnapshot {
    return {
      channel: this.name,
      rows: this.rows.toArray(),
      alerts: this.alerts.toArray(),
      samples: this.samples.toArray(),
      problems: this.problems.toArray(),
      ...(this.verdict === undefined ? {} : { verdict: this.verdict }),
      ...(this.lengthCap === undefined ? {} : { lengthCap: this.lengthCap }),
      totals: { steps: this.steps, alerts: this.alertCount, samples: this.sampleCount, problems: this.problemCount },
    };
  }
}

/**
 * Bounded per-channel dashboard state. `add` folds one item in and returns the updates a browser
 * needs to mirror it (so the live server forwards exactly what changed); `snapshot` is what a
 * browser that connects late receives. Memory is bounded by the history sizes whatever the
 * stream's length. Cost per item: O(metrics) for step records, O(text) for samples (the
 * repetition score), O(1) otherwise.
 *
 * @example
 * const state = new DashboardState();
 * for (const item of items) state.add(item, { channel: 'run-a' });
 * const html = renderReportHtml(state.snapshot());
 */
export class DashboardState {
  private readonly config: Required<Omit<DashboardStateConfig, 'now'>>;
  private readonly now: () => number;
  private readonly channels = new Map<string, Channel>();
  private readonly repetition = new WordNgramRepetition({ n: 3 });

  constructor(config: DashboardStateConfig = {}) {
    this.config = {
      historySteps: positiveInteger('historySteps', config.historySteps ?? DASHBOARD_STATE_DEFAULTS.historySteps),
      historyAlerts: positiveInteger('historyAlerts', config.historyAlerts ?? DASHBOARD_STATE_DEFAULTS.historyAlerts),
      historySamples: positiveInteger('historySamples', config.historySamples ?? DASHBOARD_STATE_DEFAULTS.historySamples),
      historyProblems: positiveInteger('historyProblems', config.historyProblems ?? DASHBOARD_STATE_DEFAULTS.historyProblems),
      maxTextChars: positiveInteger('maxTextChars', config.maxTextChars ?? DASHBOARD_STATE_DEFAULTS.maxTextChars),
      driftWindow: positiveInteger('driftWindow', config.driftWindow ?? DASHBOARD_STATE_DEFAULTS.driftWindow),
    };
    this.now = config.now ?? Date.now;
  }

  /** Folds one item into its channel; returns the updates to forward (empty for an ignored item). */
  add(item: DashboardItem, route: DashboardRoute = {}): DashboardUpdate[] {
    const classified = classify(item);
    if (classified === undefined) {
      this.addRunSample(item, route);
      return [];
    }
    switch (classified.kind) {
      case 'step':
        return [this.addStep(classified.record, route)];
      case 'alert':
        return this.addAlert(route.tag !== undefined && classified.alert.tag === undefined ? { ...classified.alert, tag: route.tag } : classified.alert, route);
      case 'verdict': {
        const channel = this.channel(route.channel ?? route.tag ?? 'run');
        channel.verdict = classified.verdict;
        return [{ channel: channel.name, kind: 'verdict', verdict: classified.verdict }];
      }
      case 'sample': {
        const channel = this.channel(route.channel ?? classified.run ?? route.tag ?? 'run');
        return [this.addSample(channel, classified.sample, undefined)];
      }
      case 'problem': {
        const channel = this.channel(route.channel ?? route.tag ?? 'run');
        channel.problems.push(classified.problem);
        channel.problemCount++;
        return [{ channel: channel.name, kind: 'problem', problem: classified.problem }];
      }
    }
  }

  /** Sets the completion length cap drawn on a channel's length chart. */
  setLengthCap(channelName: string, lengthCap: number): DashboardUpdate {
    if (!(lengthCap > 0) || !Number.isFinite(lengthCap)) throw new RangeError(`lengthCap must be a positive finite number, got ${String(lengthCap)}`);
    this.channel(channelName).lengthCap = lengthCap;
    return { channel: channelName, kind: 'meta', lengthCap };
  }

  snapshot(): DashboardSnapshot {
    return { version: 1, t: this.now(), channels: [...this.channels.values()].map((channel) => channel.snapshot()) };
  }

  /** Names of the channels seen so far, in order of first appearance. */
  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  private channel(name: string): Channel {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = new Channel(name, this.config);
      this.channels.set(name, channel);
    }
    return channel;
  }

  /** A sample passing with the run (`{ kind: 'event' }`): only its length is used, for the drift statistic. */
  private addRunSample(item: DashboardItem, route: DashboardRoute): void {
    if (!('kind' in item) || item.kind !== 'event') return;
    const length = item.event.length;
    if (length === undefined || !Number.isFinite(length)) return;
    this.channel(route.channel ?? item.event.run ?? route.tag ?? 'run').addLength(length);
  }

  private addStep(record: StepRecord, route: DashboardRoute): DashboardUpdate {
    const channel = this.channel(route.channel ?? record.run ?? route.tag ?? 'run');
    const prefix = record.phase === 'eval' ? 'eval/' : '';
    const previous = channel.rowByStep.get(record.step);
    const metrics: Record<string, number> = previous === undefined ? {} : { ...previous.metrics };
    for (const name in record.metrics) {
      const value = record.metrics[name];
      if (value !== undefined && Number.isFinite(value)) metrics[prefix + name] = value;
    }
    const drift = prefix === '' ? channel.driftStatistic() : undefined;
    if (drift !== undefined) metrics[LENGTH_DRIFT_METRIC] = drift;
    const row: DashboardRow = { step: record.step, t: previous?.t ?? record.t ?? this.now(), metrics };
    if (previous === undefined || !channel.rows.replaceLast((r) => r === previous, row)) {
      const dropped = channel.rows.push(row);
      if (dropped !== undefined && channel.rowByStep.get(dropped.step) === dropped) channel.rowByStep.delete(dropped.step);
      channel.steps++;
    }
    channel.rowByStep.set(record.step, row);
    return { channel: channel.name, kind: 'row', row };
  }

  private addAlert(alert: Alert, route: DashboardRoute): DashboardUpdate[] {
    const channel = this.channel(route.channel ?? alert.tag ?? 'run');
    const key = `${alert.tag ?? ''}|${alert.id}`;
    const previous = channel.episodes.get(key);
    if (previous === undefined || !channel.alerts.replaceLast((a) => a === previous, alert)) {
      const dropped = channel.alerts.push(alert);
      if (dropped !== undefined) {
        const droppedKey = `${dropped.tag ?? ''}|${dropped.id}`;
        if (channel.episodes.get(droppedKey) === dropped) channel.episodes.delete(droppedKey);
      }
      channel.alertCount++;
    }
    channel.episodes.set(key, alert);
    const updates: DashboardUpdate[] = [{ channel: channel.name, kind: 'alert', alert }];
    // Evidence samples join the flagged table once per episode (ongoing alerts repeat them).
    if (previous === undefined || previous.evidence.samples !== alert.evidence.samples) {
      const known = previous?.evidence.samples ?? [];
      for (const sample of alert.evidence.samples ?? []) {
        if (known.includes(sample)) continue;
        updates.push(this.addSample(channel, sample, alert.id));
      }
    }
    return updates;
  }

  private addSample(channel: Channel, sample: SampleRef, alertId: string | undefined): DashboardUpdate {
    const text = sample.response;
    const cut = text !== undefined && text.length > this.config.maxTextChars ? `${text.slice(0, this.config.maxTextChars)}… [${text.length - this.config.maxTextChars} more characters]` : text;
    const stored: DashboardSample = {
      id: ++channel.sampleCount,
      step: sample.step,
      ...(sample.group === undefined ? {} : { group: sample.group }),
      ...(sample.reward === undefined ? {} : { reward: sample.reward }),
      ...(sample.components === undefined ? {} : { components: sample.components }),
      ...(sample.length === undefined ? {} : { length: sample.length }),
      ...(sample.score === undefined ? {} : { score: sample.score }),
      ...(cut === undefined ? {} : { response: cut, repetition: this.repetition.measure(cut) }),
      ...(alertId === undefined ? {} : { alerts: [alertId] }),
    };
    channel.samples.push(stored);
    return { channel: channel.name, kind: 'sample', sample: stored };
  }
}

type Classified =
  | { readonly kind: 'step'; readonly record: StepRecord }
  | { readonly kind: 'alert'; readonly alert: Alert }
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'sample'; readonly sample: SampleRef; readonly run: string | undefined }
  | { readonly kind: 'problem'; readonly problem: InputProblem };

/** Tells dashboard items apart by shape; `undefined` for anything it cannot show. */
export function classify(item: DashboardItem): Classified | undefined {
  const value = item as unknown as Record<string, unknown>;
  if (typeof value !== 'object' || (value as unknown) === null) return undefined;
  switch (value.kind) {
    case 'event':
      // A sample passing through with the run (`Ingested`, the CLI's analysis stream) is not
      // flagged: the step summaries chart it (and its length feeds the drift statistic). Flagged
      // samples come bare, wrapped as `sample`, or as alert evidence.
      return undefined;
    case 'step':
    case 'summary':
      return isObject(value.record) ? classify(value.record as DashboardItem) : undefined;
    case 'problem':
      return isObject(value.problem) ? { kind: 'problem', problem: value.problem as unknown as InputProblem } : undefined;
    case 'alert':
    case 'verdict':
    case 'sample': {
      const inner = value[value.kind];
      return isObject(inner) ? classify(inner as DashboardItem) : undefined;
    }
    default:
      break;
  }
  if (typeof value.status === 'string' && Array.isArray(value.reasons)) return { kind: 'verdict', verdict: item as Verdict };
  if (typeof value.detector === 'string' && typeof value.severity === 'string' && typeof value.id === 'string') {
    return { kind: 'alert', alert: item as Alert };
  }
  if (isObject(value.metrics) && typeof value.step === 'number') return { kind: 'step', record: item as StepRecord };
  return sampleOf(value);
}

function sampleOf(value: unknown): Classified | undefined {
  if (!isObject(value) || typeof value.step !== 'number' || !Number.isFinite(value.step)) return undefined;
  return { kind: 'sample', sample: value as unknown as SampleRef, run: typeof value.run === 'string' ? value.run : undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`dashboard ${name} must be a positive integer, got ${String(value)}`);
  return value;
}
