// One subscription to a source, fanned out to several consumers: like rxjs `connect`, but a
// synchronous source stops as soon as the result is unsubscribed. `connect` subscribes the source
// to its subject and only adds that subscription to the subscriber once `subscribe` returns, so a
// synchronous source (a file replay, the simulator) would run to its end after `take(1)`. Here
// the source is one more inner of a `merge`, whose subscriber closes at once on unsubscription.
import { defer, ignoreElements, merge, Subject, tap, type Observable, type OperatorFunction } from 'rxjs';

/**
 * Feeds every item of the source to `selector(shared)` through one subscription. The consumers
 * subscribe to `shared` synchronously inside `selector` (before the source starts); completion and
 * errors of the source reach them through the subject.
 */
export function fanOut<T, R>(selector: (shared: Observable<T>) => Observable<R>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      const subject = new Subject<T>();
      // Not `tap(subject)`: tap calls an observer's `subscribe`/`unsubscribe` hooks, which a Subject has.
      const feed = {
        next: (item: T) => {
          subject.next(item);
        },
        error: (error: unknown) => {
          subject.error(error);
        },
        complete: () => {
          subject.complete();
        },
      };
      return merge(selector(subject.asObservable()), source.pipe(tap(feed), ignoreElements()));
    });
}
