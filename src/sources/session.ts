import { Subject, Subscription, type Observable } from 'rxjs';
import type { InputProblem, RewardEvent } from '../core/types.js';
import { watchBatch, type WatchBatchConfig } from './watch-batch.js';
import { watch, type AnyFunction, type WatchConfig, type WatchHandle, type Watched } from './watch.js';

export interface SessionConfig {
  /** Weight of each component in the total (TRL's `reward_weights`). Default 1 for every component. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Run name stamped on every event. */
  readonly run?: string;
  /**
   * Most samples waiting for their other components; past it the oldest is emitted as it is
   * (see `flush`). Default 65,536.
   */
  readonly maxPending?: number;
}

/** Per-component options: everything `watch` takes except what the session owns. */
export type SessionWatchConfig = Omit<WatchConfig, 'name' | 'step' | 'run'>;
export type SessionWatchBatchConfig = Omit<WatchBatchConfig, 'name' | 'step' | 'run'>;

export interface SessionStats {
  /** Samples waiting for some component. */
  readonly pending: number;
  /** Samples emitted with every component. */
  readonly complete: number;
  /** Samples emitted with some component missing (returned null, or never called). */
  readonly partial: number;
}

interface Pending {
  readonly first: RewardEvent;
  readonly values: Record<string, number>;
  count: number;
}

/**
 * Watches several reward functions as components of one reward, the way TRL combines
 * `reward_funcs`: each is wrapped (`session.watch` / `session.watchBatch`, which behave exactly
 * like `watch` / `watchBatch`), and the scores the components give one sample are merged into
 * one `RewardEvent` whose `components` hold each function's reward by name and whose `reward` is
 * their weighted sum.
 *
 * One sample = one step, prompt and completion text; when the same text occurs several times in
 * a step (identical completions in a GRPO group), the n-th score of each component goes to the
 * n-th occurrence. A sample is emitted as soon as every registered component scored it. Samples
 * some component did not score (it returned `null`, or was not called) wait until the step
 * changes, `flush()` or `complete()`, then are emitted with the components they have, a total
 * over those (TRL's nansum), and `meta.missingComponents` naming the others.
 *
 * The session owns the step: `session.step(n)` flushes the samples of the previous step, and
 * every component stamps the session's step. An async component should settle before the step
 * advances (TRL awaits its reward functions); a later score still counts, as a sample of its own
 * call step, emitted at the next flush.
 *
 * @example
 * const session = new Session({ weights: { accuracy: 1, format: 0.2 } });
 * const accuracy = session.watchBatch('accuracy', accuracyReward);
 * const format = session.watchBatch('format', formatReward);
 * session.events$.subscribe(console.log); // { step, reward: 1.2, components: { accuracy: 1, format: 1 }, ... }
 * session.step(1);
 * accuracy(prompts, completions);
 * format(prompts, completions);
 */
export class Session {
  /** One merged event per sample; hot, not replayed. */
  readonly events$: Observable<RewardEvent>;
  /** Every component's problems (`source` = the component name); hot, not replayed. */
  readonly problems$: Observable<InputProblem>;

  private readonly events = new Subject<RewardEvent>();
  private readonly problems = new Subject<InputProblem>();
  private readonly subscriptions = new Subscription();
  private readonly weights: Readonly<Record<string, number>>;
  private readonly run: string | undefined;
  private readonly maxPending: number;
  private readonly names: string[] = [];
  /** Samples waiting for components, by sample key, oldest key first. */
  private readonly pending = new Map<string, Pending[]>();
  private pendingCount = 0;
  private completeCount = 0;
  private partialCount = 0;
  private current = 0;

  constructor(config: SessionConfig = {}) {
    this.weights = config.weights ?? {};
    for (const [name, weight] of Object.entries(this.weights)) {
      if (!Number.isFinite(weight)) throw new RangeError(`Session: weight of ${name} must be finite, got ${String(weight)}`);
    }
    this.run = config.run;
    this.maxPending = config.maxPending ?? 65_536;
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) throw new RangeError(`Session: maxPending must be a positive integer, got ${String(config.maxPending)}`);
    this.events$ = this.events.asObservable();
    this.problems$ = this.problems.asObservable();
  }

  /** Wraps a single-sample reward function as component `name` (see `watch`). */
  watch<F extends AnyFunction>(name: string, fn: F, config: SessionWatchConfig = {}): Watched<F> {
    return this.register(name, watch(fn, { ...config, name, step: () => this.current }));
  }

  /** Wraps a TRL-style batch reward function as component `name` (see `watchBatch`). */
  watchBatch<F extends AnyFunction>(name: string, fn: F, config: SessionWatchBatchConfig = {}): F & WatchHandle {
    return this.register(name, watchBatch(fn, { ...config, name, step: () => this.current }));
  }

  /** Sets the step; the samples pending from earlier steps are emitted first. */
  step(step: number): void {
    if (!Number.isFinite(step)) throw new RangeError(`Session: step must be a finite number, got ${String(step)}`);
    if (step !== this.current) this.flush();
    this.current = step;
  }

  /** Advances the step by one (flushing the previous step) and returns it. */
  nextStep(): number {
    this.step(this.current + 1);
    return this.current;
  }

  currentStep(): number {
    return this.current;
  }

  /** Emits every pending sample with the components it has. */
  flush(): void {
    for (const queue of this.pending.values()) for (const sample of queue) this.emit(sample);
    this.pending.clear();
    this.pendingCount = 0;
  }

  stats(): SessionStats {
    return { pending: this.pendingCount, complete: this.completeCount, partial: this.partialCount };
  }

  /** Flushes, completes both streams and stops listening to the components (they keep working as functions). */
  complete(): void {
    this.flush();
    this.subscriptions.unsubscribe();
    this.events.complete();
    this.problems.complete();
  }

  private register<W extends WatchHandle>(name: string, spy: W): W {
    if (this.names.includes(name)) throw new TypeError(`Session: a component named ${name} is already watched`);
    if (name === '' || name === '__proto__') throw new TypeError(`Session: ${JSON.stringify(name)} cannot name a component`);
    this.names.push(name);
    this.subscriptions.add(spy.events$.subscribe((event) => {
      this.score(name, event);
    }));
    this.subscriptions.add(spy.problems$.subscribe((problem) => {
      this.problems.next(problem);
    }));
    return spy;
  }

  private score(name: string, event: RewardEvent): void {
    if (event.reward === undefined) return;
    const key = `${event.step}\u0000${event.prompt ?? ''}\u0000${event.response ?? ''}`;
    let queue = this.pending.get(key);
    let sample = queue?.find((candidate) => !Object.hasOwn(candidate.values, name));
    if (sample === undefined) {
      sample = { first: event, values: {}, count: 0 };
      if (queue === undefined) this.pending.set(key, (queue = []));
      queue.push(sample);
      this.pendingCount++;
    }
    sample.values[name] = event.reward;
    sample.count++;
    if (sample.count === this.names.length) {
      queue!.splice(queue!.indexOf(sample), 1);
      if (queue!.length === 0) this.pending.delete(key);
      this.pendingCount--;
      this.emit(sample);
    } else if (this.pendingCount > this.maxPending) {
      this.emitOldest();
    }
  }

  private emitOldest(): void {
    const [key, queue] = this.pending.entries().next().value as [string, Pending[]];
    const oldest = queue.shift()!;
    if (queue.length === 0) this.pending.delete(key);
    this.pendingCount--;
    this.emit(oldest);
  }

  private emit(sample: Pending): void {
    let total = 0;
    for (const [name, value] of Object.entries(sample.values)) total += (this.weights[name] ?? 1) * value;
    const { first } = sample;
    const event: { -readonly [K in keyof RewardEvent]: RewardEvent[K] } = { step: first.step, reward: total, components: sample.values };
    if (first.group !== undefined) event.group = first.group;
    if (first.response !== undefined) event.response = first.response;
    if (first.prompt !== undefined) event.prompt = first.prompt;
    if (first.length !== undefined) event.length = first.length;
    if (this.run !== undefined) event.run = this.run;
    if (first.t !== undefined) event.t = first.t;
    if (sample.count < this.names.length) {
      event.meta = { missingComponents: this.names.filter((name) => !Object.hasOwn(sample.values, name)) };
      this.partialCount++;
    } else {
      this.completeCount++;
    }
    this.events.next(event);
  }
}
