import { firstValueFrom, from, map, take, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { summarizeSteps, type SummarizeInput } from '../../operators/summarize-steps.js';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { simulate } from '../../src/sim/index.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { testScheduler } from './fixtures.js';

const ev = (step: number, reward: number): RewardEvent => ({ step, reward });
const brief = (r: StepRecord): string => `${String(r.step)}:${String(r.metrics['reward/mean'])}/${String(r.metrics.samples)}${r.metrics.kl === undefined ? '' : `/kl${String(r.metrics.kl)}`}`;

describe('summarizeSteps', () => {
  it('should emit a step when a later step arrives and the last one on completion (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values: Record<string, SummarizeInput> = {
        a: ev(1, 0),
        b: ev(1, 1),
        c: ev(1, 0.5),
        R: { step: 1, metrics: { kl: 0.1, 'reward/mean': 99 } },
        d: ev(2, 1),
        e: ev(2, 0),
      };
      const source = cold('-a-b-c-R-d-e-|', values);
      const expected = '   ---------1---(2|)';
      expectObservable(source.pipe(summarizeSteps(), map(brief))).toBe(expected, { 1: '1:0.5/3/kl0.1', 2: '2:0.5/2' });
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('should read Ingested items and ignore problems', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, Ingested> = {
        a: { kind: 'event', event: ev(0, 1) },
        p: { kind: 'problem', problem: { source: 'f', line: 2, reason: 'bad', excerpt: 'x' } },
        s: { kind: 'step', record: { step: 0, metrics: { entropy: 0.3 } } },
        b: { kind: 'event', event: ev(1, 0) },
      };
      const source = cold('a-p-s-b-|', values);
      expectObservable(source.pipe(summarizeSteps(), map((r) => [r.step, r.metrics.entropy, r.metrics.samples]))).toBe(
        '      ------x-(y|)',
        { x: [0, 0.3, 1], y: [1, undefined, 1] },
      );
    });
  });

  it('should complete without output on an empty source, and never emit on a never source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<SummarizeInput>('|').pipe(summarizeSteps())).toBe('|');
      expectObservable(cold<SummarizeInput>('-').pipe(summarizeSteps())).toBe('-');
    });
  });

  it('should pass an error through without flushing the open step', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<SummarizeInput>('#').pipe(summarizeSteps())).toBe('#');
      const source = cold('-a-b-#', { a: ev(1, 1), b: ev(2, 0) });
      expectObservable(source.pipe(summarizeSteps(), map(brief))).toBe('---x-#', { x: '1:1/1' });
    });
  });

  it('should unsubscribe from the source on explicit unsubscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', { a: ev(1, 1), b: ev(2, 1), c: ev(3, 1), d: ev(4, 1) });
      expectObservable(source.pipe(summarizeSteps(), map(brief)), '^----!').toBe('---x--', { x: '1:1/1' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('should not break unsubscription chains', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', { a: ev(1, 1), b: ev(2, 1), c: ev(3, 1), d: ev(4, 1) });
      const result = source.pipe(
        map((x) => x),
        summarizeSteps(),
        map(brief),
      );
      expectObservable(result, '^----!').toBe('---x--', { x: '1:1/1' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('should stop listening to a synchronous observable when unsubscribed', () => {
    const pulled: number[] = [];
    const source = from(simulate({ steps: 1000, policyMetrics: false })).pipe(
      tap((item) => {
        if (item.kind === 'event') pulled.push(item.event.step);
      }),
    );
    source.pipe(summarizeSteps(), take(1)).subscribe();
    // The first record closes at the first event of step 1: nothing beyond it is pulled.
    expect(pulled.at(-1)).toBe(1);
    expect(pulled.length).toBe(65);
  });

  it('should error (not crash) on a non-finite step', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-|', { a: ev(1, 1), b: ev(Number.NaN, 1) });
      expectObservable(source.pipe(summarizeSteps())).toBe(
        '---#',
        undefined,
        new RangeError('summarizeSteps: step must be a finite number, got NaN'),
      );
    });
  });

  it('should reject bad config at call time', () => {
    expect(() => summarizeSteps({ maxLength: -1 })).toThrow(RangeError);
    expect(() => summarizeSteps({ floor: Number.POSITIVE_INFINITY })).toThrow(/floor/);
    expect(() => summarizeSteps(null as unknown as object)).toThrow(TypeError);
  });

  it('should share no state between two subscribers', async () => {
    const source = from<SummarizeInput[]>([ev(1, 1), ev(1, 0), ev(2, 1)]);
    const summarized = source.pipe(summarizeSteps());
    const first = await firstValueFrom(summarized.pipe(toArray()));
    const second = await firstValueFrom(summarized.pipe(toArray()));
    expect(second).toEqual(first);
    expect(first.map(brief)).toEqual(['1:0.5/2', '2:1/1']);
  });

  it('should summarize a simulated run into one record per step, policy metrics merged', async () => {
    const records = await firstValueFrom(
      from(simulate({ seed: 3, steps: 20, maxLength: 1024 })).pipe(summarizeSteps({ maxLength: 1024 }), toArray()),
    );
    expect(records.map((r) => r.step)).toEqual([...Array(20).keys()]);
    for (const record of records) {
      expect(record.metrics.samples).toBe(64);
      for (const name of ['reward/mean', 'reward/std', 'reward/group_std', 'groups/zero_std_frac', 'length/mean', 'length/clip_ratio', 'kl', 'entropy', 'grad_norm', 'reward/correctness/mean', 'reward/format/mean']) {
        expect(record.metrics[name], `${name} at step ${String(record.step)}`).toBeTypeOf('number');
      }
    }
  });
});
