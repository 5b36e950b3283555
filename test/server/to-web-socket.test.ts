import { from, of, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/core/types.js';
import type { DashboardItem, DashboardRoute } from '../../src/server/dashboard-state.js';
import type { DashboardSink } from '../../src/server/serve-dashboard.js';
import { toWebSocket } from '../../src/server/to-web-socket.js';

function recorder(): DashboardSink & { readonly seen: [DashboardItem, DashboardRoute | undefined][] } {
  const seen: [DashboardItem, DashboardRoute | undefined][] = [];
  return {
    seen,
    publish: (item, route) => {
      seen.push([item, route]);
    },
  };
}

const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

const values: Record<string, StepRecord> = {
  a: { step: 1, metrics: { 'reward/mean': 0.1 } },
  b: { step: 2, metrics: { 'reward/mean': 0.2 } },
};

describe('toWebSocket', () => {
  it('passes every item through unchanged and publishes it with its route', () => {
    const sink = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b--|', values);
      expectObservable(source.pipe(toWebSocket(sink, { channel: 'run-a', tag: 'math' }))).toBe('-a--b--|', values);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(sink.seen).toEqual([
      [values.a, { channel: 'run-a', tag: 'math' }],
      [values.b, { channel: 'run-a', tag: 'math' }],
    ]);
  });

  it('passes errors and empty/never sources through, and keeps unsubscription chains', () => {
    const sink = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('-a-#', values).pipe(toWebSocket(sink))).toBe('-a-#', values);
      expectObservable(cold<StepRecord>('|').pipe(toWebSocket(sink))).toBe('|');
      const never = cold<StepRecord>('-');
      expectObservable(never.pipe(toWebSocket(sink)), '^--!').toBe('---');
      expectSubscriptions(never.subscriptions).toBe('^--!');
    });
    expect(sink.seen).toEqual([[values.a, {}]]);
  });

  it('routes a throwing publish to the error channel', () => {
    const failing: DashboardSink = {
      publish: () => {
        throw new Error('closed');
      },
    };
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|', values).pipe(toWebSocket(failing))).toBe('-#', undefined, new Error('closed'));
    });
  });

  it('stops a synchronous source when unsubscribed', () => {
    const sink = recorder();
    let pulled = 0;
    function* records(): Generator<StepRecord> {
      for (let step = 0; step < 100; step++) {
        pulled++;
        yield { step, metrics: {} };
      }
    }
    from(records()).pipe(toWebSocket(sink), take(2)).subscribe();
    expect([pulled, sink.seen.length]).toEqual([2, 2]);
  });

  it('two subscribers share no state', () => {
    const sink = recorder();
    const mirrored = of(values.a!).pipe(toWebSocket(sink, { channel: 'x' }));
    mirrored.subscribe();
    mirrored.subscribe();
    expect(sink.seen).toEqual([
      [values.a, { channel: 'x' }],
      [values.a, { channel: 'x' }],
    ]);
  });

  it('rejects a missing server and bad config at call time', () => {
    expect(() => toWebSocket(undefined as never)).toThrow(TypeError);
    expect(() => toWebSocket({} as never)).toThrow(TypeError);
    expect(() => toWebSocket(recorder(), { channel: '' })).toThrow(RangeError);
    expect(() => toWebSocket(recorder(), { tag: 3 as never })).toThrow(TypeError);
  });
});
