/**
 * Per-key tumbling windows that open at their first item, the pure state behind
 * `rateLimitAlerts()` and `aggregateAlerts()`.
 *
 * A window for a key opens when an item with that key arrives and no window for it is open; it
 * covers positions `[start, start + length)`, where a position is a trainer step or a scheduler
 * time in ms (the operator decides). Before each item is added, every window whose end is at or
 * before the item's position closes, in order of end. The policy decides what an item produces
 * at once (`add`) and what a window produces when it closes (`close`). Cost: O(open windows) per
 * item; memory O(open windows) plus what the policy keeps.
 */

export interface WindowPolicy<In, State, Out> {
  /** Window key of an item. */
  key(item: In): string;
  /** State of a new window, before its first item is added. */
  open(key: string, start: number, end: number): State;
  /** Adds an item to its window; returns what to emit at once, if anything. */
  add(state: State, item: In): Out | undefined;
  /** Closes a window; returns what to emit at its close, if anything. */
  close(state: State): Out | undefined;
}

/** An open window; compare by identity to know whether a timer's window is still open. */
export interface OpenWindow<State> {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly state: State;
}

export interface Offer<State, Out> {
  /** Closing outputs of expired windows, then the item's own output, in emission order. */
  readonly outputs: Out[];
  /** The window this item opened, if it opened one (time-based callers start its timer). */
  readonly opened: OpenWindow<State> | undefined;
}

export class KeyedWindows<In, State, Out> {
  private readonly windows = new Map<string, OpenWindow<State>>();

  constructor(
    private readonly policy: WindowPolicy<In, State, Out>,
    private readonly length: number,
  ) {}

  /** Closes the windows expired at `position`, then adds `item` (opening its window if needed). */
  offer(item: In, position: number): Offer<State, Out> {
    const outputs = this.expire(position);
    const key = this.policy.key(item);
    let window = this.windows.get(key);
    let opened: OpenWindow<State> | undefined;
    if (window === undefined) {
      window = { key, start: position, end: position + this.length, state: this.policy.open(key, position, position + this.length) };
      this.windows.set(key, window);
      opened = window;
    }
    const output = this.policy.add(window.state, item);
    if (output !== undefined) outputs.push(output);
    return { outputs, opened };
  }

  /** Closes `window` if it is still the open window of its key (a timer fired). */
  close(window: OpenWindow<State>): Out | undefined {
    if (this.windows.get(window.key) !== window) return undefined;
    this.windows.delete(window.key);
    return this.policy.close(window.state);
  }

  /** Closes every open window, in order of start (the source completed). */
  flush(): Out[] {
    return this.closeWhere(() => true);
  }

  private expire(position: number): Out[] {
    return this.closeWhere((window) => window.end <= position);
  }

  private closeWhere(expired: (window: OpenWindow<State>) => boolean): Out[] {
    const closing: OpenWindow<State>[] = [];
    for (const window of this.windows.values()) if (expired(window)) closing.push(window);
    if (closing.length > 1) closing.sort((a, b) => a.end - b.end);
    const outputs: Out[] = [];
    for (const window of closing) {
      this.windows.delete(window.key);
      const output = this.policy.close(window.state);
      if (output !== undefined) outputs.push(output);
    }
    return outputs;
  }
}
