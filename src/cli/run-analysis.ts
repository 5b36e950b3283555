/** Replays input through the engine into a tally: the common body of `audit`, `summary` and `report`. */
import type { Observable } from 'rxjs';
import { analyze, RunTally, type AnalysisItem, type TallyConfig } from './analyze.js';
import type { Ingested } from '../sources/ingested.js';
import { estimateRecords, openInput, startsWithText } from './input.js';
import type { Shared, VerbContext } from './options.js';
import { Progress } from './progress.js';
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

/** Replays `files` through the detectors (and summarizer) and returns the tally. */
export async function replay(files: readonly string[], shared: Shared, context: VerbContext, config: ReplayConfig = {}): Promise<RunTally> {
  const threads = shared.threads ?? context.threads;
  // A second thread only helps the text detectors: without text they stay on this one.
  const detect = context.detect(shared.config, threads >= 2 && (await startsWithText(files, shared)) ? threads : 1);
  const verdictConfig = shared.config.verdict;
  const tally = new RunTally(verdictConfig === undefined ? config : { ...config, verdict: verdictConfig });
  const source: Observable<Ingested> = openInput(files, shared);
  const summarize = config.summarize === true ? defaultSummarize(shared.config) : undefined;
  const progress = new Progress(context.io, context.io.stderrIsTTY && !shared.quiet ? await estimateRecords(files) : undefined, !shared.quiet);
  const onItem = config.onItem;
  const items = source.pipe(
    analyze({ detect, ...(summarize === undefined ? {} : { summarize }), ...(verdictConfig === undefined ? {} : { verdict: verdictConfig }) }),
  );
  try {
    await consume(
      items,
      (item) => {
        if (item.kind === 'event' || item.kind === 'step') progress.tick();
        tally.add(item);
        onItem?.(item);
      },
      context.io.signal,
    );
  } finally {
    progress.done();
  }
  return tally;
}
