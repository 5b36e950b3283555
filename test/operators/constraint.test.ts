import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { constraint, constraintConditions, type ConstraintConfig } from '../../operators/constraint.js';
import type { RewardEvent } from '../../src/core/types.js';
import { brief, testScheduler } from './fixtures.js';
import { checklist } from './numeric-checklist.js';
import { runAlerts, stepsOf } from './text-helpers.js';

const numeric = (e: RewardEvent): boolean | undefined => (e.response === undefined ? undefined : /^-?\d+(\.\d+)?$/.test(e.response.trim()));
const good = (i: number): Partial<RewardEvent> => ({ response: String(i) });
const bad = (): Partial<RewardEvent> => ({ response: 'forty-two' });
const config: ConstraintConfig = { name: 'numeric', test: numeric, maxRate: 0.25, window: 4, persistence: 2 };

describe('constraint', () => {
  it('should open an episode when violations exceed maxRate twice in a row (doc marble)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const events = stepsOf([good, good, bad, bad, bad], 4);
      const names = events.map((_, i) => String.fromCharCode(97 + i));
      // Judged at each step's 4th item: steps 0, 1 fine; step 2 over once; step 3 twice: onset.
      expectObservable(cold(names.join('') + '|', Object.fromEntries(events.map((e, i) => [names[i]!, e]))).pipe(constraint(config), map(brief)))
        .toBe('-'.repeat(15) + 'o----|', { o: 'onset@3/3:warning' });
    });
  });

  it('should judge the rate against maxRate exactly (strictly above), skip undefined, and resolve', async () => {
    // One violation in 4 = 25%: not above 25%.
    const oneIn4 = (i: number): Partial<RewardEvent> => (i === 0 ? bad() : good(i));
    const none = (): Partial<RewardEvent> => ({});
    const conditions = await lastValueFrom(from(stepsOf([oneIn4, oneIn4, none, oneIn4], 4)).pipe(constraintConditions(config), toArray()));
    expect(conditions.map((c) => [c.step, c.value, c.active])).toEqual([[0, 0.25, false], [1, 0.25, false], [3, 0.25, false]]);
    expect(conditions.at(-1)!.evidence.stats.skipped).toBe(4);
    const alerts = await runAlerts(stepsOf([good, bad, bad, good, good, good, good], 4), constraint({ ...config, hysteresis: { clearAfter: 2 } }));
    expect(alerts.map((a) => [a.state, a.step])).toEqual([['onset', 2], ['resolved', 4]]);
    expect(alerts[0]!.metric).toBe('constraint/numeric');
    expect(alerts[0]!.message).toBe('100% of the last 4 items violate "numeric" (4 violations; max 25%) for 2 steps');
    expect(alerts[0]!.evidence.samples!.map((s) => s.response)).toEqual(Array(4).fill('forty-two'));
  });

  it('should use the configured signal and severity and work on any item type', async () => {
    interface Call { readonly step: number; readonly tool: string }
    const calls: Call[] = Array.from({ length: 40 }, (_, i) => ({ step: Math.floor(i / 4), tool: i >= 16 && i % 2 === 0 ? 'rm -rf' : 'search' }));
    const alerts = await lastValueFrom(
      from(calls).pipe(
        constraint<Call>({ name: 'no-shell', test: (c) => c.tool !== 'rm -rf', maxRate: 0.1, window: 8, signal: 'instability', severity: 'critical', sample: (c) => ({ step: c.step, response: c.tool }) }),
        toArray(),
      ),
    );
    expect(alerts[0]).toMatchObject({ state: 'onset', signal: 'instability', severity: 'critical', step: 5 });
    expect(alerts[0]!.evidence.samples![0]).toEqual({ step: 5, response: 'rm -rf', score: 1 });
  });
});

checklist<RewardEvent, ConstraintConfig>('constraint', {
  operator: constraint,
  config,
  items: stepsOf([good, good, bad, bad, bad, bad], 4),
  throwingSelect: (error) => ({ ...config, test: () => { throw error; } }),
  badConfigs: [
    [{ ...config, name: '' }, TypeError, 'constraint name must be a non-empty string'],
    [{ ...config, test: 'x' as never }, TypeError, 'constraint test must be a function'],
    [{ ...config, maxRate: 1 }, RangeError, 'constraint maxRate must lie in [0, 1)'],
    [{ ...config, maxRate: undefined as never }, TypeError, 'constraint maxRate is required'],
    [{ ...config, window: 0 }, RangeError, 'constraint window must be an integer >= 1'],
    [{ ...config, signal: 'bad' as never }, TypeError, 'constraint signal must be an AlertSignal'],
  ],
});
