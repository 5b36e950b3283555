import { filter, firstValueFrom, from, map, Observable, take, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_DETECTOR_SLOTS, sampleDetectors, sampleDetectorLists, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { StepDetectorsConfig } from '../../operators/step-detectors.js';
import type { SummarizeInput } from '../../operators/summarize-steps.js';
import type { Alert, RewardEvent, StepRecord } from '../../src/core/types.js';
import { judge } from '../../src/core/verdict.js';
import { HACK_PATTERNS, simulate, type SimulationConfig } from '../../src/sim/index.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { testScheduler } from './fixtures.js';

const sim = (config: SimulationConfig): Ingested[] => [...simulate({ seed: 5, steps: 60, ...config })];
const repetitionRun = sim({ hack: { pattern: 'repetition', atStep: 40 } });

const run = (items: readonly SummarizeInput[], pipeline = sampleDetectors({ maxLength: 1024 })): Promise<Alert[]> =>
  firstValueFrom(from(items).pipe(pipeline, toArray()));

const detectorsOf = (alerts: readonly Alert[]): Set<string> => new Set(alerts.map((a) => a.detector));

describe('sampleDetectors', () => {
  it('should find an injected hack from the samples and judge it hacking (doc marble)', async () => {
    const alerts = await run(repetitionRun);
    const repeated = alerts.find((a) => a.detector === 'repetition' && a.state === 'onset');
    expect(repeated?.severity).toBe('warning');
    expect(repeated?.signal).toBe('exploit');
    expect(repeated?.step).toBeGreaterThanOrEqual(40);
    expect(repeated?.evidence.samples?.length).toBeGreaterThan(0);
    expect(judge(alerts).status).toBe('hacking');
  });

  it('should read plain RewardEvents and StepRecords as well as Ingested items, alike', async () => {
    const plain: SummarizeInput[] = repetitionRun.flatMap((item): SummarizeInput[] =>
      item.kind === 'event' ? [item.event] : item.kind === 'step' ? [item.record] : [],
    );
    expect(await run(plain)).toEqual(await run(repetitionRun));
  });

  it('should subscribe to the source exactly once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<SummarizeInput>('-a-b-|', { a: { step: 1, reward: 1, response: 'x' }, b: { step: 2, reward: 0, response: 'y' } });
      expectObservable(source.pipe(sampleDetectors())).toBe('-----|');
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('should complete on empty, stay silent on never, forward errors, and unsubscribe', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<SummarizeInput>('|').pipe(sampleDetectors())).toBe('|');
      expectObservable(cold<SummarizeInput>('-').pipe(sampleDetectors())).toBe('-');
      expectObservable(cold<SummarizeInput>('#').pipe(sampleDetectors())).toBe('#');
      expectObservable(cold<SummarizeInput>('-a-#', { a: { step: 1, reward: 1 } }).pipe(sampleDetectors())).toBe('---#');
      const source = hot<SummarizeInput>('-a-a-a-|', { a: { step: 1, reward: 1 } });
      expectObservable(source.pipe(sampleDetectors()), '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should stop a synchronous source (the simulator) when take(1) unsubscribes', () => {
    let pulled = 0;
    const source = from(simulate({ seed: 5, steps: 500, hack: { pattern: 'repetition', atStep: 40 } })).pipe(tap(() => pulled++));
    source.pipe(sampleDetectors(), take(1)).subscribe();
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(65 * 60);
  });

  it('should route a throwing constraint test and a throwing extra detector to the error channel', async () => {
    const badTest = sampleDetectors({
      constraints: [{ name: 'broken', maxRate: 0.1, test: () => { throw new Error('constraint test failed'); } }],
    });
    await expect(run(repetitionRun, badTest)).rejects.toThrow('constraint test failed');
    const badExtra = sampleDetectors({ extra: [map((): Alert => { throw new Error('extra failed'); })] });
    await expect(run(repetitionRun, badExtra)).rejects.toThrow('extra failed');
  });

  it('should switch detectors off with false and the step pipeline with steps: false', async () => {
    const off = await run(repetitionRun, sampleDetectors({ repetition: false, diversityCollapse: false }));
    expect(detectorsOf(off).has('repetition')).toBe(false);
    expect(detectorsOf(off).has('diversityCollapse')).toBe(false);
    const noSteps = await run(repetitionRun, sampleDetectors({ steps: false }));
    expect(detectorsOf(noSteps).has('meanShift')).toBe(false);
    expect(detectorsOf(noSteps).has('repetition')).toBe(true);
    const nothing = await run(
      repetitionRun,
      sampleDetectors({ steps: false, ...Object.fromEntries(SAMPLE_DETECTOR_SLOTS.map((slot) => [slot, false])) }),
    );
    expect(nothing).toEqual([]);
  });

  it('should apply partial overrides and run domain constraints and extra detectors', async () => {
    // A repetition threshold above every score silences the detector.
    const deaf = await run(repetitionRun, sampleDetectors({ repetition: { threshold: 1 } }));
    expect(deaf.some((a) => a.detector === 'repetition' && a.severity === 'warning')).toBe(false);
    const constrained = await run(
      repetitionRun,
      sampleDetectors({ constraints: [{ name: 'has-answer-tag', test: (e: RewardEvent) => e.response?.includes('<answer>'), maxRate: 0.3 }] }),
    );
    const violation = constrained.find((a) => a.metric === 'constraint/has-answer-tag' && a.state === 'onset');
    expect(violation?.step).toBeGreaterThanOrEqual(40);
    const marker: Alert = {
      id: 'mine:reward:0', detector: 'mine', metric: 'reward', severity: 'info', signal: 'info', step: 0,
      message: 'first event', value: 0, threshold: 0, since: 0, evidence: { stats: {} }, state: 'onset',
    };
    const extra = await run(repetitionRun, sampleDetectors({ extra: [(events) => events.pipe(take(1), map(() => marker))] }));
    expect(extra).toContainEqual(marker);
  });

  it('should judge trainer-logged records with the record-based group collapse when no samples exist', async () => {
    // A log-only run: 40 records with a learning signal, then 20 with every group at the floor.
    const records: StepRecord[] = [];
    for (let step = 0; step < 60; step++) {
      const collapsed = step >= 40;
      records.push({
        step,
        metrics: {
          'reward/mean': collapsed ? 0 : 0.5 + 0.05 * Math.sin(step),
          'reward/std': collapsed ? 0 : 0.4,
          'groups/zero_std_frac': collapsed ? 1 : 0.2,
        },
      });
    }
    const alerts = await run(records);
    expect(alerts.some((a) => a.detector === 'groupCollapseFromSteps' && a.signal === 'collapse' && a.severity !== 'info')).toBe(true);
    // With samples, the sample-level groupCollapse judges the groups and its record twin stays silent.
    const sampled = await run(sim({ hack: { pattern: 'truncation', atStep: 40 } }));
    expect(detectorsOf(sampled).has('groupCollapse')).toBe(true);
    expect(detectorsOf(sampled).has('groupCollapseFromSteps')).toBe(false);
  });

  it('should name in each detector spec what its alerts carry (detector and metric), for every alert of every pattern', async () => {
    const { sample, step } = sampleDetectorLists({ maxLength: 1024 });
    const named = new Set([...sample, ...(step ?? [])].map((spec) => `${spec.alerts?.detector}|${spec.alerts?.metric}`));
    const seen = new Set<string>();
    for (const pattern of HACK_PATTERNS) {
      for (const alert of await run(sim({ hack: { pattern, atStep: 40 } }))) seen.add(`${alert.detector}|${alert.metric}`);
    }
    const logged = (await run(sim({ hack: { pattern: 'truncation', atStep: 40 } }).flatMap((item) => (item.kind === 'step' ? [item.record] : []))));
    for (const alert of logged) seen.add(`${alert.detector}|${alert.metric}`);
    expect(seen.size).toBeGreaterThan(8);
    for (const name of seen) expect(named, name).toContain(name);
  });

  it('should reject bad config at call time, naming the field', () => {
    expect(() => sampleDetectors({ sensitivity: 'max' as 'high' })).toThrow(/sensitivity/);
    expect(() => sampleDetectors({ repetition: 'yes' as unknown as false })).toThrow(/repetition must be a config object or false/);
    expect(() => sampleDetectors({ maxLength: 0 })).toThrow(/maxLength/);
    expect(() => sampleDetectors({ repetition: { threshold: 2 } })).toThrow(RangeError);
    expect(() => sampleDetectors({ steps: { rewardShift: { h: -1 } } })).toThrow(RangeError);
    expect(() => sampleDetectors({ constraints: [{ name: '', test: () => true, maxRate: 0.1 }] })).toThrow();
    expect(() => sampleDetectorLists(null as unknown as object)).toThrow(/config must be an object, got null/);
  });

  it('should reject a misspelt setting instead of leaving that detector on in silence', () => {
    const misspelt = { repetiton: false } as unknown as SampleDetectorsConfig;
    expect(() => sampleDetectors(misspelt)).toThrow(/sampleDetectors has no setting "repetiton" \(did you mean repetition\?\)/);
    expect(() => sampleDetectors({ steps: { klTrnd: false } as unknown as StepDetectorsConfig })).toThrow(/did you mean klTrend\?/);
  });

  it('should share no state between two subscribers', async () => {
    const pipeline = sampleDetectors({ maxLength: 1024 });
    const first = await run(repetitionRun, pipeline);
    const second = await run(repetitionRun, pipeline);
    expect(second).toEqual(first);
  });

  it('should ignore problems on the stream', async () => {
    const withProblems: Ingested[] = repetitionRun.flatMap((item, i) =>
      i % 100 === 0 ? [{ kind: 'problem', problem: { source: 'f', line: i, reason: 'bad line', excerpt: '' } }, item] : [item],
    );
    const alerts = await firstValueFrom(
      from(withProblems).pipe(
        filter(() => true),
        (source: Observable<Ingested>) => source.pipe(sampleDetectors({ maxLength: 1024 })),
        toArray(),
      ),
    );
    expect(alerts).toEqual(await run(repetitionRun));
  });
});
