/**
 * Throughput of the default sample pipeline (`sampleDetectors`, every detector on, the step
 * pipeline over `summarizeSteps`) over an in-memory stream of 10^6 events with ~500-character
 * responses, against the same detector state machines driven by a plain loop (PlainPipeline),
 * measured in the same run. GOODHART_BENCH_PIPELINE_EVENTS changes the stream size.
 */
import { from } from 'rxjs';
import { fmt, median, type Table } from './harness.js';
import { PlainPipeline } from './plain-pipeline.js';
import { sampleDetectors, type SampleDetectorsConfig } from '../operators/sample-detectors.js';
import type { RewardEvent } from '../src/core/types.js';
import { simulate } from '../src/sim/index.js';
import type { Ingested } from '../src/sources/ingested.js';

const EVENTS = Number(process.env.GOODHART_BENCH_PIPELINE_EVENTS ?? 1_000_000);
/** Distinct simulated samples; the stream repeats their texts with fresh event objects and later steps. */
const POOL_STEPS = 100;
/**
 * Simulated tokens per response: 113 give ~500 characters on average (502.8 with seed 42), the
 * stream the speed target is stated for.
 */
const MEAN_LENGTH = 113;
const RUNS = 5;
const CONFIG: SampleDetectorsConfig = { maxLength: 1024 };

/**
 * 10^6 events (64 per step, each step followed by its policy StepRecord), built before timing:
 * a healthy simulated run of `POOL_STEPS` steps, repeated with the steps shifted. Every event is
 * its own object (the text detectors memoize per event object), responses are shared strings.
 */
function stream(events: number): { items: Ingested[]; meanChars: number } {
  const pool: Ingested[] = [...simulate({ seed: 42, steps: POOL_STEPS, meanLength: MEAN_LENGTH })];
  const items: Ingested[] = [];
  let count = 0;
  let chars = 0;
  for (let cycle = 0; count < events; cycle++) {
    const offset = cycle * POOL_STEPS;
    for (const item of pool) {
      if (item.kind === 'event') {
        if (count >= events) break;
        const event: RewardEvent = { ...item.event, step: item.event.step + offset, group: `${String(cycle)}-${item.event.group ?? ''}` };
        chars += event.response?.length ?? 0;
        items.push({ kind: 'event', event });
        count++;
      } else if (item.kind === 'step') {
        items.push({ kind: 'step', record: { ...item.record, step: item.record.step + offset } });
      }
    }
  }
  return { items, meanChars: chars / count };
}

/**
 * CPU seconds (user + system) of one call: the work is single-threaded, so this is the one-core
 * time with other processes' load on the shared machine taken out (wall time is reported too).
 */
function timeOnce(body: () => number): { cpu: number; wall: number; alerts: number } {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const alerts = body();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1e6, wall: Number(process.hrtime.bigint() - wallStart) / 1e9, alerts };
}

export function run(): Table[] {
  const { items, meanChars } = stream(EVENTS);
  const rxjs = (): number => {
    let alerts = 0;
    from(items)
      .pipe(sampleDetectors(CONFIG))
      .subscribe(() => {
        alerts++;
      });
    return alerts;
  };
  const plain = (): number => {
    let alerts = 0;
    const pipeline = new PlainPipeline(CONFIG, () => {
      alerts++;
    });
    for (const item of items) pipeline.push(item);
    pipeline.finish();
    return alerts;
  };
  // One warm-up each, then interleaved runs so load drifts on the shared machine hit both alike.
  timeOnce(rxjs);
  timeOnce(plain);
  const rxRuns: number[] = [];
  const plainRuns: number[] = [];
  const rxWall: number[] = [];
  const plainWall: number[] = [];
  let rxAlerts = 0;
  let plainAlerts = 0;
  for (let round = 0; round < RUNS; round++) {
    const r = timeOnce(rxjs);
    const p = timeOnce(plain);
    rxRuns.push(r.cpu);
    plainRuns.push(p.cpu);
    rxWall.push(r.wall);
    plainWall.push(p.wall);
    rxAlerts = r.alerts;
    plainAlerts = p.alerts;
  }
  const rxRate = EVENTS / median(rxRuns);
  const plainRate = EVENTS / median(plainRuns);
  const overhead = median(rxRuns) / median(plainRuns) - 1;
  return [
    {
      suite: 'pipeline',
      title: `Default sample pipeline over ${EVENTS.toLocaleString('en-US')} in-memory events (${meanChars.toFixed(0)} characters per response on average), one core`,
      header: ['variant', 'events per CPU-second', 'per event (CPU)', 'events/s (wall)', 'alerts', 'target', 'met'],
      rows: [
        {
          name: 'sampleDetectors() (RxJS)',
          cells: [fmt.rate(rxRate), fmt.ns(1e9 / rxRate), fmt.rate(EVENTS / median(rxWall)), String(rxAlerts), '>= 150,000/s', fmt.pass(rxRate >= 150_000)],
        },
        {
          name: 'same state machines, plain loop',
          cells: [fmt.rate(plainRate), fmt.ns(1e9 / plainRate), fmt.rate(EVENTS / median(plainWall)), String(plainAlerts), '—', '—'],
        },
        {
          name: 'RxJS layer cost (RxJS time / plain time - 1)',
          cells: [`${(overhead * 100).toFixed(1)}%`, '', '', '', '<= 15%', fmt.pass(overhead <= 0.15)],
        },
      ],
      notes: [
        `Median of ${String(RUNS)} runs each after one warm-up, RxJS and plain runs interleaved; rates per CPU-second of this single-threaded process (one core, other load on the shared machine taken out), wall-clock rates beside them. Every detector of the default pipeline is on (text, group, drift and dominance detectors per sample; the step pipeline over summarizeSteps), with maxLength 1024.`,
        `Stream: a healthy simulated run of ${String(POOL_STEPS)} steps x 64 samples (meanLength ${String(MEAN_LENGTH)} tokens), repeated with later steps and fresh event objects up to the event count, each step followed by its policy StepRecord; built before timing.`,
        'The plain loop builds the same detector state machines from the same config (sampleDetectorLists) and emits the same alerts in the same order (test/pipelines/plain-pipeline.test.ts).',
      ],
    },
  ];
}
