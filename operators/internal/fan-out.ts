// One subscription to a source, fanned out to several consumers: like rxjs `connect`, but a
// synchronous source stops as soon as the result is unsubscribed. `connect` subscribes the source
// to its subject and only adds that subscription to the subscriber once `subscribe` returns, so a
// synchronous source (a file replay, the simulator) would run to its end after `take(1)`. Here
// the source is one more inner of a `merge`, whose subscriber closes at once on unsubscription.
import { defer, ignoreElements, merge, Observable, tap, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';

/**
 * A multicast of fed items to the current subscribers, as a `Subject` does, but without its
 * per-item allocations: the CommonJS build of rxjs (what Node loads) downlevels `Subject.next`'s
 * `for...of` to an iterator object plus one result object per subscriber per item, and wraps it in
 * a fresh closure. Semantics kept from `Subject`: each item goes to the subscribers present when
 * it is fed, in subscription order; after `error`/`complete`, late subscribers get the same end at
 * once.
 */
class Multicast<T> implements Observer<T> {
  /** Replaced, never mutated, so a feed loop sees a stable snapshot while subscribers come and go. */
  private subscribers: readonly Subscriber<T>[] = [];
  private end: { readonly error: unknown } | 'complete' | undefined;

  readonly observable = new Observable<T>((subscriber) => {
    const end = this.end;
    if (end === 'complete') subscriber.complete();
    else if (end !== undefined) subscriber.error(end.error);
    else {
      this.subscribers = [...this.subscribers, subscriber];
      return () => {
        this.subscribers = this.subscribers.filter((other) => other !== subscriber);
      };
    }
    return undefined;
  });

  next(item: T): void {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) subscribers[i]!.next(item);
  }

  error(error: unknown): void {
    if (this.end !== undefined) return;
    this.end = { error };
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) subscriber.error(error);
  }

  complete(): void {
    if (this.end !== undefined) return;
    this.end = 'complete';
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) subscriber.complete();
  }
}

/**
 * Feeds every item of the source to `selector(shared)` through one subscription. The consumers
 * subscribe to `shared` synchronously inside `selector` (before the source starts); completion and
 * errors of the source reach them through the multicast.
 */
export function fanOut<T, R>(selector: (shared: Observable<T>) => Observable<R>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      const multicast = new Multicast<T>();
      // tap calls the observer's methods on it (and would call subscribe/unsubscribe/finalize hooks,
      // which a Multicast has none of).
      return merge(selector(multicast.observable), source.pipe(tap(multicast), ignoreElements()));
    });
}
