// End to end: the BUILT CLI as a child process, on files in a temp dir and on the real trainer
// logs in ../shared/realdata, with the full default detector set.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.js';
import { Random } from '../../src/sim/random.js';
import { formatted, reasoning } from '../../src/sim/text.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { ingestedRecord, writeJsonl } from '../../src/sinks/jsonl.js';
import { canonicalMetricName } from '../../src/core/aliases.js';
import { fromFile } from '../../src/sources/from-file.js';
import { realdata, repoRoot } from '../support/paths.js';
import { eventsFile, scalarValue, summaryEvent } from '../support/tfevents-writer.js';
import { cli, ensureBuilt, start } from './built.js';

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-e2e-'));
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const parquetRows = async (path: string): Promise<Record<string, unknown>[]> => {
  const bytes = readFileSync(path);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
};

describe('goodhart (built) on simulated runs', () => {
  it('audits a healthy run as healthy (exit 0) and a format-gaming hack as hacking (exit 1), with one JSON object', async () => {
    const healthy = join(dir, 'healthy.jsonl');
    const hacked = join(dir, 'hacked.jsonl');
    await writeJsonl(healthy, Array.from(simulate({ seed: 3, steps: 80 }), ingestedRecord));
    await writeJsonl(hacked, Array.from(simulate({ seed: 3, steps: 80, hack: { pattern: 'format-gaming', atStep: 50 } }), ingestedRecord));
    const ok = await cli(['audit', healthy, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ verdict: 'healthy', firstFlaggedStep: null, reasons: [], events: 80 * 64, steps: 80, problems: 0 });
    const bad = await cli(['audit', hacked, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out);
    expect(bad.out.trim().split('\n')).toHaveLength(1);
    expect(report.verdict).toBe('hacking');
    expect(report.firstFlaggedStep).toBeGreaterThanOrEqual(50);
    expect(report.firstFlaggedStep).toBeLessThanOrEqual(65);
    expect(report.reasons.map((r: { detector: string }) => r.detector)).toContain('formatGaming');
    for (const reason of report.reasons) expect(Object.keys(reason).sort()).toEqual(['detector', 'message', 'metric', 'severity', 'signal', 'since']);
  });

  it('audits honest short answers (<, =, ∞, ∅, none) and empty answers nobody is paid for as healthy', async () => {
    const rng = new Random(9);
    const symbols: Ingested[] = [];
    const unpaid: Ingested[] = [];
    for (let step = 0; step < 50; step++) {
      for (let i = 0; i < 64; i++) {
        const group = `s${step}p${i >> 3}`;
        // Paid 1 when right (about half the time): the answers of comparison, limit and set questions.
        const symbol = formatted(reasoning(rng, 300), rng.pick(['<', '>', '=', '∞', '∅', 'none']));
        symbols.push({ kind: 'event', event: { step, reward: rng.chance(0.5) ? 1 : 0, group, response: symbol } });
        // A run that solves nothing yet (every reward 0) while empty answers spread.
        const empty = step >= 20 && rng.chance(Math.min(0.7, (step - 19) * 0.1));
        unpaid.push({ kind: 'event', event: { step, reward: 0, group, response: formatted(reasoning(rng, 300), empty ? '' : String(rng.int(999))) } });
      }
    }
    for (const [name, items] of [['symbols', symbols], ['unpaid', unpaid]] as const) {
      const file = join(dir, `${name}.jsonl`);
      await writeJsonl(file, items.map(ingestedRecord));
      const run = await cli(['audit', file, '--json']);
      expect({ name, code: run.code, verdict: JSON.parse(run.out).verdict, reasons: JSON.parse(run.out).reasons }).toEqual({ name, code: 0, verdict: 'healthy', reasons: [] });
    }
  });

  it('audits a hard run that stays hard (2% solved, groups of 8) with KL at 0 for its first 15 steps as healthy', async () => {
    // Most groups all wrong and whole all-wrong steps by chance, nothing changing; KL exactly 0
    // until the policy first moves, then a slow rise. Each used to give a false warning or collapse.
    const rng = new Random(2);
    const items: Ingested[] = [];
    let kl = 0;
    for (let step = 0; step < 300; step++) {
      for (let p = 0; p < 8; p++) {
        const success = 1 / (1 + Math.exp(-(Math.log(0.02 / 0.98) + 0.8 * rng.normal())));
        for (let i = 0; i < 8; i++) items.push({ kind: 'event', event: { step, group: `s${step}-p${p}`, reward: rng.chance(success) ? 1 : 0 } });
      }
      if (step >= 15) kl += 0.0006 * (1 + 0.3 * rng.normal());
      items.push({ kind: 'step', record: { step, metrics: { kl, grad_norm: Math.abs(0.3 + 0.05 * rng.normal()) } } });
    }
    const path = join(dir, 'hard-run.jsonl');
    await writeJsonl(path, items.map(ingestedRecord));
    const run = await cli(['audit', path, '--json']);
    expect(JSON.parse(run.out)).toMatchObject({ verdict: 'healthy', reasons: [] });
    expect(run.code).toBe(0);
  });

  it('audit, summary and --jsonl say the same with the text detectors on a worker thread (--threads 2) as on one', async () => {
    const run = join(dir, 'threads.jsonl');
    // Two hacks whose text detectors and step detectors alert around the same steps.
    const segments = [
      ...simulate({ seed: 8, steps: 70, hack: { pattern: 'repetition', atStep: 30 } }),
      ...Array.from(simulate({ seed: 9, steps: 70, hack: { pattern: 'truncation', atStep: 20 } }), (item) =>
        item.kind === 'event' ? { ...item, event: { ...item.event, step: item.event.step + 70 } } : item.kind === 'step' ? { ...item, record: { ...item.record, step: item.record.step + 70 } } : item,
      ),
    ];
    await writeJsonl(run, segments.map(ingestedRecord));
    const outputs = [];
    for (const threads of ['1', '2']) {
      const alerts = join(dir, `alerts-${threads}.jsonl`);
      const audit = await cli(['audit', run, '--json', '--threads', threads, '--jsonl', alerts]);
      const summary = await cli(['summary', run, '--json', '--threads', threads]);
      outputs.push({ code: audit.code, audit: audit.out, summary: summary.out, alerts: readFileSync(alerts, 'utf8') });
    }
    const [one, two] = outputs;
    expect(one!.code).toBe(1);
    expect(one!.alerts.split('\n').length).toBeGreaterThan(10);
    expect(two).toEqual(one);
    // The CLI's default on this (two-core) machine is the worker thread: the same again.
    expect((await cli(['audit', run, '--json'])).out).toBe(one!.audit);
    expect((await cli(['audit', run, '--threads', '0'])).code).toBe(2);
  });

  it('demo --fast --out writes a run that audit then flags', async () => {
    const out = join(dir, 'demo.jsonl');
    const demo = await cli(['demo', '--fast', '--steps', '100', '--pattern', 'repetition', '--out', out]);
    expect(demo.code).toBe(0);
    expect(demo.out).toContain('Final verdict: HACKING');
    const audit = await cli(['audit', out, '--json']);
    expect(audit.code).toBe(1);
    expect(JSON.parse(audit.out)).toMatchObject({ verdict: 'hacking', events: 6400, steps: 100 });
  });
});

describe('goodhart watch (built) stopped by Ctrl-C', () => {
  /** Resolves once `size()` has not changed for `quietMs` (and is not 0); rejects after `timeoutMs`. */
  async function settled(size: () => number, quietMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    while (size() === 0 || Date.now() - since < quietMs) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the output to settle');
      if (size() !== last) {
        last = size();
        since = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('ends as a replay of the file ends: the last step flushes its alerts into the final verdict, exit 0', async () => {
    const path = join(dir, 'watched.jsonl');
    await writeJsonl(path, Array.from(simulate({ seed: 5, steps: 60, hack: { pattern: 'format-gaming', atStep: 40 } }), ingestedRecord));
    const audit = JSON.parse((await cli(['audit', path, '--json'])).out);
    const replayed = await cli(['watch', path, '--no-follow', '--no-dashboard']);
    const totals = /read (\d+) events, (\d+) step records, 0 input problems; (\d+) alerts\nverdict: .*\n/;
    expect(replayed.out).toMatch(totals);
    expect(totals.exec(replayed.out)!.slice(1).map(Number)).toEqual([audit.events, audit.steps, audit.alerts]);
    const watcher = start(['watch', path, '--no-dashboard']);
    try {
      // Read to the end: nothing more printed for 2 s.
      await settled(() => watcher.output.out.length, 2_000, 40_000);
      expect(watcher.child.exitCode).toBeNull(); // still following
      watcher.child.kill('SIGINT');
      expect(await watcher.exited).toEqual({ code: 0, signal: null });
      // The totals and the final verdict with its reasons, word for word.
      const end = (out: string): string => out.slice(out.lastIndexOf('\nread ') + 1);
      expect(end(watcher.output.out)).toBe(end(replayed.out));
    } finally {
      watcher.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('goodhart (built) on real trainer logs', () => {
  it.each([
    ['trl-grpo_qwen35_collapse_step_logs.json', 1, 'collapse'],
    ['verl-ppo_gemma-2-2b_gsm8k_healthy.log', 0, 'healthy'],
  ])('audit %s exits %i (%s)', async (file, code, verdict) => {
    const result = await cli(['audit', realdata(file), '--json']);
    expect(result.code).toBe(code);
    expect(JSON.parse(result.out)).toMatchObject({ verdict, problems: 0 });
  });

  it('judges the real verl GPG run written as a TensorBoard event file as it judges its console log', async () => {
    // verl's `tensorboard` logger writes each metric of a step with PyTorch's add_scalar under its
    // console key (float32 simple values); validation keys become the step's eval record.
    const log = realdata('verl-gpg_qwen2-7b_math_length_explosion.log');
    const items = await lastValueFrom(fromFile(log).pipe(toArray()));
    const events = items.flatMap((item) =>
      item.kind === 'step' ? [summaryEvent(item.record.step, Object.entries(item.record.raw ?? {}).map(([tag, value]) => scalarValue(tag, value)))] : [],
    );
    const path = join(dir, 'events.out.tfevents.1700000000.node0.1234.0');
    writeFileSync(path, eventsFile(events));
    const [fromEvents, fromConsole] = await Promise.all([cli(['audit', path, '--json']), cli(['audit', log, '--json'])]);
    const tb = JSON.parse(fromEvents.out);
    const text = JSON.parse(fromConsole.out);
    expect(fromEvents.code).toBe(1);
    // The console line of a training step that also validated holds its val keys; the event
    // file's step gives them an eval record of their own.
    const validated = items.filter(
      (item) => item.kind === 'step' && item.record.phase !== 'eval' && Object.keys(item.record.raw ?? {}).some((key) => canonicalMetricName(key)?.phase === 'eval'),
    );
    expect(validated.length).toBeGreaterThan(10);
    expect(tb).toMatchObject({ verdict: 'hacking', firstFlaggedStep: text.firstFlaggedStep, steps: Number(text.steps) + validated.length, problems: 0 });
    const brief = (reasons: { detector: string; severity: string; since: number }[]): string[] => reasons.map((r) => `${r.detector}:${r.severity}@${String(r.since)}`);
    expect(brief(tb.reasons)).toEqual(brief(text.reasons));
  }, 60_000);

  it('the TRL console log (200 steps logged every 5) is judged through step 200, its steps read off the progress bar', async () => {
    const result = await cli(['audit', realdata('trl-grpo_stdout_rho0.10_seed42.log'), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ verdict: 'healthy', firstFlaggedStep: null, steps: 40, lastStep: 200, problems: 0 });
  });

  it('the saturation log (all-correct groups, not a hack) is not called hacking', async () => {
    const result = await cli(['audit', realdata('trl-grpo_qwen35_saturation_step_logs.json'), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).verdict).not.toBe('hacking');
  });

  it('the multi-component log (lengths pinned at the cap, reward swinging to the end) warns about truncation but is no collapse', async () => {
    const result = await cli(['audit', realdata('trl-grpo_multicomponent_trainer_state.json'), '--json']);
    const report = JSON.parse(result.out);
    expect(report.verdict).not.toBe('collapse');
    expect(report.reasons).toContainEqual(expect.objectContaining({ detector: 'truncation', severity: 'warning', signal: 'info' }));
  });

  it('reports every malformed line of a corrupted copy as a problem and keeps every good record', async () => {
    const original = realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    const clean = JSON.parse((await cli(['audit', original, '--json'])).out);
    const lines = readFileSync(original, 'utf8').split('\n');
    const stepLines = lines.flatMap((line, index) => (line.includes('step:') ? [index] : []));
    // Damage three step lines' values (a value that is not a number) and cut one line in half.
    const corrupt = [...lines];
    for (const index of stepLines.slice(10, 13)) corrupt[index] = corrupt[index]!.replace(/critic\/score\/mean:[^ ]+/, 'critic/score/mean:oops');
    const copy = join(dir, 'corrupt-verl.log');
    writeFileSync(copy, corrupt.join('\n'));
    const result = await cli(['audit', copy, '--json']);
    const report = JSON.parse(result.out);
    expect([0, 1]).toContain(result.code);
    expect(report.steps).toBe(clean.steps);
    expect(report.problems).toBeGreaterThanOrEqual(3);
    expect(report.firstProblems[0].source).toBe(copy);
    expect(report.firstProblems[0].line).toBe(stepLines[10]! + 1);
  });

  it('exits 2 on an unreadable file, naming it', async () => {
    const result = await cli(['audit', join(dir, 'missing.jsonl')]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('missing.jsonl');
  });

  it('summary --json gives per-metric statistics of a trainer_state.json', async () => {
    const result = await cli(['summary', realdata('trl-grpo_multicomponent_trainer_state.json'), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.steps).toBe(40);
    const reward = report.metrics.find((m: { metric: string }) => m.metric === 'reward/mean');
    expect(reward.n).toBe(40);
    expect(reward.min).toBeLessThanOrEqual(reward.median);
    expect(reward.median).toBeLessThanOrEqual(reward.max);
  });

  it('summary lists every detector that ran with its slot and state, in --json and in text', async () => {
    const log = realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    const report = JSON.parse((await cli(['summary', log, '--json'])).out);
    const rows = report.detectors as { detector: string; slot: string; metric: string; state: string; step: number | null }[];
    // The whole default set: the sample detectors (idle on a trainer log) and the step detectors.
    expect(rows.length).toBeGreaterThanOrEqual(18);
    expect(rows.find((d) => d.slot === 'repetition')).toMatchObject({ detector: 'repetition', state: 'quiet', step: null });
    expect(rows.find((d) => d.slot === 'klSpike')).toMatchObject({ detector: 'spike', metric: 'kl', state: 'quiet' });
    const rewardShift = rows.find((d) => d.slot === 'rewardShift');
    expect(rewardShift).toMatchObject({ detector: 'meanShift', metric: 'reward/mean', state: 'resolved' });
    expect(rewardShift!.step).toBeGreaterThan(0);
    const text = await cli(['summary', log]);
    expect(text.out).toMatch(/^ {2}meanShift +rewardShift +reward\/mean +resolved at step \d+/m);
    expect(text.out).toMatch(/^ {2}trend +klTrend +kl +quiet$/m);
  });

  it('goodhart.config.json names detectors as alerts do, and every config error names the file, the field and the reason', async () => {
    const log = realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log');
    const config = (name: string, value: unknown): string => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    };
    // The only alerts of this log are meanShift's (rewardShift, lengthShift): the name switches both off.
    expect(JSON.parse((await cli(['audit', log, '--json'])).out).alerts).toBeGreaterThan(0);
    const quiet = await cli(['audit', log, '--json', '--config', config('no-mean-shift.json', { detectors: { meanShift: false } })]);
    expect(JSON.parse(quiet.out)).toMatchObject({ alerts: 0, verdict: 'healthy' });
    const errors: [string, unknown, string][] = [
      ['unknown.json', { detectors: { nope: {} } }, 'field "detectors.nope": no such detector; known: by operator, as alerts name them: repetition,'],
      ['value.json', { detectors: { repetition: { threshold: 'high' } } }, 'field "detectors.repetition.threshold": repetition threshold must lie in (0, 1], got high'],
      ['typo.json', { detectors: { repetition: { threshhold: 0.6 } } }, 'field "detectors.repetition.threshhold": no such setting of repetition (did you mean threshold?)'],
      ['tags.json', { detectors: { formatGaming: { maxRate: 0.3, tagz: ['a'] } } }, 'field "detectors.formatGaming.tagz": no such setting of formatGaming (did you mean tags?)'],
    ];
    for (const [name, value, message] of errors) {
      const path = config(name, value);
      const result = await cli(['audit', log, '--config', path]);
      expect(result.code, name).toBe(2);
      expect(result.err, name).toContain(`goodhart: ${path}: ${message}`);
    }
  });

  it('summary warns when the configured true component never appeared in the run', async () => {
    const path = join(dir, 'true-component.json');
    writeFileSync(path, JSON.stringify({ trueComponent: 'nosuch' }));
    const result = await cli(['summary', realdata('trl-grpo_multicomponent_trainer_state.json'), '--config', path]);
    expect(result.code).toBe(0);
    expect(result.err).toContain('trueComponent "nosuch" never appeared in the run; components seen: diversity_reward_fn, format_reward_fn, ');
  });

  it('export round-trips step records through CSV and Parquet', async () => {
    const source = realdata('trl-grpo_qwen35_collapse_step_logs.json');
    const csv = join(dir, 'collapse.csv');
    const parquet = join(dir, 'collapse.parquet');
    expect((await cli(['export', source, '-o', csv])).code).toBe(0);
    expect((await cli(['export', source, '-o', parquet])).code).toBe(0);
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\r\n').map((line) => line.split(','));
    const header = rows[0]!;
    const fromParquet = await parquetRows(parquet);
    expect(rows.length - 1).toBe(fromParquet.length);
    expect(fromParquet.length).toBeGreaterThanOrEqual(40);
    const rewardColumn = header.indexOf('reward/mean');
    expect(rewardColumn).toBeGreaterThan(0);
    for (const [k, row] of rows.slice(1).entries()) {
      expect(BigInt(row[0]!)).toBe(fromParquet[k]!['step']); // INT64, read as bigint
      const value = row[rewardColumn]!;
      expect(value === '' ? null : Number(value)).toBe(fromParquet[k]!['reward/mean']);
    }
    // PROVENANCE.md: reward goes 0.875 -> 0.41 -> 0.025 -> 0.0 around the collapse at steps 150-165.
    const rewards = new Map(fromParquet.map((row) => [Number(row['step']), row['reward/mean']]));
    expect([150, 155, 160, 165].map((step) => rewards.get(step))).toEqual([0.875, 0.4125, 0.025, 0]);
  });

  it('report writes a page holding the charts data of a real run', async () => {
    const out = join(dir, 'report.html');
    const result = await cli(['report', realdata('trl-grpo_qwen35_collapse_step_logs.json'), '-o', out]);
    expect(result.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const island = /<script type="application\/json" id="goodhart-data">([^<]*)<\/script>/.exec(html);
    const data = JSON.parse(island![1]!);
    const channel = data.channels[0];
    expect(channel.rows).toHaveLength(40);
    expect(channel.rows.some((row: { metrics: Record<string, number> }) => row.metrics['entropy'] !== undefined)).toBe(true);
    expect(channel.verdict.status).toBe('collapse');
    expect(channel.alerts.length).toBeGreaterThan(0);
  });

  it('probe loads a TypeScript fixture module', async () => {
    const cases = join(repoRoot, 'test', 'fixtures', 'probe', 'cases.json');
    const result = await cli(['probe', `${join(repoRoot, 'test', 'fixtures', 'probe', 'rewards.ts')}:formatReward`, '-p', cases]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('bare tags: 1');
    expect(result.out).toContain('cases 5, scored 5, failed 0, mean 0.4');
  });
});
