import { Subject } from 'rxjs';
import type { InputProblem, RewardEvent } from '../core/types.js';
import { readReward } from './reward-value.js';
import { completionText, promptText } from './sample-text.js';
import { errorMessage, excerptOf, sampleEvent, type AnyFunction, type WatchHandle } from './watch.js';

export interface WatchBatchConfig {
  /** Names the reward function; problems carry it as their `source`. Default: `fn.name`, else `'reward'`. */
  readonly name?: string;
  /**
   * Group (GRPO prompt) id of the completion at `index`, given its prompt. Default: the prompt's
   * text itself (TRL repeats each prompt once per generation, so equal prompts form a group).
   */
  readonly group?: (prompt: unknown, index: number) => string | undefined;
  /** Length of a completion. Default: its length in characters; pass a tokenizer's count for tokens. */
  readonly length?: (response: string) => number;
  /** Where the current trainer step comes from. Default: the value set by `spy.step(n)` / `spy.nextStep()`, starting at 0. */
  readonly step?: () => number;
  readonly run?: string;
  /** Keep prompt and completion text on events (default `true`). */
  readonly keepText?: boolean;
  /** Clock for `t` (ms since the epoch). Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * Wraps a TRL-style batch reward function `(prompts, completions, ...rest) => rewards` so each
 * completion becomes one `RewardEvent`, returning exactly what `fn` returns (same array, same
 * promise, same error; `this` passed through).
 *
 * Completions may be strings or chat-message lists (the assistant content is the text); prompts
 * likewise. Each reward is read like `watch` reads a return value: a number, an object of
 * numbers (components), or `null`/`undefined` for "not applicable" (counted as missing, like
 * TRL's None). A result that is not an array, or whose length differs from the completions',
 * is reported and records nothing, because its rewards cannot be matched to completions.
 *
 * @example
 * const spy = watchBatch((prompts, completions) => completions.map((c) => (String(c).includes('<answer>') ? 1 : 0)), { name: 'format' });
 * spy.events$.subscribe(console.log);
 * spy(['2+2?', '2+2?'], ['<answer>4</answer>', 'four']); // [1, 0], and two events in group '2+2?'
 */
export function watchBatch<F extends AnyFunction>(fn: F, config: WatchBatchConfig = {}): F & WatchHandle {
  if (typeof fn !== 'function') throw new TypeError('watchBatch: fn must be a function');
  const name = config.name ?? (fn.name !== '' ? fn.name : 'reward');
  const stepSource = config.step;
  const groupOf = config.group;
  const lengthOf = config.length;
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

  const report = (line: number, reason: string, value: unknown): void => {
    problemCount++;
    problems.next({ source: name, line, reason, excerpt: excerptOf(value) });
  };

  const record = (result: unknown, args: readonly unknown[], atStep: number, line: number): void => {
    const prompts = args[0];
    const completions = args[1];
    if (!Array.isArray(completions)) {
      report(line, `argument 1 (completions) is not an array (got ${typeof completions}); nothing recorded`, completions);
      return;
    }
    if (!Array.isArray(result)) {
      report(line, `expected an array of rewards, got ${result === null ? 'null' : typeof result}; nothing recorded`, result);
      return;
    }
    if (result.length !== completions.length) {
      report(line, `${result.length} rewards for ${completions.length} completions; nothing recorded`, result);
      return;
    }
    const t = clock();
    for (let index = 0; index < result.length; index++) {
      const reading = readReward(result[index]);
      if (reading === undefined) {
        missing++;
        continue;
      }
      if (reading.problem !== undefined) report(line, `completion ${index}: ${reading.problem}`, result[index]);
      if (reading.reward === undefined) continue;
      scored++;
      if (!events.observed) continue;
      const promptValue: unknown = Array.isArray(prompts) ? prompts[index] : undefined;
      const prompt = promptText(promptValue);
      const response = completionText(completions[index]);
      const group = fixedGroup ?? (groupOf !== undefined ? groupOf(promptValue, index) : prompt);
      const length = response === undefined ? undefined : lengthOf !== undefined ? lengthOf(response) : response.length;
      events.next(sampleEvent(atStep, reading, prompt, response, group, length, run, t, keepText));
    }
  };

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
    if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
      (result as PromiseLike<unknown>).then(
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
      if (stepSource !== undefined) throw new TypeError(`watchBatch(${name}): the step is driven by config.step`);
      if (!Number.isFinite(next)) throw new RangeError(`watchBatch(${name}): step must be a finite number, got ${String(next)}`);
      step = next;
    },
    nextStep: () => {
      if (stepSource !== undefined) throw new TypeError(`watchBatch(${name}): the step is driven by config.step`);
      return ++step;
    },
    currentStep: () => (stepSource !== undefined ? stepSource() : step),
    group: (id) => {
      fixedGroup = id;
    },
    stats: () => ({ calls, scored, missing, problems: problemCount, errors }),
    complete: () => {
      events.complete();
      problems.complete();
    },
  };
  return Object.assign(watched, handle) as unknown as F & WatchHandle;
}
