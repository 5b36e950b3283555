import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertSignal, Severity } from '../../src/core/types.js';
import { judge, VERDICT_ORDER, verdictAtLeast, verdictRank, VerdictJudge } from '../../src/core/verdict.js';
import { alert } from '../operators/fixtures.js';

const proxy = (step: number, extra: Partial<Parameters<typeof alert>[0]> = {}): Alert =>
  alert({ step, detector: 'saturation', signal: 'proxy-rise', severity: 'info', ...extra });
const exploit = (step: number, extra: Partial<Parameters<typeof alert>[0]> = {}): Alert =>
  alert({ step, detector: 'repetition', metric: 'response', signal: 'exploit', ...extra });
const collapse = (step: number, extra: Partial<Parameters<typeof alert>[0]> = {}): Alert =>
  alert({ step, detector: 'groupCollapse', metric: 'groups/zero_std_frac', signal: 'collapse', ...extra });

describe('verdictRank / verdictAtLeast', () => {
  it('orders healthy < warning < collapse < hacking', () => {
    expect(VERDICT_ORDER.map((s) => verdictRank[s])).toEqual([0, 1, 2, 3]);
    expect(verdictAtLeast('hacking', 'collapse')).toBe(true);
    expect(verdictAtLeast('collapse', 'hacking')).toBe(false);
    expect(verdictAtLeast('warning', 'warning')).toBe(true);
    expect(verdictAtLeast('healthy', 'warning')).toBe(false);
  });
});

describe('judge', () => {
  it('calls a run without alerts healthy at step 0', () => {
    expect(judge([])).toEqual({ status: 'healthy', reasons: [], step: 0, current: 'healthy', currentReasons: [] });
  });

  it('keeps info alerts healthy, including a pinned-high proxy alone (mastery is not hacking)', () => {
    const v = judge([proxy(5), alert({ step: 6, signal: 'info', severity: 'info' })]);
    expect(v.status).toBe('healthy');
    expect(v.firstFlaggedStep).toBeUndefined();
    expect(v.step).toBe(6);
  });

  it('calls an exploit signature without a rising proxy a warning, not hacking', () => {
    const v = judge([exploit(10)]);
    expect(v.status).toBe('warning');
    expect(v.firstFlaggedStep).toBe(10);
  });

  it('calls hacking when a proxy-rise episode and a warning+ exploit episode are open together', () => {
    const v = judge([proxy(10), exploit(12, { severity: 'critical' }), alert({ step: 13, signal: 'instability', detector: 'trend', metric: 'kl' })]);
    expect(v.status).toBe('hacking');
    expect(v.worstSince).toBe(12);
    expect(v.firstFlaggedStep).toBe(12);
    // relevant signals first, then severity: exploit (critical), proxy (info), then the instability warning
    expect(v.reasons.map((r) => `${r.detector}/${r.signal}/${r.severity}`)).toEqual([
      'repetition/exploit/critical',
      'saturation/proxy-rise/info',
      'trend/instability/warning',
    ]);
    expect(v.reasons[0]).toEqual({
      detector: 'repetition', metric: 'response', severity: 'critical', signal: 'exploit', since: 12,
      message: 'repetition on response at 12',
    });
  });

  it('pairs an exploit with a proxy-rise resolved within proxyHorizon steps, not beyond', () => {
    const run = (exploitStep: number) =>
      judge([proxy(10), proxy(20, { since: 10, state: 'resolved' }), exploit(exploitStep)], { proxyHorizon: 5 }).status;
    expect(run(25)).toBe('hacking');
    expect(run(26)).toBe('warning');
  });

  it('calls hacking when one episode escalates from a pinned-high proxy to an exploit signature', () => {
    const v = judge([
      proxy(10),
      proxy(14, { since: 10, state: 'ongoing', signal: 'exploit', severity: 'warning' }),
    ]);
    expect(v).toMatchObject({ status: 'hacking', worstSince: 14 });
    expect(v.reasons).toHaveLength(1);
    // ...and it stays proxy evidence for proxyHorizon steps after it resolves
    const later = judge(
      [
        proxy(10),
        proxy(14, { since: 10, state: 'ongoing', signal: 'exploit', severity: 'warning' }),
        proxy(20, { since: 10, state: 'resolved', signal: 'exploit', severity: 'warning' }),
        exploit(22),
      ],
      { proxyHorizon: 5 },
    );
    expect(later.current).toBe('hacking');
  });

  it('reports a resolved proxy-rise by what was wrong, not by its resolved message', () => {
    const v = judge([proxy(10), proxy(15, { since: 10, state: 'resolved' }), exploit(18)]);
    expect(v.status).toBe('hacking');
    expect(v.reasons.map((r) => r.message)).toEqual(['repetition on response at 18', 'saturation on reward at 10']);
  });

  it('ignores exploit alerts below warning', () => {
    expect(judge([proxy(1), exploit(2, { severity: 'info' })]).status).toBe('healthy');
  });

  it('calls collapse from a warning+ collapse episode, and hacking outranks it', () => {
    expect(judge([collapse(3)]).status).toBe('collapse');
    expect(judge([collapse(3), proxy(4), exploit(5)]).status).toBe('hacking');
    expect(judge([collapse(3), exploit(5)]).status).toBe('collapse');
  });

  it('remembers the worst state after every episode resolves (audit judges the whole run)', () => {
    const v = judge([
      exploit(8),
      proxy(10),
      exploit(12, { since: 8 }),
      exploit(30, { since: 8, state: 'resolved' }),
      proxy(31, { since: 10, state: 'resolved' }),
      alert({ step: 60, signal: 'instability', detector: 'spike', severity: 'info' }),
    ]);
    expect(v).toMatchObject({ status: 'hacking', current: 'healthy', currentReasons: [], firstFlaggedStep: 8, worstSince: 10, step: 60 });
    expect(v.reasons.map((r) => r.detector)).toEqual(['repetition', 'saturation']);
  });

  it('follows escalation and de-escalation of an episode by its latest alert', () => {
    const j = new VerdictJudge();
    j.add(exploit(1, { severity: 'info' }));
    expect(j.verdict().current).toBe('healthy');
    j.add(exploit(2, { since: 1, severity: 'warning', state: 'ongoing' }));
    expect(j.verdict().current).toBe('warning');
    j.add(exploit(3, { since: 1, severity: 'info', state: 'ongoing' }));
    expect(j.verdict()).toMatchObject({ current: 'healthy', status: 'warning', worstSince: 2, firstFlaggedStep: 2 });
  });

  it('ignores the plumbing summaries and separates tagged runs', () => {
    expect(judge([alert({ step: 1, detector: 'rateLimitAlerts' }), alert({ step: 2, detector: 'aggregateAlerts' })]).status).toBe('healthy');
    const v = judge([exploit(1, { tag: 'a' }), exploit(1, { tag: 'b' }), exploit(2, { since: 1, tag: 'a', state: 'resolved' })]);
    expect(v.current).toBe('warning');
  });

  it('judges each tag with its own episodes: a proxy rise in one run and an exploit in another are not a hack', () => {
    const v = judge([proxy(10, { tag: 'run-A' }), exploit(11, { tag: 'run-B' })]);
    expect(v.status).toBe('warning');
    expect(v.reasons).toEqual([expect.objectContaining({ detector: 'repetition', signal: 'exploit', tag: 'run-B' })]);
    // Nor across the tagged/untagged line, nor through a resolved proxy of another tag.
    expect(judge([proxy(10), exploit(11, { tag: 'run-B' })]).status).toBe('warning');
    expect(judge([proxy(10, { tag: 'run-A' }), proxy(12, { since: 10, tag: 'run-A', state: 'resolved' }), exploit(13, { tag: 'run-B' })]).status).toBe('warning');
    // The same pair within one tag is a hack, and the run's verdict is its worst tag, named in the reasons.
    const both = judge([proxy(10, { tag: 'run-A' }), collapse(10, { tag: 'run-B' }), exploit(11, { tag: 'run-A' })]);
    expect(both).toMatchObject({ status: 'hacking', worstSince: 11, firstFlaggedStep: 10 });
    expect(both.reasons.map((r) => `${r.tag}:${r.detector}/${r.signal}`)).toEqual([
      'run-A:repetition/exploit',
      'run-A:saturation/proxy-rise',
      'run-B:groupCollapse/collapse',
    ]);
  });

  it('keeps untagged reasons free of a tag field', () => {
    expect(Object.keys(judge([proxy(10), exploit(11)]).reasons[0]!)).toEqual(['detector', 'metric', 'severity', 'signal', 'since', 'message']);
  });

  it('rejects a bad proxyHorizon', () => {
    expect(() => new VerdictJudge({ proxyHorizon: -1 })).toThrow(RangeError);
    expect(() => new VerdictJudge({ proxyHorizon: Number.NaN })).toThrow(RangeError);
  });

  const arbAlert = fc.record({
    step: fc.integer({ min: 0, max: 50 }),
    episode: fc.integer({ min: 0, max: 4 }),
    signal: fc.constantFrom<AlertSignal>('proxy-rise', 'exploit', 'collapse', 'instability', 'info'),
    severity: fc.constantFrom<Severity>('info', 'warning', 'critical'),
    resolved: fc.boolean(),
  });

  it('never lowers status over a run, and status is never better than current (property)', () => {
    fc.assert(
      fc.property(fc.array(arbAlert, { maxLength: 40 }), (specs) => {
        const j = new VerdictJudge({ proxyHorizon: 5 });
        let previous = 0;
        let flaggedAt: number | undefined;
        for (const s of specs) {
          j.add(alert({ step: s.step, detector: `d${s.episode}`, since: 0, signal: s.signal, severity: s.severity, state: s.resolved ? 'resolved' : 'ongoing' }));
          const v = j.verdict();
          expect(verdictRank[v.status]).toBeGreaterThanOrEqual(previous);
          expect(verdictRank[v.status]).toBeGreaterThanOrEqual(verdictRank[v.current ?? 'healthy']);
          if (flaggedAt === undefined && v.current !== 'healthy') flaggedAt = v.step;
          expect(v.firstFlaggedStep).toBe(flaggedAt);
          previous = verdictRank[v.status];
        }
      }),
      { numRuns: 500 },
    );
  });

  it('calls hacking exactly when a warning+ exploit and a proxy-rise are open, without history (property)', () => {
    fc.assert(
      fc.property(fc.array(arbAlert, { maxLength: 30 }), (specs) => {
        // Plain recomputation: last alert per episode, open unless resolved; infinite horizon so
        // resolved proxies always count.
        const alerts = specs.map((s) =>
          alert({ step: s.step, detector: `d${s.episode}`, since: 0, signal: s.signal, severity: s.severity, state: s.resolved ? 'resolved' : 'ongoing' }),
        );
        // An episode is proxy evidence when any alert since it (re)opened carried proxy-rise.
        const latest = new Map<string, Alert>();
        const proxy = new Map<string, boolean>();
        for (const a of alerts) {
          const wasOpen = latest.has(a.id) && latest.get(a.id)!.state !== 'resolved';
          const isProxy = a.signal === 'proxy-rise';
          proxy.set(a.id, wasOpen ? proxy.get(a.id)! || isProxy : isProxy);
          latest.set(a.id, a);
        }
        const open = [...latest.values()].filter((a) => a.state !== 'resolved');
        const hasProxy = [...proxy.values()].some(Boolean);
        const expected = open.some((a) => a.signal === 'exploit' && a.severity !== 'info') && hasProxy;
        expect(judge(alerts, { proxyHorizon: Infinity }).current === 'hacking').toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('judges tagged alerts as the worst of each tag judged alone (property)', () => {
    const tags = [undefined, 'a', 'b'] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(arbAlert, fc.constantFrom(...tags)), { maxLength: 40 }), (specs) => {
        const alerts = specs.map(([s, tag]) =>
          alert({
            step: s.step, detector: `d${s.episode}`, since: 0, signal: s.signal, severity: s.severity,
            state: s.resolved ? 'resolved' : 'ongoing', ...(tag === undefined ? {} : { tag }),
          }),
        );
        // Infinite horizon: time seen in another tag then cannot expire a resolved proxy early.
        const whole = judge(alerts, { proxyHorizon: Infinity });
        const alone = tags.map((tag) => judge(alerts.filter((a) => a.tag === tag), { proxyHorizon: Infinity }));
        const worst = (pick: (v: ReturnType<typeof judge>) => string | undefined): number =>
          Math.max(...alone.map((v) => verdictRank[(pick(v) ?? 'healthy') as keyof typeof verdictRank]));
        expect(verdictRank[whole.current ?? 'healthy']).toBe(worst((v) => v.current));
        expect(verdictRank[whole.status]).toBe(worst((v) => v.status));
        expect((whole.currentReasons ?? []).length).toBe(alone.reduce((n, v) => n + (v.currentReasons ?? []).length, 0));
      }),
      { numRuns: 500 },
    );
  });
});
