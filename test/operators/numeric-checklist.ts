// The STYLE.md marble checklist, shared by the numeric detector specs: empty, never and error
// sources, an error mid-stream, explicit unsubscription, a synchronous source stopped on take(1),
// a throwing select callback, bad config rejected at call time, two subscribers sharing no state.
import { from, Observable, take, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { testScheduler } from './fixtures.js';

export interface ChecklistSpec<T, C> {
  /** Operator under test, built from a config. */
  readonly operator: (config: C) => OperatorFunction<T, unknown>;
  /** A config with which `items` produce at least one output (the first one well before the end). */
  readonly config: C;
  readonly items: readonly T[];
  /** `config` with a select callback that throws `error`. */
  readonly throwingSelect: (error: Error) => C;
  /** Configs rejected at call time, with the error class and a message fragment. */
  readonly badConfigs: readonly (readonly [C, ErrorConstructor, string])[];
  /**
   * Expected output of the unsubscription test, where `items[0]` arrives at frame 2 and `items[1]`
   * at frame 5 and the subscriber leaves at frame 6. Default: nothing (detectors still warming up).
   */
  readonly unsubscribed?: { readonly marble: string; readonly values: Readonly<Record<string, unknown>> };
}

export function checklist<T, C>(name: string, spec: ChecklistSpec<T, C>): void {
  describe(`${name} (marble checklist)`, () => {
    it('should complete on an empty source, never emit on a never source, forward a source error', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const op = spec.operator(spec.config);
        expectObservable(cold<T>('|').pipe(op)).toBe('|');
        expectObservable(cold<T>('-').pipe(op)).toBe('-');
        expectObservable(cold<T>('#').pipe(op)).toBe('#');
      });
    });

    it('should forward an error mid-stream after the items before it', () => {
      const outputs: unknown[] = [];
      let failure: unknown;
      const source = new Observable<T>((subscriber) => {
        for (const item of spec.items) subscriber.next(item);
        subscriber.error(new Error('boom'));
      });
      source.pipe(spec.operator(spec.config)).subscribe({ next: (x) => outputs.push(x), error: (e: unknown) => (failure = e) });
      expect(outputs.length).toBeGreaterThan(0);
      expect(failure).toEqual(new Error('boom'));
    });

    it('should unsubscribe from the source when unsubscribed (expectSubscriptions)', () => {
      testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot<T>('--a--b--c--|', { a: spec.items[0]!, b: spec.items[1]!, c: spec.items[2]! });
        const op = spec.operator(spec.config);
        const expected = spec.unsubscribed ?? { marble: '-'.repeat(6), values: undefined };
        expectObservable(source.pipe(op), '^-----!').toBe(expected.marble, expected.values);
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
    });

    it('should stop listening to a synchronous source when take(1) unsubscribes', () => {
      let pulled = 0;
      const source = new Observable<T>((subscriber) => {
        for (const item of spec.items) {
          if (subscriber.closed) return;
          pulled++;
          subscriber.next(item);
        }
        subscriber.complete();
      });
      const outputs: unknown[] = [];
      source.pipe(spec.operator(spec.config), take(1)).subscribe((x) => outputs.push(x));
      expect(outputs).toHaveLength(1);
      expect(pulled).toBeLessThan(spec.items.length);
    });

    it('should route a throwing select callback to the error channel', () => {
      const boom = new Error('select failed');
      let failure: unknown;
      from(spec.items).pipe(spec.operator(spec.throwingSelect(boom))).subscribe({ error: (e: unknown) => (failure = e) });
      expect(failure).toBe(boom);
    });

    it.each(spec.badConfigs.map(([config, type, fragment]) => ({ config, type, fragment })))(
      'should reject a bad config at call time ($fragment)',
      ({ config, type, fragment }) => {
        expect(() => spec.operator(config)).toThrow(type);
        expect(() => spec.operator(config)).toThrow(fragment);
      },
    );

    it('should give two subscribers independent state', () => {
      const shared = from(spec.items).pipe(spec.operator(spec.config));
      const first: unknown[] = [];
      const second: unknown[] = [];
      shared.subscribe((x) => first.push(x));
      shared.subscribe((x) => second.push(x));
      expect(first.length).toBeGreaterThan(0);
      expect(second).toEqual(first);
    });
  });
}
