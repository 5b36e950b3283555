/**
 * The full default detector set on two threads: the text detectors (text-split.ts) on a worker
 * thread, everything else on the calling thread, with the alerts merged back into exactly the
 * order one thread emits them (`OrderedMerge`), so every verdict, reason and first flagged step
 * is the same as with `sampleDetectors` alone; only the time differs.
 *
 * The worker pays for itself only when there is text to analyse: the CLI uses this for inputs
 * whose first events carry responses (`startsWithText`) and `sampleDetectors` otherwise.
 *
 * Events cross in batches (the text fields only, `textFields`), cut when a batch is full or when
 * the source pauses (the end of a read chunk, a quiet live log). The calling thread blocks when
 * `MAX_IN_FLIGHT` batches wait for the worker, so memory stays flat when the text side is the
 * slower one.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { Observable, tap } from 'rxjs';
import { sampleDetectorLists, sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert, RewardEvent } from '../core/types.js';
import { OrderedMerge } from '../kernels/ordered-merge.js';
import type { Ingested } from '../sources/ingested.js';
import type { Detect } from './analyze.js';
import { CLI_V8_FLAGS, TWO_THREAD_V8_FLAGS } from './gc-setting.js';
import { splitConfig, textFields } from './text-split.js';
import type { TextWorkerData, ToMain, ToWorker } from './text-worker-protocol.js';

/** Events per batch posted to the worker. */
const BATCH = 1024;
/** Batches the worker may have queued before the calling thread waits for it. */
const MAX_IN_FLIGHT = 4;

/** Tagged alerts and a watermark from the text detectors, for the merge. */
type Deliver = (indices: readonly number[], alerts: readonly Alert[], upTo: number) => void;

/**
 * Starts text-worker.js (text-worker.ts through tsx when running from source) behind a small
 * bootstrap that raises the failed counter when the module cannot load, so a caller waiting on
 * the counters never waits for a worker that is gone.
 */
function startWorker(data: TextWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(fromSource ? './text-worker.ts' : './text-worker.js', import.meta.url).href;
  const bootstrap = `
    const counters = new Int32Array(require('node:worker_threads').workerData.progress);
    (async () => {
      ${fromSource ? "(await import('tsx/esm/api')).register();" : ''}
      await import(${JSON.stringify(script)});
    })().catch((error) => {
      Atomics.store(counters, 1, 1);
      Atomics.notify(counters, 0);
      throw error;
    });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** The text detectors on a worker thread: lane 0 of the merge. */
class WorkerLane {
  private readonly worker: Worker;
  private readonly counters: Int32Array;
  private indices: number[] = [];
  private events: RewardEvent[] = [];
  private upTo = -1;
  private sentUpTo = -1;
  private sent = 0;
  private flushScheduled = false;
  private closed = false;

  constructor(
    config: SampleDetectorsConfig,
    private readonly deliver: Deliver,
    private readonly fail: (error: Error) => void,
  ) {
    const progress = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.counters = new Int32Array(progress);
    this.worker = startWorker({ config, progress });
    // A worker's start-up puts the process's V8 flags back to Node's (seen with Node 20), which
    // would undo the CLI's GC setting for the rest of the run: set it again once the worker runs,
    // with the two-thread one (see gc-setting.ts).
    this.worker.once('online', () => {
      for (const flag of [...CLI_V8_FLAGS, ...TWO_THREAD_V8_FLAGS]) setFlagsFromString(flag);
    });
    this.worker.on('message', (message: ToMain) => {
      if (message.kind === 'failed') this.stop(new Error(`text detector worker failed: ${message.reason}`));
      else {
        this.deliver(message.indices, message.alerts, message.upTo);
        if (message.done) this.close();
      }
    });
    this.worker.on('error', (error) => {
      this.stop(new Error(`text detector worker failed: ${error.message}`, { cause: error }));
    });
    this.worker.on('exit', (code) => {
      if (!this.closed) this.stop(new Error(`text detector worker exited with code ${String(code)}`));
    });
  }

  /** Item `index` is an event for the text detectors. */
  push(index: number, event: RewardEvent): void {
    this.indices.push(index);
    this.events.push(textFields(event));
    if (this.events.length >= BATCH) this.post(index);
  }

  /** Every item up to `index` has been pushed. */
  passed(index: number): void {
    this.upTo = index;
    // Post what has gathered once the source pauses (a read chunk ends), not only when full, so a
    // live log's alerts are not held back by a half-empty batch.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (!this.closed && this.upTo > this.sentUpTo) this.post(this.upTo);
      });
    }
  }

  /** The source ended. */
  end(): void {
    if (this.closed) return;
    // Every pushed event is also passed, so anything unsent shows as upTo > sentUpTo.
    if (this.upTo > this.sentUpTo) this.post(this.upTo);
    this.send({ kind: 'end' });
  }

  /** Stop at once (unsubscribed, finished or failed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private stop(error: Error): void {
    if (this.closed) return;
    this.close();
    this.fail(error);
  }

  private post(upTo: number): void {
    const batch: ToWorker = { kind: 'batch', indices: this.indices, events: this.events, upTo };
    this.indices = [];
    this.events = [];
    this.sentUpTo = upTo;
    this.send(batch);
  }

  private send(message: ToWorker): void {
    if (this.closed) return;
    // Wait while the worker is MAX_IN_FLIGHT batches behind (it counts finished batches in
    // `counters[0]` and raises `counters[1]` when it failed).
    for (let done = Atomics.load(this.counters, 0); this.sent - done >= MAX_IN_FLIGHT; done = Atomics.load(this.counters, 0)) {
      if (Atomics.load(this.counters, 1) !== 0) return;
      Atomics.wait(this.counters, 0, done, 1000);
    }
    this.worker.postMessage(message);
    this.sent++;
  }
}

/**
 * `sampleDetectors(config)` with the text detectors on a worker thread: the same alerts in the
 * same order. `config` must be plain data (the CLI's goodhart.config.json): it crosses to the
 * worker by structured clone. With every text detector off it is `sampleDetectors(config)`.
 */
export function parallelDetect(config: SampleDetectorsConfig): Detect {
  const { text, rest } = splitConfig(config);
  if (text === undefined) return sampleDetectors(config);
  // Validate the worker's half here, so a bad setting throws now, on this thread.
  sampleDetectorLists(text);
  return workerSplit(text, sampleDetectors(rest));
}

/** The text detectors (`text` config) on a worker, the rest (`restDetect`) here, merged in order. */
function workerSplit(text: SampleDetectorsConfig, restDetect: Detect): Detect {
  return (source) =>
    new Observable<Alert>((subscriber) => {
      const merge = new OrderedMerge<Alert>();
      const release = (): void => {
        for (const alert of merge.take()) subscriber.next(alert);
        if (merge.done) subscriber.complete();
      };
      let failed = false;
      const lane = new WorkerLane(
        text,
        (indices, alerts, upTo) => {
          for (let k = 0; k < alerts.length; k++) merge.add(0, indices[k]!, alerts[k]!);
          merge.advance(0, upTo);
          release();
        },
        (error) => {
          failed = true;
          subscriber.error(error);
        },
      );
      let index = -1;
      const routed = source.pipe(
        tap({
          next: (item: Ingested) => {
            index++;
            merge.advance(1, index - 1);
            if (item.kind === 'event') lane.push(index, item.event);
            lane.passed(index);
          },
          complete: () => {
            index = Infinity;
          },
        }),
      );
      const subscription = routed.pipe(restDetect).subscribe({
        next: (alert) => {
          merge.add(1, index, alert);
          release();
        },
        error: (error: unknown) => {
          lane.close();
          subscriber.error(error);
        },
        complete: () => {
          if (failed) return;
          merge.advance(1, Infinity);
          lane.end();
          release();
        },
      });
      return () => {
        subscription.unsubscribe();
        lane.close();
      };
    });
}
