// Detection-quality regression tests: a smaller version of `npm run bench:detection`
// (benchmarks/detection.bench.ts) so `npm test` guards what the default pipelines find and what
// they leave alone. Every hack pattern once (reward kinds alternate), ~100k events of healthy runs
// over every reward kind and scale, and the real trainer logs.
import { describe, expect, it } from 'vitest';
import {
  describeFalseAlerts,
  healthyCases,
  MAX_DELAY,
  REAL_CASES,
  REWARD_KINDS,
  runCase,
  runReal,
} from '../../benchmarks/detection-cases.js';
import { EXPECTED_VERDICT, HACK_PATTERNS } from '../../src/sim/index.js';

describe('default pipelines: every hack pattern is found with the right verdict', () => {
  it.each(HACK_PATTERNS.map((pattern, i) => [pattern, REWARD_KINDS[i % REWARD_KINDS.length]!] as const))(
    '%s (%s reward): expected verdict within the delay target, no false alert before it',
    async (pattern, rewardKind) => {
      const run = await runCase({ seed: 7, steps: 100, rewardKind, hack: { pattern, atStep: 60 } });
      expect(run.falseAlerts, describeFalseAlerts(run)).toBe(0);
      expect(run.verdict.status).toBe(EXPECTED_VERDICT[pattern]);
      expect(run.delay).toBeDefined();
      expect(run.delay!).toBeLessThanOrEqual(MAX_DELAY);
      expect(run.detected).toBe(true);
    },
  );
});

describe('default pipelines: healthy runs stay healthy (>= 100k events over kinds and scales)', () => {
  const cases = healthyCases([21], 175);
  it('covers at least 100,000 events', () => {
    expect(cases.length * 175 * 64).toBeGreaterThanOrEqual(100_000);
  });
  it.each(cases.map((simulation) => [simulation.rewardKind, simulation.rewardScale, simulation] as const))(
    '%s reward x%s: no warning-or-worse alert, healthy verdict',
    async (_kind, _scale, simulation) => {
      const run = await runCase(simulation);
      expect(run.falseAlerts, describeFalseAlerts(run)).toBe(0);
      expect(run.verdict.status).toBe('healthy');
      expect(run.events).toBe(175 * 64);
    },
  );
});

describe('default pipelines on real trainer logs', () => {
  it.each(REAL_CASES.map((real) => [real.file, real] as const))('%s', async (_file, real) => {
    const { alerts, verdict } = await runReal(real.file);
    const flagged = alerts.filter((a) => a.state === 'onset' && a.severity !== 'info').map((a) => `${a.detector}(${a.metric})@${String(a.step)}`);
    expect(real.check(alerts, verdict), `${real.expect}; got ${verdict.status}, flags ${flagged.join(', ')}`).toBe(true);
  });
});
