import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputProblem, RewardEvent } from '../../src/core/types.js';
import type { WatchHandle } from '../../src/sources/watch.js';
import { watchBatch } from '../../src/sources/watch-batch.js';

function collect(spy: WatchHandle): { events: RewardEvent[]; problems: InputProblem[] } {
  const events: RewardEvent[] = [];
  const problems: InputProblem[] = [];
  spy.events$.subscribe((event) => events.push(event));
  spy.problems$.subscribe((problem) => problems.push(problem));
  return { events, problems };
}

const formatReward = (_prompts: readonly string[], completions: readonly string[]): number[] =>
  completions.map((completion) => (/<answer>.+<\/answer>/.test(completion) ? 1 : 0));

describe('watchBatch', () => {
  it('records one event per completion, grouped by prompt, and returns the same array', () => {
    let returned: number[] = [];
    const spy = watchBatch((prompts: readonly string[], completions: readonly string[]) => (returned = formatReward(prompts, completions)), { name: 'format', clock: () => 5 });
    const { events } = collect(spy);
    spy.step(2);
    const result = spy(['2+2?', '2+2?', '3+3?'], ['<answer>4</answer>', 'four', '<answer>6</answer>']);
    expect(result).toBe(returned);
    expect(events).toEqual([
      { step: 2, reward: 1, group: '2+2?', response: '<answer>4</answer>', prompt: '2+2?', length: 18, t: 5 },
      { step: 2, reward: 0, group: '2+2?', response: 'four', prompt: '2+2?', length: 4, t: 5 },
      { step: 2, reward: 1, group: '3+3?', response: '<answer>6</answer>', prompt: '3+3?', length: 18, t: 5 },
    ]);
  });

  it('reads chat-message completions (the assistant content) and passes extra arguments through', () => {
    const spy = watchBatch((_prompts: unknown[], completions: { role: string; content: string }[][], options: { scale: number }) =>
      completions.map((messages) => (messages[0]?.content.length ?? 0) * options.scale),
    );
    const { events } = collect(spy);
    const prompts = [[{ role: 'user', content: 'hi' }], [{ role: 'user', content: 'hi' }]];
    const completions = [[{ role: 'assistant', content: 'hello' }], [{ role: 'assistant', content: 'hey' }]];
    expect(spy(prompts, completions, { scale: 2 })).toEqual([10, 6]);
    expect(events.map((event) => [event.response, event.length, event.group, event.reward])).toEqual([
      ['hello', 5, 'user: hi', 10],
      ['hey', 3, 'user: hi', 6],
    ]);
  });

  it('counts null entries as missing and reports non-finite ones, recording the rest', () => {
    const spy = watchBatch((_p: string[], _c: string[]) => [1, null, Number.NaN, 0.5, undefined], { name: 'judge' });
    const { events, problems } = collect(spy);
    spy(['a', 'a', 'a', 'a', 'a'], ['1', '2', '3', '4', '5']);
    expect(events.map((event) => [event.response, event.reward])).toEqual([['1', 1], ['4', 0.5]]);
    expect(problems).toEqual([{ source: 'judge', line: 1, reason: 'completion 2: non-finite reward NaN', excerpt: 'null' }]);
    expect(spy.stats()).toEqual({ calls: 1, scored: 2, missing: 2, problems: 1, errors: 0 });
  });

  it('reports a length mismatch or a non-array result, records nothing, and does not crash', () => {
    const results: unknown[] = [[1, 2], 'nope', [1, 2, 3]];
    let call = 0;
    const spy = watchBatch((_p: string[], _c: string[]) => results[call++]);
    const { events, problems } = collect(spy);
    const completions = ['x', 'y', 'z'];
    expect(spy(['p', 'p', 'p'], completions)).toEqual([1, 2]);
    expect(spy(['p', 'p', 'p'], completions)).toBe('nope');
    spy(['p', 'p', 'p'], completions);
    expect(problems.map((problem) => problem.reason)).toEqual([
      '2 rewards for 3 completions; nothing recorded',
      'expected an array of rewards, got string; nothing recorded',
    ]);
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.step === 0)).toBe(true);
  });

  it('handles async batch functions: same promise, same rejection, step of the call', async () => {
    const failure = new Error('rate limited');
    const spy = watchBatch(async (_p: string[], completions: string[]) => {
      await Promise.resolve();
      if (completions.includes('fail')) throw failure;
      return completions.map(() => 1);
    });
    const { events, problems } = collect(spy);
    spy.step(9);
    const pending = spy(['p', 'p'], ['a', 'b']);
    spy.step(10);
    expect(await pending).toEqual([1, 1]);
    await expect(spy(['p'], ['fail'])).rejects.toBe(failure);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.map((event) => event.step)).toEqual([9, 9]);
    expect(problems.map((problem) => problem.reason)).toEqual(['reward function rejected: rate limited']);
  });

  it('takes group ids from config.group or spy.group', () => {
    const spy = watchBatch((_p: string[], completions: string[]) => completions.map(() => 0), { group: (_prompt, index) => `g${index >> 1}` });
    const { events } = collect(spy);
    spy(['a', 'a', 'b', 'b'], ['1', '2', '3', '4']);
    spy.group('fixed');
    spy(['a'], ['5']);
    expect(events.map((event) => event.group)).toEqual(['g0', 'g0', 'g1', 'g1', 'fixed']);
  });

  it('emits exactly one event per finite reward, in completion order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.constant(null)), { maxLength: 40 }), (rewards) => {
        const spy = watchBatch((_p: string[], _c: string[]) => rewards);
        const { events } = collect(spy);
        const completions = rewards.map((_, index) => `c${index}`);
        spy(completions.map(() => 'p'), completions);
        const expected = rewards.flatMap((reward, index) => (reward !== null && Number.isFinite(reward) ? [[`c${index}`, reward]] : []));
        expect(events.map((event) => [event.response, event.reward])).toEqual(expected);
      }),
    );
  });
});
