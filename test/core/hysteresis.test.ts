import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hysteresis } from '../../src/core/hysteresis.js';
import type { Alert } from '../../src/core/types.js';
import { condition } from '../operators/fixtures.js';

describe('Hysteresis', () => {
  it('turns a condition flapping around its threshold into one episode (the incumbent fault)', () => {
    // A statistic hovering at the threshold: active on every other step for 40 steps. A
    // one-alert-per-crossing detector raises 20 alerts; hysteresis with clearAfter 3 raises one
    // onset and resolves once the condition stays false.
    const machine = new Hysteresis({ clearAfter: 3, ongoingEvery: Infinity });
    const alerts: Alert[] = [];
    for (let step = 1; step <= 40; step++) {
      const out = machine.next(condition(step, step % 2 === 1));
      if (out) alerts.push(out);
    }
    for (let step = 41; step <= 43; step++) {
      const out = machine.next(condition(step, false));
      if (out) alerts.push(out);
    }
    expect(alerts.map((a) => `${a.state}@${a.step}`)).toEqual(['onset@1', 'resolved@42']);
  });

  const arbRun = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2 }), active: fc.boolean(), key: fc.integer({ min: 0, max: 2 }) }), {
    maxLength: 80,
  });

  it('agrees with a plain recount per key: onset, reminders, resolved, cooldown (property)', () => {
    fc.assert(
      fc.property(
        arbRun,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(2, 5, Infinity),
        (specs, clearAfter, cooldown, ongoingEvery) => {
          const machine = new Hysteresis({ clearAfter, cooldown, ongoingEvery });
          let step = 0;
          // Oracle: for each key, replay its own observations from scratch with the rules as stated.
          const perKey = new Map<number, { open: boolean; since: number; last: number; clearSteps: number[]; resolvedAt: number }>();
          for (const spec of specs) {
            step += spec.gap;
            const got = machine.next(condition(step, spec.active, { metric: `m${spec.key}` }));
            let st = perKey.get(spec.key);
            if (!st) {
              st = { open: false, since: 0, last: 0, clearSteps: [], resolvedAt: -Infinity };
              perKey.set(spec.key, st);
            }
            let expected: string | undefined;
            if (!st.open) {
              if (spec.active && step - st.resolvedAt >= cooldown) {
                st.open = true;
                st.since = step;
                st.last = step;
                st.clearSteps = [];
                expected = `onset@${step}/${step}`;
              }
            } else if (spec.active) {
              st.clearSteps = [];
              if (step - st.last >= ongoingEvery) {
                st.last = step;
                expected = `ongoing@${step}/${st.since}`;
              }
            } else {
              if (!st.clearSteps.includes(step)) st.clearSteps.push(step);
              if (st.clearSteps.length >= clearAfter) {
                st.open = false;
                st.resolvedAt = step;
                expected = `resolved@${step}/${st.since}`;
              }
            }
            expect(got === undefined ? undefined : `${got.state}@${got.step}/${got.since}`).toBe(expected);
            if (got) expect(got.id).toBe(`meanShift:m${spec.key}:${got.since}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
