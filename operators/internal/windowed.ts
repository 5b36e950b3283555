// The rxjs side of per-key windows (src/core/keyed-windows.ts), shared by rateLimitAlerts and
// aggregateAlerts: windows measured in trainer steps close when a later step arrives; windows
// measured in scheduler time also close on a timer. Open windows flush when the source completes;
// on error they are dropped and the error is forwarded.
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  filter,
  map,
  merge,
  mergeMap,
  Subject,
  takeUntil,
  tap,
  timer,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { KeyedWindows, type WindowPolicy } from '../../src/core/keyed-windows.js';

/** How windows are measured: in steps (`Alert.step`) or in ms of scheduler time. */
export type WindowClock =
  | { readonly kind: 'steps'; readonly length: number }
  | { readonly kind: 'time'; readonly length: number; readonly scheduler: SchedulerLike };

/** The window options shared by the windowed alert operators. */
export type WindowOptions =
  | {
      /** Window length in trainer steps: a window opened at step s covers steps s .. s + windowSteps - 1. */
      readonly windowSteps: number;
      readonly windowMs?: undefined;
      readonly scheduler?: undefined;
    }
  | {
      /** Window length in ms of scheduler time, from the window's first alert. */
      readonly windowMs: number;
      /** Scheduler for the window timers. Default `asyncScheduler`. */
      readonly scheduler?: SchedulerLike;
      readonly windowSteps?: undefined;
    };

/** Validates the window options of operator `name`; throws TypeError/RangeError at call time. */
export function windowClock(name: string, options: WindowOptions): WindowClock {
  const { windowSteps, windowMs } = options as { windowSteps?: unknown; windowMs?: unknown };
  if ((windowSteps === undefined) === (windowMs === undefined)) {
    throw new TypeError(`${name} needs exactly one of windowSteps or windowMs`);
  }
  if (windowSteps !== undefined) {
    if (typeof windowSteps !== 'number' || !Number.isInteger(windowSteps) || windowSteps < 1) {
      throw new RangeError(`${name} windowSteps must be an integer >= 1, got ${typeof windowSteps === 'number' ? String(windowSteps) : JSON.stringify(windowSteps)}`);
    }
    return { kind: 'steps', length: windowSteps };
  }
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new RangeError(`${name} windowMs must be a finite number > 0, got ${typeof windowMs === 'number' ? String(windowMs) : JSON.stringify(windowMs)}`);
  }
  return { kind: 'time', length: windowMs, scheduler: options.scheduler ?? asyncScheduler };
}

export function windowed<In extends { readonly step: number }, State, Out>(
  clock: WindowClock,
  makePolicy: () => WindowPolicy<In, State, Out>,
): OperatorFunction<In, Out> {
  if (clock.kind === 'steps') {
    return (source) =>
      defer(() => {
        const windows = new KeyedWindows(makePolicy(), clock.length);
        return concat(
          source.pipe(concatMap((item) => windows.offer(item, item.step).outputs)),
          defer(() => windows.flush()),
        );
      });
  }
  const { length, scheduler } = clock;
  return (source) =>
    defer(() => {
      const windows = new KeyedWindows(makePolicy(), length);
      // Completes the pending window timers when the source completes, so the open windows flush
      // at once instead of at their natural close.
      const sourceDone = new Subject<void>();
      return concat(
        source.pipe(
          tap({ complete: () => { sourceDone.next(); } }),
          mergeMap((item) => {
            const { outputs, opened } = windows.offer(item, scheduler.now());
            if (opened === undefined) return outputs;
            const closed = timer(length, scheduler).pipe(
              map(() => windows.close(opened)),
              filter((output): output is Out => output !== undefined),
              takeUntil(sourceDone),
            );
            return merge(outputs, closed);
          }),
        ),
        defer(() => windows.flush()),
      );
    });
}
