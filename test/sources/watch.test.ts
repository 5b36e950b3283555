import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputProblem, RewardEvent } from '../../src/core/types.js';
import { watch, type WatchHandle } from '../../src/sources/watch.js';

function collect(spy: WatchHandle): { events: RewardEvent[]; problems: InputProblem[] } {
  const events: RewardEvent[] = [];
  const problems: InputProblem[] = [];
  spy.events$.subscribe((event) => events.push(event));
  spy.problems$.subscribe((problem) => problems.push(problem));
  return { events, problems };
}

const clock = (): number => 1_000;

describe('watch', () => {
  it('returns exactly what fn returns and records a number as the reward', () => {
    const spy = watch((_prompt: string, completion: string) => (completion.includes('42') ? 1 : 0), { name: 'math', clock });
    const { events, problems } = collect(spy);
    spy.step(3);
    expect(spy('What is 6*7?', 'It is 42.')).toBe(1);
    expect(spy('What is 6*7?', 'No idea')).toBe(0);
    expect(events).toEqual([
      { step: 3, reward: 1, group: 'What is 6*7?', response: 'It is 42.', prompt: 'What is 6*7?', length: 9, t: 1000 },
      { step: 3, reward: 0, group: 'What is 6*7?', response: 'No idea', prompt: 'What is 6*7?', length: 7, t: 1000 },
    ]);
    expect(problems).toEqual([]);
    expect(spy.stats()).toEqual({ calls: 2, scored: 2, missing: 0, problems: 0, errors: 0 });
  });

  it('returns the same object, reads its numbers as components, and totals them', () => {
    const result = { format: 0.5, correct: 1, note: 'metadata is not a component' };
    const spy = watch((_p: string, _c: string) => result);
    const { events } = collect(spy);
    expect(spy('p', 'c')).toBe(result);
    expect(events[0]?.reward).toBe(1.5);
    expect(events[0]?.components).toEqual({ format: 0.5, correct: 1 });
    const withTotal = watch((_p: string, _c: string) => ({ format: 0.5, correct: 1, total: 0.8 }));
    const seen = collect(withTotal);
    withTotal('p', 'c');
    expect(seen.events[0]?.reward).toBe(0.8);
    expect(seen.events[0]?.components).toEqual({ format: 0.5, correct: 1 });
  });

  it('preserves this and arguments', () => {
    function score(this: { bonus: number }, _prompt: string, completion: string, extra: number): number {
      return completion.length + this.bonus + extra;
    }
    const scorer = { bonus: 2 };
    const spy = watch(score);
    const { events } = collect(spy);
    expect(spy.call(scorer, 'p', 'abc', 10)).toBe(15);
    expect([spy.name, spy.length]).toEqual(['score', 3]);
    expect(events[0]?.reward).toBe(15);
  });

  it('rethrows the same error, records nothing, reports it, and keeps working', () => {
    const boom = new Error('boom');
    const spy = watch((_p: string, completion: string) => {
      if (completion === 'bad') throw boom;
      return 1;
    }, { name: 'fragile' });
    const { events, problems } = collect(spy);
    let thrown: unknown;
    try {
      spy('p', 'bad');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(boom);
    expect(spy('p', 'good')).toBe(1);
    expect(events.map((event) => event.reward)).toEqual([1]);
    expect(problems).toEqual([{ source: 'fragile', line: 1, reason: 'reward function threw: boom', excerpt: 'Error: boom' }]);
    expect(spy.stats().errors).toBe(1);
  });

  it('reports non-finite and non-numeric results instead of recording them', () => {
    const values: unknown[] = [Number.NaN, Infinity, 'high', 0.25, { a: Number.NaN, b: 1 }, { a: Number.NaN, total: 2 }];
    let index = 0;
    const spy = watch((_p: string, _c: string) => values[index++], { name: 'odd' });
    const { events, problems } = collect(spy);
    for (let call = 0; call < values.length; call++) spy('p', 'c');
    expect(events.map((event) => event.reward)).toEqual([0.25, 2]);
    expect(events[1]?.components).toBeUndefined();
    expect(problems.map((problem) => [problem.line, problem.reason])).toEqual([
      [1, 'non-finite reward NaN'],
      [2, 'non-finite reward Infinity'],
      [3, 'expected a number or an object of numbers, got string "high"'],
      [5, 'non-finite component a=NaN: the sum is unknown'],
      [6, 'non-finite component a=NaN (not recorded)'],
    ]);
  });

  it('counts null and undefined as not applicable, without an event or a problem', () => {
    const spy = watch((_p: string, completion: string) => (completion === '' ? null : 1));
    const { events, problems } = collect(spy);
    spy('p', '');
    spy('p', 'x');
    expect(events).toHaveLength(1);
    expect(problems).toEqual([]);
    expect(spy.stats()).toMatchObject({ calls: 2, scored: 1, missing: 1 });
  });

  it('never takes the length from the prompt: a missing completion is reported once', () => {
    const spy = watch((completion: string) => completion.length, { name: 'single' });
    const { events, problems } = collect(spy);
    spy('a long completion');
    spy('another');
    expect(events.map((event) => event.length)).toEqual([undefined, undefined]);
    expect(events[0]).not.toHaveProperty('response');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.reason).toMatch(/argument 1 holds no completion text/);

    const fixed = watch((completion: string) => completion.length, { response: 0 });
    const seen = collect(fixed);
    fixed('abcd');
    expect(seen.events[0]).toMatchObject({ response: 'abcd', length: 4 });
    expect(seen.events[0]).not.toHaveProperty('prompt');
  });

  it('reads chat-message completions and prompts, and takes a token-count length', () => {
    const spy = watch((_prompt: unknown, _completion: unknown) => 1, { length: (text) => text.split(/\s+/).length });
    const { events } = collect(spy);
    spy([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '2+2?' }], [{ role: 'assistant', content: 'it is 4' }]);
    expect(events[0]).toMatchObject({ prompt: 'system: Be brief.\nuser: 2+2?', response: 'it is 4', length: 3, group: 'system: Be brief.\nuser: 2+2?' });
  });

  it('takes the step from spy.step / nextStep or from config.step, and the group from spy.group', () => {
    const spy = watch((_p: string, _c: string) => 1);
    const { events } = collect(spy);
    spy('p', 'c');
    spy.step(7);
    spy('p', 'c');
    expect(spy.nextStep()).toBe(8);
    spy.group('g1');
    spy('p', 'c');
    spy.group(undefined);
    spy('q', 'c');
    expect(events.map((event) => [event.step, event.group])).toEqual([[0, 'p'], [7, 'p'], [8, 'g1'], [8, 'q']]);

    let trainerStep = 41;
    const driven = watch((_p: string, _c: string) => 1, { step: () => trainerStep, group: (args) => `id-${String(args[0])}` });
    const seen = collect(driven);
    driven('p', 'c');
    trainerStep = 42;
    driven('p', 'c');
    expect(seen.events.map((event) => [event.step, event.group])).toEqual([[41, 'id-p'], [42, 'id-p']]);
    expect(() => {
      driven.step(1);
    }).toThrow(TypeError);
    expect(() => {
      spy.step(Number.NaN);
    }).toThrow(RangeError);
  });

  it('returns the same promise for async functions and records it with the step of the call', async () => {
    let release: (value: number) => void = () => undefined;
    const pending = new Promise<number>((resolve) => {
      release = resolve;
    });
    const spy = watch((_p: string, _c: string) => pending);
    const { events } = collect(spy);
    spy.step(5);
    const returned = spy('p', 'c');
    expect(returned).toBe(pending);
    spy.step(6);
    release(0.75);
    expect(await returned).toBe(0.75);
    await Promise.resolve();
    expect(events).toMatchObject([{ step: 5, reward: 0.75 }]);
  });

  it('passes a rejection through unchanged and keeps working', async () => {
    const failure = new Error('judge offline');
    const spy = watch(async (_p: string, completion: string) => {
      await Promise.resolve();
      if (completion === 'x') throw failure;
      return 1;
    });
    const { events, problems } = collect(spy);
    await expect(spy('p', 'x')).rejects.toBe(failure);
    expect(await spy('p', 'ok')).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.map((event) => event.reward)).toEqual([1]);
    expect(problems.map((problem) => problem.reason)).toEqual(['reward function rejected: judge offline']);
  });

  it('builds no events while nobody subscribes, and does not replay them', () => {
    const spy = watch((_p: string, _c: string) => 1);
    spy('p', 'before');
    const { events } = collect(spy);
    spy('p', 'after');
    expect(events.map((event) => event.response)).toEqual(['after']);
    expect(spy.stats().scored).toBe(2);
  });

  it('completes its streams on complete() and keeps returning fn results', () => {
    const spy = watch((_p: string, _c: string) => 3);
    let completed = false;
    spy.events$.subscribe({
      complete: () => {
        completed = true;
      },
    });
    spy.complete();
    expect(completed).toBe(true);
    expect(spy('p', 'c')).toBe(3);
  });

  it('rejects bad config at call time', () => {
    expect(() => watch('nope' as never)).toThrow(TypeError);
    expect(() => watch(() => 1, { response: -1 })).toThrow(RangeError);
    expect(() => watch(() => 1, { prompt: 1.5 })).toThrow(RangeError);
  });

  it('records exactly the finite returns, in order, with the values returned (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 60 }), (values) => {
        let index = 0;
        const spy = watch((_p: string, _c: string) => values[index++]);
        const { events, problems } = collect(spy);
        const returned = values.map(() => spy('p', 'c'));
        expect(returned).toEqual(values);
        const finite = values.filter((value): value is number => value !== null && Number.isFinite(value));
        expect(events.map((event) => event.reward)).toEqual(finite);
        expect(problems).toHaveLength(values.filter((value) => value !== null && !Number.isFinite(value)).length);
        expect(spy.stats().missing).toBe(values.filter((value) => value === null).length);
      }),
    );
  });
});
