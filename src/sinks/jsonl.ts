/**
 * JSONL sink: writes reward events, step records, alerts and verdicts as goodhart JSONL
 * (docs/schema.md: one record per line, `type` and `v` first). Writing never throws into the
 * pipeline: a write error (a full disk, a closed pipe) is reported once through `onError`, the
 * records after it are counted as dropped, and `close()` resolves with the tally.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { SCHEMA_VERSION } from '../core/types.js';
import type { Alert, RewardEvent, StepRecord, Verdict } from '../core/types.js';
import type { Ingested } from '../sources/ingested.js';

/** A record and its schema type. */
export type JsonlRecord =
  | { readonly type: 'event'; readonly record: RewardEvent }
  | { readonly type: 'step'; readonly record: StepRecord }
  | { readonly type: 'alert'; readonly record: Alert }
  | { readonly type: 'verdict'; readonly record: Verdict };

/**
 * One JSONL line (with its `\n`) for a record: `{"type":...,"v":1,...fields}`. Non-finite numbers
 * become `null`, which the decoder reads back as missing (docs/schema.md, NaN policy).
 *
 * @example jsonlLine({ type: 'event', record: { step: 3, reward: 1 } }) // '{"type":"event","v":1,"step":3,"reward":1}\n'
 */
export function jsonlLine(item: JsonlRecord): string {
  return `${JSON.stringify({ type: item.type, v: SCHEMA_VERSION, ...item.record })}\n`;
}

/** The JSONL record of an ingested item; problems have none (they are reported, not stored). */
export function ingestedRecord(item: Ingested): JsonlRecord | undefined {
  if (item.kind === 'event') return { type: 'event', record: item.event };
  if (item.kind === 'step') return { type: 'step', record: item.record };
  return undefined;
}

export interface JsonlSinkConfig {
  /** Called once, with the first write error; later records are dropped and counted. Default: ignore. */
  readonly onError?: (error: Error) => void;
  /** `'a'` appends to an existing file. Default `'w'` (truncate). */
  readonly flags?: 'w' | 'a';
}

export interface JsonlSinkResult {
  /** Records handed to the file system. */
  readonly written: number;
  /** Records not written because of an earlier error. */
  readonly dropped: number;
  /** The first write error, if any. */
  readonly error?: Error;
}

/**
 * Appends records to a file. `write` returns false when the stream buffer is full: await
 * `drained()` before writing more (what `writeJsonl` does), so memory stays flat.
 *
 * @example
 * const sink = new JsonlSink('alerts.jsonl', { onError: (e) => console.error(e.message) });
 * sink.write({ type: 'alert', record: alert });
 * const { written, dropped } = await sink.close();
 */
export class JsonlSink {
  private readonly stream: WriteStream;
  private readonly onError: ((error: Error) => void) | undefined;
  private failure: Error | undefined;
  private written = 0;
  private dropped = 0;
  private closed: Promise<JsonlSinkResult> | undefined;

  constructor(path: string, config: JsonlSinkConfig = {}) {
    this.onError = config.onError;
    this.stream = createWriteStream(path, { flags: config.flags ?? 'w' });
    this.stream.on('error', (error) => {
      this.fail(error);
    });
  }

  /** Writes one record; returns false when the caller should wait for `drained()`. */
  write(item: JsonlRecord): boolean {
    return this.writeText(jsonlLine(item), 1);
  }

  /** Writes pre-serialized lines holding `records` records (for batching). */
  writeText(text: string, records: number): boolean {
    if (this.failure !== undefined || this.closed !== undefined) {
      this.dropped += records;
      return true;
    }
    this.written += records;
    return this.stream.write(text);
  }

  /** Resolves when the stream can take more (at once after an error). */
  drained(): Promise<void> {
    if (this.failure !== undefined || !this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  /** Flushes and closes the file; never rejects. Resolves once the file is closed, errors included. */
  close(): Promise<JsonlSinkResult> {
    this.closed ??= new Promise((resolve) => {
      // 'close' comes after 'finish' or 'error' (autoDestroy), so the tally is final by then.
      if (this.stream.closed) {
        resolve(this.result());
        return;
      }
      this.stream.once('close', () => {
        resolve(this.result());
      });
      this.stream.end();
    });
    return this.closed;
  }

  private result(): JsonlSinkResult {
    // Records written before an error may not have reached the disk: count only what was
    // handed over before the failure as written, the rest as dropped.
    return this.failure === undefined
      ? { written: this.written, dropped: this.dropped }
      : { written: this.written, dropped: this.dropped, error: this.failure };
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.onError?.(error);
  }
}

/**
 * Writes every record of `items` to `path`, 4096 lines per write, waiting for the disk when its
 * buffer is full, so a run of 10^7 events is written in flat memory (the simulator -> JSONL
 * writer of the benchmarks and of `goodhart demo --out`).
 *
 * @example await writeJsonl('run.jsonl', [...simulate({ steps: 50 })].map(ingestedRecord))
 */
export async function writeJsonl(
  path: string,
  items: Iterable<JsonlRecord | undefined> | AsyncIterable<JsonlRecord | undefined>,
  config: JsonlSinkConfig = {},
): Promise<JsonlSinkResult> {
  const sink = new JsonlSink(path, config);
  let batch = '';
  let count = 0;
  for await (const item of items) {
    if (item === undefined) continue;
    batch += jsonlLine(item);
    if (++count === 4096) {
      if (!sink.writeText(batch, count)) await sink.drained();
      batch = '';
      count = 0;
    }
  }
  if (count > 0) sink.writeText(batch, count);
  return sink.close();
}
