/**
 * Merging several sources (one log per rank) into one stream in step order, with bounded
 * buffering.
 *
 * Each source is assumed to arrive in its own step order. An item at step `s` is held until
 * every *active* source has reached step `s` (its latest step is >= `s`): from then on no active
 * source can still produce a smaller step, so emitting `s` keeps the merged stream ordered.
 * Held items leave in step order (ties: source order, then arrival). A source stops holding
 * the others back when it completes, or when it has been silent for `graceMs` while items wait
 * (a dead or slow rank); it rejoins when it speaks again, and its late steps then pass through
 * at once. At most `maxBuffered` items are held: beyond that the smallest steps are released
 * early. Problems carry no step and pass through at once.
 */
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  EMPTY,
  finalize,
  map,
  merge,
  of,
  Subject,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Ingested } from './ingested.js';

/** Default silence after which a source stops holding back the others. */
export const DEFAULT_GRACE_MS = 2000;
/** Default bound on the items held while waiting for slower sources. */
export const DEFAULT_MAX_BUFFERED = 100_000;

export interface MergeByStepConfig {
  /** Silence (ms) after which a source no longer holds the others back. Default 2000. */
  readonly graceMs?: number;
  /** Most items held back at once; the smallest steps leave early beyond it. Default 100 000. */
  readonly maxBuffered?: number;
  /** Scheduler of the grace timer and clock. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The step of an item, or undefined for a problem. */
export function stepOf(item: Ingested): number | undefined {
  switch (item.kind) {
    case 'event':
      return item.event.step;
    case 'step':
      return item.record.step;
    case 'problem':
      return undefined;
  }
}

interface Lane {
  readonly queue: Ingested[];
  /** Index of the next item to release in `queue` (a cursor, so releasing is O(1)). */
  head: number;
  /** Latest step this source has produced. */
  reached: number;
  lastHeard: number;
  done: boolean;
}

/**
 * Merges sources into one stream ordered by step (see the module comment); completes when all
 * complete, errors when one errors.
 *
 * @example
 * mergeByStep([fromFile('rank0.jsonl', { follow: true }), fromFile('rank1.jsonl', { follow: true })])
 */
export function mergeByStep(sources: readonly Observable<Ingested>[], config: MergeByStepConfig = {}): Observable<Ingested> {
  const graceMs = config.graceMs ?? DEFAULT_GRACE_MS;
  const maxBuffered = config.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const scheduler = config.scheduler ?? asyncScheduler;
  if (!(graceMs > 0)) throw new RangeError(`graceMs must be positive, got ${graceMs}`);
  if (!Number.isSafeInteger(maxBuffered) || maxBuffered < 1) {
    throw new RangeError(`maxBuffered must be a positive integer, got ${maxBuffered}`);
  }
  if (sources.length === 0) return EMPTY;
  return defer(() => {
    const lanes: Lane[] = sources.map(() => ({ queue: [], head: 0, reached: -Infinity, lastHeard: scheduler.now(), done: false }));
    let buffered = 0;
    let timer: Subscription | undefined;
    const wake = new Subject<void>();

    const heldBack = (lane: Lane, now: number): boolean => !lane.done && now - lane.lastHeard < graceMs;

    /** The items that may leave now, smallest step first. */
    const release = (): Ingested[] => {
      const now = scheduler.now();
      const out: Ingested[] = [];
      let watermark = Infinity;
      for (const lane of lanes) if (heldBack(lane, now)) watermark = Math.min(watermark, lane.reached);
      for (;;) {
        let best: Lane | undefined;
        let bestStep = Infinity;
        for (const lane of lanes) {
          const item = lane.queue[lane.head];
          if (item === undefined) continue;
          const step = stepOf(item) ?? -Infinity;
          if (step < bestStep || best === undefined) {
            best = lane;
            bestStep = step;
          }
        }
        if (best === undefined || (bestStep > watermark && buffered <= maxBuffered)) break;
        out.push(best.queue[best.head++]!);
        if (best.head === best.queue.length) {
          best.queue.length = 0;
          best.head = 0;
        }
        buffered--;
      }
      if (buffered === 0 && lanes.every((lane) => lane.done)) wake.complete();
      else armTimer(now);
      return out;
    };

    /** While items wait, wakes up when the first source holding them back runs out of grace. */
    const armTimer = (now: number): void => {
      if (buffered === 0 || timer !== undefined) return;
      let wakeAt = Infinity;
      for (const lane of lanes) if (heldBack(lane, now)) wakeAt = Math.min(wakeAt, lane.lastHeard + graceMs);
      if (wakeAt === Infinity) return;
      timer = scheduler.schedule(() => {
        timer = undefined;
        wake.next();
      }, Math.max(0, wakeAt - now));
    };

    const accept = (lane: Lane, item: Ingested): readonly Ingested[] => {
      lane.lastHeard = scheduler.now();
      const step = stepOf(item);
      if (step === undefined) return [item];
      if (step > lane.reached) lane.reached = step;
      lane.queue.push(item);
      buffered++;
      return release();
    };

    const finish = (lane: Lane): Observable<readonly Ingested[]> =>
      defer(() => {
        lane.done = true;
        return of(release());
      });

    return merge(
      ...sources.map((source, index) => {
        const lane = lanes[index]!;
        return concat(source.pipe(map((item) => accept(lane, item))), finish(lane));
      }),
      wake.pipe(map(release)),
    ).pipe(
      concatMap((items) => items),
      finalize(() => {
        timer?.unsubscribe();
      }),
    );
  });
}
