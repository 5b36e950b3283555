import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputProblem, RewardEvent } from '../../src/core/types.js';
import { Session } from '../../src/sources/session.js';

function collect(session: Session): { events: RewardEvent[]; problems: InputProblem[] } {
  const events: RewardEvent[] = [];
  const problems: InputProblem[] = [];
  session.events$.subscribe((event) => events.push(event));
  session.problems$.subscribe((problem) => problems.push(problem));
  return { events, problems };
}

const accuracyReward = (_prompts: string[], completions: string[]): number[] => completions.map((completion) => (completion.includes('4') ? 1 : 0));
const formatReward = (_prompts: string[], completions: string[]): (number | null)[] =>
  completions.map((completion) => (completion === '' ? null : completion.startsWith('<answer>') ? 1 : 0));

describe('Session', () => {
  it('merges the components of each sample into one event with the weighted total, keeping each function as it was', () => {
    const session = new Session({ weights: { accuracy: 1, format: 0.5 }, run: 'r1' });
    const accuracy = session.watchBatch('accuracy', accuracyReward, { clock: () => 7 });
    const format = session.watchBatch('format', formatReward, { clock: () => 7 });
    const { events } = collect(session);
    session.step(1);
    const prompts = ['2+2?', '2+2?', '2+2?'];
    const completions = ['<answer>4</answer>', 'four', '<answer>5</answer>'];
    expect(accuracy(prompts, completions)).toEqual([1, 0, 0]);
    expect(events).toEqual([]);
    expect(format(prompts, completions)).toEqual([1, 0, 1]);
    expect(events).toEqual([
      { step: 1, reward: 1.5, components: { accuracy: 1, format: 1 }, group: '2+2?', response: '<answer>4</answer>', prompt: '2+2?', length: 18, run: 'r1', t: 7 },
      { step: 1, reward: 0, components: { accuracy: 0, format: 0 }, group: '2+2?', response: 'four', prompt: '2+2?', length: 4, run: 'r1', t: 7 },
      { step: 1, reward: 0.5, components: { accuracy: 0, format: 1 }, group: '2+2?', response: '<answer>5</answer>', prompt: '2+2?', length: 18, run: 'r1', t: 7 },
    ]);
    expect(session.stats()).toEqual({ pending: 0, complete: 3, partial: 0 });
  });

  it('matches identical completions of one step occurrence by occurrence', () => {
    const session = new Session();
    const a = session.watch('a', (_p: string, _c: string, value: number) => value);
    const b = session.watch('b', (_p: string, _c: string, value: number) => value);
    const { events } = collect(session);
    a('p', 'same', 1);
    a('p', 'same', 2);
    b('p', 'same', 10);
    b('p', 'same', 20);
    expect(events.map((event) => event.components)).toEqual([{ a: 1, b: 10 }, { a: 2, b: 20 }]);
  });

  it('emits samples a component skipped (null) at the step change, with the components they have and which are missing', () => {
    const session = new Session();
    const accuracy = session.watchBatch('accuracy', accuracyReward);
    const format = session.watchBatch('format', formatReward);
    const { events } = collect(session);
    session.step(4);
    accuracy(['q', 'q'], ['', '4']);
    format(['q', 'q'], ['', '4']);
    expect(events.map((event) => event.response)).toEqual(['4']);
    session.step(5);
    expect(events[1]).toMatchObject({ step: 4, reward: 0, components: { accuracy: 0 }, response: '', meta: { missingComponents: ['format'] } });
    expect(session.stats()).toEqual({ pending: 0, complete: 1, partial: 1 });
  });

  it('forwards component problems and stamps the session step on every component', () => {
    const session = new Session();
    const judge = session.watch('judge', (_p: string, _c: string) => Number.NaN);
    const { events, problems } = collect(session);
    session.step(3);
    expect(judge('p', 'c')).toBeNaN();
    session.flush();
    expect(events).toEqual([]);
    expect(problems).toEqual([{ source: 'judge', line: 1, reason: 'non-finite reward NaN', excerpt: 'null' }]);
    expect(judge.currentStep()).toBe(3);
    expect(() => {
      judge.step(9);
    }).toThrow(TypeError);
  });

  it('bounds the samples it waits for: past maxPending the oldest is emitted as it is', () => {
    const session = new Session({ maxPending: 2 });
    const a = session.watch('a', (_p: string, _c: string) => 1);
    session.watch('b', (_p: string, _c: string) => 2);
    const { events } = collect(session);
    a('p', 'x');
    a('p', 'y');
    expect(events).toEqual([]);
    a('p', 'z');
    expect(events.map((event) => [event.response, event.meta])).toEqual([['x', { missingComponents: ['b'] }]]);
    expect(session.stats().pending).toBe(2);
  });

  it('rejects duplicate component names and bad config', () => {
    const session = new Session();
    session.watch('a', () => 1);
    expect(() => session.watch('a', () => 1)).toThrow(TypeError);
    expect(() => new Session({ weights: { a: Number.NaN } })).toThrow(RangeError);
    expect(() => new Session({ maxPending: 0 })).toThrow(RangeError);
  });

  it('totals equal the weighted sum of the components, whatever order they are called in (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (rewards, bFirst) => {
          const session = new Session({ weights: { a: 2, b: -1 } });
          const a = session.watchBatch('a', (_p: string[], _c: string[]) => rewards.map(([value]) => value));
          const b = session.watchBatch('b', (_p: string[], _c: string[]) => rewards.map(([, value]) => value));
          const { events } = collect(session);
          const completions = rewards.map((_, index) => `c${index % 3}`);
          const prompts = completions.map(() => 'p');
          if (bFirst) b(prompts, completions);
          a(prompts, completions);
          if (!bFirst) b(prompts, completions);
          expect(events.map((event) => [event.response, event.reward])).toEqual(rewards.map(([x, y], index) => [`c${index % 3}`, 2 * x - y]));
        },
      ),
    );
  });
});
