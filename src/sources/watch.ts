import { Subject, type Observable } from 'rxjs';
import type { InputProblem, RewardEvent } from '../core/types.js';
import { excerpt } from './excerpt.js';
import { readReward, type RewardReading } from './reward-value.js';
import { completionText, promptText } from './sample-text.js';

/** Picks a value out of a call's arguments: an argument index, or a function of all arguments. */
export type ArgPick = number | ((args: readonly unknown[]) => unknown);

export interface WatchConfig {
  /** Names the reward function; problems carry it as their `source`. Default: `fn.name`, else `'reward'`. */
  readonly name?: string;
  /**
   * The completion whose text and length an event records. Default `1`: the second argument,
   * as in TRL-style `(prompt, completion, ...)`. A string or a chat-message list
   * (`[{ role: 'assistant', content }]`) is read as text; anything else leaves `response` and
   * `length` unset and is reported once, so the length is never taken from the wrong argument.
   * Single-argument functions `(completion) => number` set `response: 0`.
   */
  readonly response?: ArgPick;
  /** The prompt. Default `0` when `response` is left at its default; otherwise no prompt. */
  readonly prompt?: ArgPick;
  /** Group (GRPO prompt) id of a call. Default: the prompt text itself, so samples of one prompt share a group. */
  readonly group?: (args: readonly unknown[]) => string | undefined;
  /** Length of a completion. Default: its length in characters (UTF-16 code units); pass a tokenizer's count for tokens. */
  readonly length?: (response: string) => number;
  /** Where the current trainer step comes from. Default: the value set by `spy.step(n)` / `spy.nextStep()`, starting at 0. */
  readonly step?: () => number;
  /** Run name stamped on every event. */
  readonly run?: string;
  /** Keep prompt and completion text on events (default `true`); `false` keeps only length and group. */
  readonly keepText?: boolean;
  /** Clock for `t` (ms since the epoch). Default `Date.now`. */
  readonly clock?: () => number;
}

export interface WatchStats {
  /** Calls made through the wrapper. */
  readonly calls: number;
  /** Calls whose reward was read (recorded as an event, or would have been had anyone subscribed). */
  readonly scored: number;
  /** Calls that returned `null` or `undefined` ("not applicable"). */
  readonly missing: number;
  /** Problems reported (non-finite or non-numeric rewards, missing completion text, errors). */
  readonly problems: number;
  /** Calls that threw or rejected. */
  readonly errors: number;
}

/** What `watch` adds to the wrapped function. */
export interface WatchHandle {
  /**
   * One `RewardEvent` per scored call. Hot and not replayed: subscribe before calling; events
   * of calls made while nobody is subscribed are never built (that is what keeps an unobserved
   * wrapper almost free).
   */
  readonly events$: Observable<RewardEvent>;
  /** Problems met on the way (`source` = the name, `line` = the 1-based call number). Hot, not replayed. */
  readonly problems$: Observable<InputProblem>;
  /** Sets the trainer step stamped on the next calls. Throws when `config.step` drives the step. */
  readonly step: (step: number) => void;
  /** Advances the step by one and returns it. */
  readonly nextStep: () => number;
  /** The step the next call will be stamped with. */
  readonly currentStep: () => number;
  /** Puts the next calls in group `id` (overrides `config.group`); `undefined` returns to the default. */
  readonly group: (id: string | undefined) => void;
  readonly stats: () => WatchStats;
  /** Completes `events$` and `problems$`; the wrapper keeps working as `fn`. */
  readonly complete: () => void;
}

/** Any function; `watch` keeps its exact type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- must accept every function signature
export type AnyFunction = (this: any, ...args: any[]) => unknown;

export type Watched<F extends AnyFunction> = F & WatchHandle;

/**
 * Wraps a reward function so every call is recorded as a `RewardEvent`, without changing what
 * the function does: the wrapper returns the very value `fn` returns (the same object, the same
 * promise), throws the same error, and passes `this` through.
 *
 * A returned number is the reward; an object of numbers is components whose total is `total`
 * when present, else their sum (the object is returned unchanged). A promise is recorded when
 * it settles, stamped with the step current at call time. Non-finite or non-numeric results,
 * errors and rejections go to `problems$`, never to `events$`.
 *
 * Cost: a few tens of nanoseconds per call over `fn` itself (benchmarks/watch.bench.ts).
 *
 * @example
 * const spy = watch((prompt: string, completion: string) => (completion.includes('42') ? 1 : 0), { name: 'math' });
 * spy.events$.subscribe((event) => console.log(event.step, event.reward, event.length));
 * spy.step(1);
 * spy('What is 6*7?', 'It is 42.'); // returns 1; logs 1 1 9
 */
export function watch<F extends AnyFunction>(fn: F, config: WatchConfig = {}): Watched<F> {
  if (typeof fn !== 'function') throw new TypeError('watch: fn must be a function');
  const name = config.name ?? (fn.name !== '' ? fn.name : 'reward');
  const responsePick = checkPick(config.response ?? 1, 'response');
  const promptPick = config.prompt !== undefined ? checkPick(config.prompt, 'prompt') : config.response === undefined ? 0 : undefined;
  const groupOf = config.group;
  const lengthOf = config.length;
  const stepSource = config.step;
  const run = config.run;
  const keepText = config.keepText ?? true;
  const clock = config.clock ?? Date.now;

  const events = new Subject<RewardEvent>();
  const problems = new Subject<InputProblem>();
  let step = 0;
  let fixedGroup: string | undefined;
  let calls = 0;
  let scored = 0;
  let missing = 0;
  let problemCount = 0;
  let errors = 0;
  let missingTextReported = false;

  const report = (line: number, reason: string, value: unknown): void => {
    problemCount++;
    problems.next({ source: name, line, reason, excerpt: excerptOf(value) });
  };

  /** Records one settled result; `args` are the call's arguments. */
  const record = (result: unknown, args: readonly unknown[], atStep: number, line: number): void => {
    let reading: RewardReading | undefined;
    if (typeof result === 'number' && Number.isFinite(result)) {
      scored++;
      if (!events.observed) return;
      reading = undefined;
    } else {
      reading = readReward(result);
      if (reading === undefined) {
        missing++;
        return;
      }
      if (reading.problem !== undefined) report(line, reading.problem, result);
      if (reading.reward === undefined) return;
      scored++;
      if (!events.observed) return;
    }
    const responseValue = pick(responsePick, args);
    const response = completionText(responseValue);
    if (response === undefined && !missingTextReported) {
      missingTextReported = true;
      report(line, `argument ${describePick(responsePick)} holds no completion text (got ${typeof responseValue}); set config.response. Length is not recorded`, responseValue);
    }
    const prompt = promptPick === undefined ? undefined : promptText(pick(promptPick, args));
    const group = fixedGroup ?? (groupOf !== undefined ? groupOf(args) : prompt);
    events.next(
      sampleEvent(atStep, reading ?? (result as number), prompt, response, group, response === undefined ? undefined : lengthOf !== undefined ? lengthOf(response) : response.length, run, clock(), keepText),
    );
  };

  const currentStep = (): number => (stepSource !== undefined ? stepSource() : step);

  function watched(this: unknown, ...args: unknown[]): unknown {
    const line = ++calls;
    let result: unknown;
    try {
      result = Reflect.apply(fn, this, args);
    } catch (error) {
      errors++;
      report(line, `reward function threw: ${errorMessage(error)}`, error);
      throw error;
    }
    const atStep = stepSource !== undefined ? stepSource() : step;
    if (isThenable(result)) {
      result.then(
        (value) => {
          record(value, args, atStep, line);
        },
        (error: unknown) => {
          errors++;
          report(line, `reward function rejected: ${errorMessage(error)}`, error);
        },
      );
      return result;
    }
    record(result, args, atStep, line);
    return result;
  }
  Object.defineProperty(watched, 'name', { value: fn.name });
  Object.defineProperty(watched, 'length', { value: fn.length });

  const handle: WatchHandle = {
    events$: events.asObservable(),
    problems$: problems.asObservable(),
    step: (next) => {
      if (stepSource !== undefined) throw new TypeError(`watch(${name}): the step is driven by config.step`);
      if (!Number.isFinite(next)) throw new RangeError(`watch(${name}): step must be a finite number, got ${String(next)}`);
      step = next;
    },
    nextStep: () => {
      if (stepSource !== undefined) throw new TypeError(`watch(${name}): the step is driven by config.step`);
      return ++step;
    },
    currentStep,
    group: (id) => {
      fixedGroup = id;
    },
    stats: () => ({ calls, scored, missing, problems: problemCount, errors }),
    complete: () => {
      events.complete();
      problems.complete();
    },
  };
  return Object.assign(watched, handle) as unknown as Watched<F>;
}

/**
 * Builds one event; `reading` is a bare finite number on the fast path. Fields are added in a
 * fixed order so every event has the same shape.
 * @internal shared with watchBatch
 */
export function sampleEvent(
  step: number,
  reading: number | RewardReading,
  prompt: string | undefined,
  response: string | undefined,
  group: string | undefined,
  length: number | undefined,
  run: string | undefined,
  t: number,
  keepText: boolean,
): RewardEvent {
  const event: { -readonly [K in keyof RewardEvent]: RewardEvent[K] } = { step };
  if (typeof reading === 'number') event.reward = reading;
  else {
    if (reading.reward !== undefined) event.reward = reading.reward;
    if (reading.components !== undefined) event.components = reading.components;
  }
  if (group !== undefined) event.group = group;
  if (keepText && response !== undefined) event.response = response;
  if (keepText && prompt !== undefined) event.prompt = prompt;
  if (length !== undefined && Number.isFinite(length)) event.length = length;
  if (run !== undefined) event.run = run;
  event.t = t;
  return event;
}

/** @internal */
export function pick(picker: ArgPick, args: readonly unknown[]): unknown {
  return typeof picker === 'number' ? args[picker] : picker(args);
}

/** @internal */
export function checkPick(picker: ArgPick, field: string): ArgPick {
  if (typeof picker === 'function') return picker;
  if (!Number.isInteger(picker) || picker < 0) throw new RangeError(`watch: config.${field} must be a non-negative argument index or a function, got ${String(picker)}`);
  return picker;
}

function describePick(picker: ArgPick): string {
  return typeof picker === 'number' ? String(picker) : 'picked by config.response';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** @internal */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** @internal */
export function excerptOf(value: unknown): string {
  if (typeof value === 'string') return excerpt(value);
  if (value instanceof Error) return excerpt(`${value.name}: ${value.message}`);
  try {
    const json = JSON.stringify(value) as string | undefined; // undefined for functions and undefined
    return excerpt(json ?? String(value));
  } catch {
    return excerpt(String(value));
  }
}
