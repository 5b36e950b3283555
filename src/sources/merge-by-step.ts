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
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
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
  return new Observable<Ingested>((subscriber) => {
    const lanes: Lane[] = sources.map(() => ({ queue: [], head: 0, reached: -Infinity, lastHeard: scheduler.now(), done: false }));
    let buffered = 0;
    let timer: Subscription | undefined;

    const heldBack = (lane: Lane, now: number): boolean => !lane.done && now - lane.lastHeard < graceMs;

    const release = (): void => {
      const now = scheduler.now();
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
        const item = best.queue[best.head++]!;
        if (best.head === best.queue.length) {
          best.queue.length = 0;
          best.head = 0;
        }
        buffered--;
        subscriber.next(item);
        if (subscriber.closed) return;
      }
      if (lanes.every((lane) => lane.done) && buffered === 0) {
        subscriber.complete();
        return;
      }
      armTimer(now);
    };

    /** While items wait, wakes up when the first source holding them back runs out of grace. */
    const armTimer = (now: number): void => {
      if (buffered === 0 || timer !== undefined) return;
      let wake = Infinity;
      for (const lane of lanes) if (heldBack(lane, now)) wake = Math.min(wake, lane.lastHeard + graceMs);
      if (wake === Infinity) return;
      timer = scheduler.schedule(() => {
        timer = undefined;
        release();
      }, Math.max(0, wake - now));
    };

    const subscriptions = sources.map((source, index) => {
      const lane = lanes[index]!;
      return source.subscribe({
        next: (item) => {
          lane.lastHeard = scheduler.now();
          const step = stepOf(item);
          if (step === undefined) {
            subscriber.next(item);
            return;
          }
          if (step > lane.reached) lane.reached = step;
          lane.queue.push(item);
          buffered++;
          release();
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          lane.done = true;
          release();
        },
      });
    });
    if (sources.length === 0) subscriber.complete();
    return () => {
      timer?.unsubscribe();
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  });
}
