/** Replays input through the engine into a tally: the common body of `audit`, `summary` and `report`. */
import { fromEvent, identity, of, takeUntil, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { analyze, RunTally, type AnalysisItem, type TallyConfig } from './analyze.js';
import type { Ingested } from '../sources/ingested.js';
import { openInput, startsWithText } from './input.js';
import type { Shared, VerbContext } from './options.js';
import { replayProgress } from './progress.js';
import { defaultSummarize } from './detect.js';

export interface ReplayConfig extends TallyConfig {
  /** Run the step summarizer too (summary statistics, report charts). Default false. */
  readonly summarize?: boolean;
  /** Sees every item as it passes (printing alerts live). */
  readonly onItem?: (item: AnalysisItem) => void;
}

/** Subscribes to `items` and resolves when they complete (rejects on error); aborts with `signal`. */
export function consume<T>(items: Observable<T>, next: (item: T) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = items.subscribe({ next, error: reject, complete: resolve });
    if (signal !== undefined) {
      const stop = (): void => {
        subscription.unsubscribe();
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    }
  });
}

/**
 * Completes `items` when `signal` aborts (Ctrl-C), as the end of a file would: what is still open
 * downstream (the last step, a detector's window) then flushes its alerts. `consume` with a
 * signal stops at once instead, flushing nothing.
 */
export function untilAborted<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  if (signal === undefined) return identity;
  return takeUntil(signal.aborted ? of(true) : fromEvent(signal, 'abort'));
}

/** Replays `files` through the detectors (and summarizer) and returns the tally. */
export async function replay(files: readonly string[], shared: Shared, context: VerbContext, config: ReplayConfig = {}): Promise<RunTally> {
  const threads = shared.threads ?? context.threads;
  // A second thread only helps the text detectors: without text they stay on this one.
  const detect = context.detect(shared.config, threads >= 2 && (await startsWithText(files, shared)) ? threads : 1);
  const verdictConfig = shared.config.verdict;
  const tally = new RunTally(verdictConfig === undefined ? config : { ...config, verdict: verdictConfig });
  const progress = await replayProgress(files, shared, context.io);
  const source: Observable<Ingested> = openInput(files, shared).pipe(progress.track());
  const summarize = config.summarize === true ? defaultSummarize(shared.config) : undefined;
  const onItem = config.onItem;
  const items = source.pipe(
    analyze({ detect, ...(summarize === undefined ? {} : { summarize }), ...(verdictConfig === undefined ? {} : { verdict: verdictConfig }) }),
  );
  await consume(
    items,
    (item) => {
      tally.add(item);
      onItem?.(item);
    },
    context.io.signal,
  );
  return tally;
}
