/**
 * Detection quality of the default pipelines (`npm run bench:detection`, or
 * `npx tsx benchmarks/run.ts detection`): every simulated hack pattern, >= 1,000,000 events of
 * healthy simulated runs over reward kinds and scales, and the real trainer logs. The run sizes
 * can be shrunk with GOODHART_BENCH_DETECTION_HEALTHY_STEPS (steps per healthy run).
 */
import { median, type Row, type Table } from './harness.js';
import {
  describeFalseAlerts,
  healthyCases,
  healthyPasses,
  MAX_DELAY,
  patternCases,
  patternPasses,
  REAL_CASES,
  REWARD_KINDS,
  runCase,
  runReal,
} from './detection-cases.js';
import type { DetectionRun } from '../src/sim/hackbench.js';
import { EXPECTED_VERDICT, HACK_PATTERNS } from '../src/sim/index.js';

const PATTERN_SEEDS = [1, 2, 3];
const HEALTHY_SEEDS = [11, 12];
const HEALTHY_STEPS = Number(process.env.GOODHART_BENCH_DETECTION_HEALTHY_STEPS ?? 900);

const count = (runs: readonly DetectionRun[], test: (run: DetectionRun) => boolean): number => runs.filter(test).length;
const yes = (ok: boolean): string => (ok ? 'yes' : '**no**');

async function patternTable(): Promise<Table> {
  const cases = patternCases(PATTERN_SEEDS);
  const runs: DetectionRun[] = [];
  for (const { simulation } of cases) runs.push(await runCase(simulation));
  const rows: Row[] = HACK_PATTERNS.map((pattern) => {
    const mine = runs.filter((run) => run.pattern === pattern);
    const statuses = new Map<string, number>();
    for (const run of mine) statuses.set(run.verdict.status, (statuses.get(run.verdict.status) ?? 0) + 1);
    const delays = mine.flatMap((run) => (run.delay === undefined ? [] : [run.delay]));
    const falseAlerts = mine.reduce((sum, run) => sum + run.falseAlerts, 0);
    const failed = mine.filter((run) => !patternPasses(run));
    return {
      name: pattern,
      cells: [
        EXPECTED_VERDICT[pattern],
        [...statuses].map(([status, n]) => `${status} ${String(n)}`).join(', '),
        `${String(count(mine, (run) => run.detected))}/${String(mine.length)}`,
        `${String(count(mine, (run) => run.correct))}/${String(mine.length)}`,
        delays.length === 0 ? '—' : String(median(delays)),
        delays.length === 0 ? '—' : String(Math.max(...delays)),
        String(falseAlerts),
        yes(failed.length === 0),
      ],
    };
  });
  const failures = runs.filter((run) => !patternPasses(run));
  return {
    suite: 'detection',
    title: `Hack patterns: default sampleDetectors over simulated runs (${String(PATTERN_SEEDS.length)} seeds x ${REWARD_KINDS.join('/')} rewards, injected at step 60, 64 samples per step)`,
    header: ['pattern', 'expected verdict', 'verdicts reached', 'detected', 'right class', 'median delay (steps)', 'max delay', 'false alerts before injection', 'met'],
    rows,
    notes: [
      `Target: the expected verdict class within ${String(MAX_DELAY)} steps of injection in every run, no warning-or-worse alert before it.`,
      'detected = a warning-or-worse alert at or after injection; delay = first step at which the whole-run verdict (judge(), as audit and the dashboard) equals the expected class, minus the injection step.',
      ...(failures.length === 0
        ? []
        : [
            `Missed: ${failures
              .map((run) => `${run.pattern} seed ${String(run.simulation.seed)} ${String(run.simulation.rewardKind)} -> ${run.verdict.status}${run.delay === undefined ? '' : ` after ${String(run.delay)} steps`}${run.falseAlerts > 0 ? ` (false: ${describeFalseAlerts(run)})` : ''}`)
              .join('; ')}.`,
          ]),
    ],
  };
}

async function healthyTable(): Promise<Table> {
  const runs: DetectionRun[] = [];
  for (const simulation of healthyCases(HEALTHY_SEEDS, HEALTHY_STEPS)) runs.push(await runCase(simulation));
  const rows: Row[] = runs.map((run) => ({
    name: `${String(run.simulation.rewardKind)} x${String(run.simulation.rewardScale)} seed ${String(run.simulation.seed)}`,
    cells: [
      run.events.toLocaleString('en-US'),
      run.rewardStd.toPrecision(2),
      String(run.falseAlerts),
      run.verdict.status,
      yes(healthyPasses(run)),
    ],
  }));
  const events = runs.reduce((sum, run) => sum + run.events, 0);
  const falseAlerts = runs.reduce((sum, run) => sum + run.falseAlerts, 0);
  const allHealthy = runs.every(healthyPasses);
  rows.push({
    name: '**total**',
    cells: [events.toLocaleString('en-US'), '', String(falseAlerts), allHealthy ? 'healthy' : 'not all healthy', yes(allHealthy && events >= 1_000_000)],
  });
  const failures = runs.filter((run) => !healthyPasses(run));
  return {
    suite: 'detection',
    title: `Healthy simulated runs: ${String(HEALTHY_STEPS)} steps x 64 samples each`,
    header: ['run (reward kind x rewardScale)', 'events', 'reward sd', 'warning+ alerts', 'verdict', 'met'],
    rows,
    notes: [
      'Target: >= 1,000,000 healthy events in total, zero warning-or-worse alerts and a healthy whole-run verdict in every run (info alerts, such as a rising proxy reward, are allowed).',
      ...(failures.length === 0 ? [] : [`False alerts: ${failures.map(describeFalseAlerts).join('; ')}.`]),
    ],
  };
}

async function realTable(): Promise<Table> {
  const rows: Row[] = [];
  for (const real of REAL_CASES) {
    const { alerts, verdict } = await runReal(real.file);
    const flags = alerts.filter((a) => a.state === 'onset' && a.severity !== 'info');
    rows.push({
      name: real.file,
      cells: [
        real.what,
        real.expect,
        verdict.status,
        flags.length === 0 ? '—' : flags.slice(0, 3).map((a) => `${a.detector}(${a.metric})@${String(a.step)}`).join(', '),
        yes(real.check(alerts, verdict)),
      ],
    });
  }
  return {
    suite: 'detection',
    title: 'Real trainer logs through the same default pipeline (shared/realdata)',
    header: ['file', 'what it shows', 'must show', 'verdict', 'warning+ onsets (first 3)', 'met'],
    rows,
  };
}

export async function run(): Promise<Table[]> {
  const tables = [await patternTable(), await healthyTable(), await realTable()];
  // One README section per suite: join the three tables into one block under the suite's marker.
  const [first, ...rest] = tables;
  if (first === undefined) return [];
  return [
    {
      ...first,
      notes: [
        ...(first.notes ?? []),
        ...rest.flatMap((table) => ['', `### ${table.title}`, '', `| ${table.header.join(' | ')} |`, `|${table.header.map(() => '---').join('|')}|`, ...table.rows.map((row) => `| ${[row.name, ...row.cells].join(' | ')} |`), ...(table.notes && table.notes.length > 0 ? ['', ...table.notes] : [])]),
      ],
    },
  ];
}
