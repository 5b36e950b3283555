/**
 * Worker thread of `parallelDetect`: runs the text detectors over the batches of events the main
 * thread posts, and posts back each batch's alerts tagged with their item indices, with the
 * batch's watermark. Counts finished batches in shared memory, which the main thread waits on
 * when it runs too far ahead (so at most a few batches are ever queued).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextDetectorRun } from './text-split.js';
import type { TextWorkerData, ToMain, ToWorker } from './text-worker-protocol.js';

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
