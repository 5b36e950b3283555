/**
 * Worker thread of `parallelDetect`: runs the text detectors over the batches of events the main
 * thread posts, and posts back each batch's alerts tagged with their item indices, with the
 * batch's watermark. Counts finished batches in shared memory, which the main thread waits on
 * when it runs too far ahead (so at most a few batches are ever queued).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Subject } from 'rxjs';
import { sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert, RewardEvent } from '../core/types.js';
import type { TextWorkerData, ToMain, ToWorker } from './text-worker-protocol.js';

/**
 * The text detectors driven one event at a time, each alert tagged with the index of the item
 * that raised it (`Infinity` for the flush at the end).
 */
class TextDetectorRun {
  private readonly input = new Subject<RewardEvent>();
  private index = -1;
  private indices: number[] = [];
  private alerts: Alert[] = [];

  constructor(config: SampleDetectorsConfig) {
    this.input.pipe(sampleDetectors(config)).subscribe((alert) => {
      this.indices.push(this.index);
      this.alerts.push(alert);
    });
  }

  push(index: number, event: RewardEvent): void {
    this.index = index;
    this.input.next(event);
  }

  /** The source ended: flush every detector. */
  end(): void {
    this.index = Infinity;
    this.input.complete();
  }

  /** The alerts raised since the last call, with their item indices. */
  drain(): { readonly indices: number[]; readonly alerts: Alert[] } {
    const drained = { indices: this.indices, alerts: this.alerts };
    this.indices = [];
    this.alerts = [];
    return drained;
  }
}


const { config, progress } = workerData as TextWorkerData;
const counters = new Int32Array(progress);
const run = new TextDetectorRun(config);
const port = parentPort!;

port.on('message', (message: ToWorker) => {
  try {
    let reply: ToMain;
    if (message.kind === 'end') {
      run.end();
      reply = { kind: 'alerts', ...run.drain(), upTo: Infinity, done: true };
    } else {
      const { indices, events } = message;
      for (let k = 0; k < events.length; k++) run.push(indices[k]!, events[k]!);
      reply = { kind: 'alerts', ...run.drain(), upTo: message.upTo, done: false };
    }
    port.postMessage(reply);
  } catch (error) {
    Atomics.store(counters, 1, 1);
    port.postMessage({ kind: 'failed', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ToMain);
  } finally {
    Atomics.add(counters, 0, 1);
    Atomics.notify(counters, 0);
  }
});
