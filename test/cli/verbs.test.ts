// In-process tests of each verb through runCli with in-memory I/O and the fake detectors of
// support.ts (the default detector set is exercised end to end in e2e.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { realdata } from '../support/paths.js';
import { run } from './support.js';

let dir: string;
const file = (name: string, lines: readonly unknown[]): string => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return path;
};

/** 10 steps of 4 events; `marker` goes into the responses from `at` on. */
function events(marker = '', at = 5): unknown[] {
  const lines: unknown[] = [];
  for (let step = 0; step < 10; step++) {
    for (let k = 0; k < 4; k++) {
      lines.push({ step, reward: step / 10 + k / 100, components: { format: 0.1, correct: step / 10 }, group: `g${step}`, response: `answer ${k}${step >= at && marker !== '' ? ` ${marker}` : ''}` });
    }
  }
  return lines;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goodhart-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('audit', () => {
  it('exits 0 on a healthy run and prints the verdict', async () => {
    const result = await run(['audit', file('healthy.jsonl', events())]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('read 40 events, 0 step records; 0 alerts');
    expect(result.out).toContain('verdict: HEALTHY');
  });

  it('exits 1 on hacking and prints ONE JSON object with the documented fields', async () => {
    const result = await run(['audit', file('hacked.jsonl', events('HACK', 6)), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out);
    expect(result.out.trim().split('\n')).toHaveLength(1);
    expect(report).toMatchObject({ verdict: 'hacking', firstFlaggedStep: 6, events: 40, steps: 0, problems: 0, failed: true, failOn: 'hacking' });
    expect(report.reasons.map((r: { detector: string }) => r.detector).sort()).toEqual(['formatGaming', 'meanShift']);
    expect(report.reasons[0]).toEqual({ detector: 'formatGaming', metric: 'reward', severity: 'critical', signal: 'exploit', since: 6, message: expect.stringContaining('tags without content') });
  });

  it('fails on collapse by default, and on a warning only with --fail-on warning', async () => {
    expect((await run(['audit', file('collapse.jsonl', events('COLLAPSE'))])).code).toBe(1);
    const warned = file('warn.jsonl', events('WARN'));
    const lenient = await run(['audit', warned, '--json']);
    expect(JSON.parse(lenient.out).verdict).toBe('warning');
    expect(lenient.code).toBe(0);
    expect((await run(['audit', warned, '--fail-on', 'warning'])).code).toBe(1);
  });

  it('counts malformed lines as problems, keeps every good record, and exits on the verdict', async () => {
    const lines = events();
    lines.splice(3, 0, '{"step": 0, "reward": "abc"}', 'not json at all');
    const result = await run(['audit', file('corrupt.jsonl', lines), '--json']);
    const report = JSON.parse(result.out);
    expect(result.code).toBe(0);
    expect(report.events).toBe(40);
    expect(report.problems).toBe(2);
    expect(report.firstProblems[0]).toMatchObject({ line: 4, reason: expect.stringContaining('field "reward"') });
  });

  it('--jsonl writes the alerts and verdicts as goodhart JSONL, ending with the final verdict', async () => {
    const log = join(dir, 'audit-alerts.jsonl');
    const result = await run(['audit', file('logged.jsonl', events('HACK', 6)), '--jsonl', log]);
    expect(result.code).toBe(1);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.type === 'alert').map((line) => line.detector)).toEqual(['formatGaming', 'meanShift']);
    expect(lines.at(-1)).toMatchObject({ type: 'verdict', v: 1, status: 'hacking', firstFlaggedStep: 6, step: 9 });
    const full = await run(['watch', file('logged2.jsonl', events('HACK', 6)), '--no-follow', '--jsonl', '/dev/full']);
    expect(full.code).toBe(0);
    expect(full.err).toContain('cannot write /dev/full');
  });

  it('merges several files (one per rank) by step', async () => {
    const rank0 = file('rank0.jsonl', events().filter((_, k) => k % 2 === 0));
    const rank1 = file('rank1.jsonl', events('HACK', 8).filter((_, k) => k % 2 === 1));
    const report = JSON.parse((await run(['audit', rank0, rank1, '--json'])).out);
    expect(report).toMatchObject({ events: 40, lastStep: 9, verdict: 'hacking', firstFlaggedStep: 8 });
  });

  it('exits 2 on a missing file, an unknown format, and bad usage', async () => {
    const missing = await run(['audit', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.jsonl/);
    const unknown = await run(['audit', file('unknown.txt', ['hello there', 'not a log'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown input format/);
    expect((await run(['audit'])).code).toBe(2);
    expect((await run(['audit', 'x', '--fail-on', 'sometimes'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('numbers TRL console dicts by the progress bar, else by --logging-steps or the config\'s loggingSteps', async () => {
    // A 200-step run logged every 5 steps: the bar says so, whatever the interval given.
    for (const flags of [[], ['--logging-steps', '3']]) {
      const real = JSON.parse((await run(['audit', realdata('trl-grpo_stdout_rho0.10_seed42.log'), '--json', ...flags])).out);
      expect(real).toMatchObject({ steps: 40, lastStep: 200, problems: 0 });
    }
    // Without the bar (stdout captured alone), dicts are numbered by the interval.
    const noBar = file('no_bar.log', ['***** Running training *****', "{'loss': 0.5, 'reward': 0.1}", "{'loss': 0.4, 'reward': 0.2}"]);
    const lastStep = async (args: string[], cwd?: string): Promise<number> => JSON.parse((await run(['audit', noBar, '--json', ...args], cwd === undefined ? {} : { cwd })).out).lastStep;
    expect(await lastStep([])).toBe(2);
    expect(await lastStep(['--logging-steps', '5'])).toBe(10);
    const sub = mkdtempSync(join(dir, 'logging-'));
    writeFileSync(join(sub, 'goodhart.config.json'), JSON.stringify({ loggingSteps: 10 }));
    expect(await lastStep([], sub)).toBe(20);
    expect(await lastStep(['--logging-steps', '5'], sub)).toBe(10); // the option wins
    const bad = await run(['audit', noBar, '--logging-steps', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--logging-steps expects a positive integer.');
  });

  it('reads goodhart.config.json from the working directory and validates it, naming the field', async () => {
    const sub = mkdtempSync(join(dir, 'cfg-'));
    writeFileSync(join(sub, 'goodhart.config.json'), JSON.stringify({ failOn: 'warning' }));
    const warned = file('warn2.jsonl', events('WARN'));
    expect((await run(['audit', warned], { cwd: sub })).code).toBe(1);
    writeFileSync(join(sub, 'bad.json'), JSON.stringify({ detectors: { meanShift: 3 } }));
    const bad = await run(['audit', warned, '--config', 'bad.json'], { cwd: sub });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('field "detectors.meanShift": expected an object of settings or false, got number 3');
  });
});

describe('a finished file that yields no record', () => {
  const outputOf = (verb: string): string[] =>
    verb === 'export' ? ['-o', join(dir, 'none.csv')] : verb === 'report' ? ['-o', join(dir, 'none.html')] : verb === 'watch' ? ['--no-follow'] : [];

  it.each(['audit', 'summary', 'report', 'export', 'watch'])('%s exits 2 naming the file, the format and why, even with --quiet', async (verb) => {
    const garbage = file(`garbage-${verb}.txt`, ['hello world', 'not json', '{{{', '[]', 'nope']);
    const result = await run([verb, garbage, '--format', 'goodhart-jsonl', '--quiet', ...outputOf(verb)]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      `goodhart: ${garbage}: no records read as goodhart-jsonl (given by --format or inputFormat); its 5 input problems:\n` +
        `  ${garbage}:1: not valid JSON: Unexpected token 'h', "hello world" is not valid JSON (at position 0) (hello world)\n`,
    );
    expect(result.err).toContain(`  ${garbage}:3: not valid JSON`);
    expect(result.err).toContain('  ... and 2 more\n');
    expect(result.out).not.toContain('verdict');
  });

  it('says the file is empty, which format no line matched, and why a document held nothing', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    for (const args of [[empty], [empty, '--format', 'trl-stdout']]) {
      const result = await run(['audit', ...args, '-q']);
      expect(result.code).toBe(2);
      expect(result.err).toBe(`goodhart: ${empty}: no records: the file is empty\n`);
    }
    const jsonl = file('not-verl.jsonl', events());
    const forced = await run(['audit', jsonl, '--format', 'verl-console']);
    expect(forced.code).toBe(2);
    expect(forced.err).toBe(`goodhart: ${jsonl}: no records read as verl-console (given by --format or inputFormat): no line matched the verl-console format\n`);
    const sub = mkdtempSync(join(dir, 'format-'));
    writeFileSync(join(sub, 'goodhart.config.json'), JSON.stringify({ inputFormat: 'verl-console' }));
    expect(await run(['audit', jsonl], { cwd: sub })).toMatchObject({ code: 2, err: forced.err });
    const halfWritten = join(dir, 'trainer_state.json');
    writeFileSync(halfWritten, '{\n  "global_step": 2,\n  "log_history": [\n    {"step": 1, "loss": 0.5},\n    {"step": 2, "lo');
    const cut = await run(['audit', halfWritten]);
    expect(cut.code).toBe(2);
    expect(cut.err).toMatch(new RegExp(`^goodhart: ${halfWritten}: no records read as trl-trainer-state \\(detected\\); its input problem:\\n  ${halfWritten}: not valid JSON`));
    const noHistory = join(dir, 'no_history.json');
    writeFileSync(noHistory, '{"global_step": 0, "log_history": []}\n');
    expect((await run(['audit', noHistory])).err).toContain('no records read as trl-trainer-state (detected): nothing in the document matched the trl-trainer-state format');
  });

  it('fails the run when one of several files yields nothing, though the others read', async () => {
    const rank0 = file('good-rank0.jsonl', events());
    const rank1 = join(dir, 'empty-rank1.jsonl');
    writeFileSync(rank1, '');
    const result = await run(['audit', rank0, rank1]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`goodhart: ${rank1}: no records: the file is empty`);
  });

  it('audit --json still prints one object on exit 2: verdict null, the error and the problems', async () => {
    const missing = join(dir, 'nope.jsonl');
    const gone = await run(['audit', file('there.jsonl', events()), missing, '--json']);
    expect(gone.code).toBe(2);
    expect(gone.out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(gone.out)).toEqual({ verdict: null, error: `${missing}: no such file`, problems: 0, firstProblems: [], failed: true });
    const garbage = file('garbage-json.txt', ['hello world', 'not json']);
    const unread = await run(['audit', garbage, '--format', 'goodhart-jsonl', '--json']);
    expect(unread.code).toBe(2);
    const report = JSON.parse(unread.out);
    expect(report).toMatchObject({ verdict: null, error: expect.stringContaining(`${garbage}: no records read as goodhart-jsonl`), problems: 2, failed: true });
    expect(report.firstProblems.map((problem: { line: number }) => problem.line)).toEqual([1, 2]);
    expect(unread.err).toContain(`goodhart: ${garbage}: no records`);
    const summary = await run(['summary', garbage, '--format', 'goodhart-jsonl', '--json']);
    expect(summary.code).toBe(2);
    expect(JSON.parse(summary.out)).toMatchObject({ verdict: null, error: expect.stringContaining(`${garbage}: no records`), problems: 2, failed: true });
  });
});

describe('progress on a terminal', () => {
  /** 5,000 events: past the first check of the clock (every 4,096 records). */
  const long = (): string => file('long.jsonl', Array.from({ length: 5000 }, (_, k) => ({ step: Math.floor(k / 50), reward: (k % 7) / 7, response: `answer ${k}` })));

  it.each([
    ['audit', []],
    ['summary', []],
    ['report', ['-o', 'long.html']],
    ['export', ['-o', 'long.csv']],
    ['watch', ['--no-follow']],
  ])('%s shows records/s and ETA on stderr after 2 s and clears the line at the end', async (verb, extra) => {
    let clock = 0;
    const args = [verb, long(), ...extra.map((arg) => (arg.startsWith('long.') ? join(dir, arg) : arg))];
    // Every look at the clock is 10 s later: the first check (at 4,096 records) draws the line.
    const result = await run(args, { stderrIsTTY: true, now: () => (clock += 10_000) });
    expect(result.code).toBe(0);
    // The line is redrawn in place: carriage return, erase line (ESC [ K), the text.
    const drawn = (pass: string): RegExp => new RegExp(`\r\u001b\\[K${pass}[\\d,]+ records, [\\d,]+/s, \\d+%, ETA \\d+s`);
    expect(result.err).toMatch(drawn(verb === 'export' ? 'pass 1/2: ' : ''));
    if (verb === 'export') expect(result.err).toMatch(drawn('pass 2/2: '));
    expect(result.err.lastIndexOf('\r\u001b[K')).toBeGreaterThan(result.err.lastIndexOf(', ETA '));
    const quiet = await run([...args, '-q'], { stderrIsTTY: true, now: () => (clock += 10_000) });
    expect(quiet.err).not.toContain(', ETA ');
  });
});

describe('--help', () => {
  it('--version prints the package version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.out.trim()).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version);
  });

  // Verbs load on demand (run.ts): a command line without a verb must still see all of them.
  it('--help lists every verb in order, and a mistyped verb gets a suggestion', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.out.matchAll(/^ {2}(\w+) \[options\]/gm)].map((match) => match[1]);
    expect(listed).toEqual(['demo', 'watch', 'summary', 'audit', 'export', 'probe', 'report']);
    const typo = await run(['audti', 'run.jsonl']);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("unknown command 'audti'");
    expect(typo.err).toContain('Did you mean audit?');
  });

  it.each(['demo', 'watch', 'summary', 'audit', 'export', 'probe', 'report'])('%s --help shows examples and the shared options', async (verb) => {
    const result = await run([verb, '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Examples:');
    expect(result.out).toContain(`goodhart ${verb}`);
    for (const option of ['--format', '--logging-steps', '--config', '--quiet', '--no-color']) expect(result.out).toContain(option);
  });
});

describe('export', () => {
  it('writes events as RFC 4180 CSV with components as columns', async () => {
    const lines = events();
    lines.push({ step: 10, reward: 1, components: { format: 0.5 }, response: 'line one\nsaid "hi", twice' });
    const out = join(dir, 'events.csv');
    const result = await run(['export', file('export.jsonl', lines), '-o', out]);
    expect(result.code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe('step,group,reward,components.correct,components.format,response');
    expect(rows[1]).toBe('0,g0,0,0,0.1,answer 0');
    expect(csv).toContain('10,,1,,0.5,"line one\nsaid ""hi"", twice"\r\n');
    expect(rows.length - 2).toBe(41);
  });

  it('writes the last N steps as Parquet that hyparquet reads back', async () => {
    const out = join(dir, 'tail.parquet');
    const result = await run(['export', file('export2.jsonl', events()), '-o', out, '--last', '2']);
    expect(result.code).toBe(0);
    const bytes = readFileSync(out);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    expect(rows).toHaveLength(8);
    // Steps are INT64, which hyparquet reads as bigint.
    expect(rows.map((row) => row['step'])).toEqual([8n, 8n, 8n, 8n, 9n, 9n, 9n, 9n]);
    expect(rows[0]).toMatchObject({ group: 'g8', reward: 0.8, 'components.correct': 0.8, 'components.format': 0.1, response: 'answer 0' });
  });

  it('writes step records with metrics as columns, and alerts beside the output', async () => {
    // The trainer logs a step record after the samples of each of the first three steps.
    const samples = events('HACK', 9);
    const lines = samples.flatMap((event, k) => (k % 4 === 3 && k < 12 ? [event, { type: 'step', step: (k - 3) / 4, metrics: { 'reward/mean': 9, kl: 0.01 * k } }] : [event]));
    const out = join(dir, 'steps.csv');
    const result = await run(['export', file('steps.jsonl', lines), '-o', out, '--records', 'steps', '--alerts']);
    expect(result.code).toBe(0);
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\r\n').map((line) => line.split(','));
    expect(rows.map((row) => row[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // One row per step, from the step summarizer: the trainer's kl, the samples' reward (which wins
    // over the logged one), count, length and components.
    const step0 = Object.fromEntries(header!.map((name, k) => [name, rows[0]![k]]));
    expect(step0).toMatchObject({ kl: '0.03', 'reward/mean': '0.015', samples: '4', 'length/mean': '8', 'reward/format/mean': '0.1', 'groups/zero_std_frac': '0' });
    const alerts = readFileSync(join(dir, 'steps.alerts.csv'), 'utf8').split('\r\n');
    expect(alerts[0]).toBe('step,since,state,severity,signal,detector,metric,value,threshold,message,tag,id,evidence');
    expect(alerts.filter((row) => row.startsWith('9,9,onset'))).toHaveLength(2);
  });

  it('refuses an output name that is neither .csv nor .parquet', async () => {
    const result = await run(['export', file('x.jsonl', events()), '-o', join(dir, 'out.xlsx')]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('name it .csv or .parquet');
  });
});

// The plain-JS reward module is written at test time (an .mjs file in test/ would sit outside the
// lint project); the TypeScript one is test/fixtures/probe/rewards.ts.
const REWARDS_MJS = `// A reward module for \`goodhart probe\` tests: a format reward that a bare tag pair games.
export function formatReward(prompt, completion) {
  return /<answer>.*<\\/answer>/s.test(completion) ? 1 : 0;
}

export async function slowLength(_prompt, completion) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return completion.length / 100;
}

export function picky(_prompt, completion) {
  if (completion === '') throw new Error('empty completion');
  return completion.includes('NaN') ? Number.NaN : 1;
}

export default function total(prompt, completion) {
  return formatReward(prompt, completion) + completion.length / 1000;
}

export const notAFunction = 42;
`;
const fixture = (name: string): string => {
  if (name === 'rewards.mjs') {
    const path = join(dir, name);
    writeFileSync(path, REWARDS_MJS);
    return path;
  }
  return join(import.meta.dirname, '..', 'fixtures', 'probe', name);
};

describe('probe', () => {
  it('scores every case with the named export and summarizes the scores', async () => {
    const result = await run(['probe', `${fixture('rewards.mjs')}:formatReward`, '-p', fixture('cases.json'), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.results.map((r: { score: number }) => r.score)).toEqual([1, 1, 0, 0, 0]);
    expect(report.summary).toMatchObject({ cases: 5, scored: 5, failed: 0, mean: 0.4, min: 0, max: 1, median: 0 });
    expect(report.summary.std).toBeCloseTo(Math.sqrt(0.24), 12);
  });

  it('uses the default export, awaits async functions, and loads TypeScript through tsx', async () => {
    const total = JSON.parse((await run(['probe', fixture('rewards.mjs'), '-p', fixture('cases.json'), '--json'])).out);
    expect(total.export).toBe('default');
    expect(total.results[0].score).toBeCloseTo(1 + 18 / 1000, 12); // "<answer>4</answer>" is 18 characters
    const slow = JSON.parse((await run(['probe', `${fixture('rewards.mjs')}:slowLength`, '-p', fixture('cases.json'), '--json'])).out);
    expect(slow.results[2].score).toBeCloseTo(0.04, 12);
    const ts = await run(['probe', `${fixture('rewards.ts')}:formatReward`, '-p', fixture('cases.json'), '--json']);
    expect(ts.code).toBe(0);
    expect(JSON.parse(ts.out).summary.mean).toBe(0.4);
  });

  it('exits 1 when a case throws or returns a non-number, naming the case', async () => {
    const result = await run(['probe', `${fixture('rewards.mjs')}:picky`, '-p', fixture('cases.json')]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('nan: FAILED returned NaN, not a finite number');
    expect(result.out).toContain('empty: FAILED threw Error: empty completion');
    expect(result.out).toContain('cases 5, scored 3, failed 2');
  });

  it('exits 2 with a clear message on a missing module, a missing export, or bad cases', async () => {
    const missing = await run(['probe', `${join(dir, 'nowhere.mjs')}:f`, '-p', fixture('cases.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nowhere.mjs: no such module');
    const noExport = await run(['probe', `${fixture('rewards.mjs')}:nope`, '-p', fixture('cases.json')]);
    expect(noExport.code).toBe(2);
    expect(noExport.err).toContain('no function exported as "nope" (exported functions: default, formatReward, picky, slowLength)');
    const notFunction = await run(['probe', `${fixture('rewards.mjs')}:notAFunction`, '-p', fixture('cases.json')]);
    expect(notFunction.code).toBe(2);
    const badCases = await run(['probe', fixture('rewards.mjs'), '-p', file('cases-bad.json', ['{"not": "an array"}'])]);
    expect(badCases.code).toBe(2);
    expect(badCases.err).toContain('expected a JSON array of cases');
  });
});

describe('summary', () => {
  it('prints per-metric statistics over the last N steps, detector states and the verdict', async () => {
    const result = await run(['summary', file('summary.jsonl', events('HACK', 7)), '--last', '3', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.window).toEqual({ from: 7, to: 9, records: 3 });
    const reward = report.metrics.find((m: { metric: string }) => m.metric === 'reward/mean');
    // steps 7..9: per-step means 0.715, 0.815, 0.915 (rewards step/10 + k/100, k = 0..3)
    expect(reward.n).toBe(3);
    expect(reward.mean).toBeCloseTo(0.815, 12);
    expect(reward.min).toBeCloseTo(0.715, 12);
    expect(reward.std).toBeCloseTo(Math.sqrt(2 / 300), 12);
    const alerted = report.detectors.filter((d: { state: string }) => d.state !== 'quiet');
    expect(alerted.map((d: { detector: string }) => d.detector).sort()).toEqual(['formatGaming', 'meanShift']);
    expect(alerted.find((d: { detector: string }) => d.detector === 'formatGaming')).toMatchObject({ state: 'active', severity: 'critical', since: 7, episodes: 1 });
    expect(report.verdict).toMatchObject({ status: 'hacking', firstFlaggedStep: 7, step: 9 });
    const text = await run(['summary', file('summary2.jsonl', events())]);
    expect(text.out).toMatch(/reward\/mean\s+10\s+0\.465/);
    expect(text.out).toContain('verdict: HEALTHY');
  });

  it('lists every detector of the pipeline that ran, quiet ones included, with its slot and what it watches', async () => {
    const report = JSON.parse((await run(['summary', file('summary3.jsonl', events()), '--json'])).out);
    expect(report.detectors.find((d: { slot: string }) => d.slot === 'klTrend')).toEqual({
      detector: 'trend', slot: 'klTrend', metric: 'kl', state: 'quiet', severity: null, since: null, step: null, episodes: 0, message: null,
    });
    expect(report.detectors.filter((d: { detector: string }) => d.detector === 'meanShift').map((d: { slot: string }) => d.slot)).toEqual(['rewardShift', 'lengthShift']);
    const text = await run(['summary', file('summary4.jsonl', events())]);
    expect(text.out).toMatch(/^ {2}detector +slot +watches +state$/m);
    expect(text.out).toMatch(/^ {2}meanShift +rewardShift +reward\/mean +quiet$/m);
    const config = join(dir, 'no-mean-shift.json');
    writeFileSync(config, JSON.stringify({ detectors: { meanShift: false } }));
    const off = JSON.parse((await run(['summary', file('summary5.jsonl', events()), '--json', '--config', config])).out);
    expect(off.detectors.map((d: { detector: string }) => d.detector)).not.toContain('meanShift');
  });

  it('warns when the configured true component never appeared, naming the components seen', async () => {
    const config = (name: string, trueComponent: string): string => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify({ trueComponent }));
      return path;
    };
    const missing = await run(['summary', file('summary6.jsonl', events()), '--config', config('tc-missing.json', 'nosuch')]);
    expect(missing.code).toBe(0);
    expect(missing.err).toBe('goodhart: warning: the config\'s trueComponent "nosuch" never appeared in the run; components seen: correct, format\n');
    const json = await run(['summary', file('summary7.jsonl', events()), '--json', '--config', config('tc-missing2.json', 'nosuch')]);
    expect(json.err).toContain('trueComponent "nosuch" never appeared');
    expect(() => JSON.parse(json.out)).not.toThrow();
    const present = await run(['summary', file('summary8.jsonl', events()), '--config', config('tc-present.json', 'correct')]);
    expect(present.err).toBe('');
  });

  it('audit warns like summary when the configured true component never appeared, and only then', async () => {
    const config = join(dir, 'tc-audit.json');
    writeFileSync(config, JSON.stringify({ trueComponent: 'nosuch' }));
    const missing = await run(['audit', file('audit-tc1.jsonl', events()), '--config', config, '--quiet']);
    expect(missing.err).toBe('goodhart: warning: the config\'s trueComponent "nosuch" never appeared in the run; components seen: correct, format\n');
    const present = join(dir, 'tc-audit-present.json');
    writeFileSync(present, JSON.stringify({ trueComponent: 'format' }));
    expect((await run(['audit', file('audit-tc2.jsonl', events()), '--config', present, '--quiet'])).err).toBe('');
  });
});

describe('report', () => {
  it('writes a self-contained page with the charts data and model text escaped', async () => {
    const hostile = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '</script><script>alert(3)</script>'];
    const lines = events().map((line, k) => (k >= 20 ? { ...(line as object), response: `HACK ${hostile[k % 3]!}` } : line));
    const out = join(dir, 'report.html');
    const result = await run(['report', file('report.jsonl', lines), '-o', out]);
    expect(result.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    for (const text of hostile) expect(html).not.toContain(text);
    expect(html).not.toContain('onerror=alert(1)>');
    const island = /<script type="application\/json" id="goodhart-data">([^<]*)<\/script>/.exec(html);
    expect(island).not.toBeNull();
    const data = JSON.parse(island![1]!);
    const channel = data.channels[0];
    expect(channel.rows.map((row: { step: number }) => row.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(channel.rows[9].metrics['reward/mean']).toBeCloseTo(0.915, 12);
    expect(channel.verdict.status).toBe('hacking');
    expect(channel.alerts.map((a: { detector: string }) => a.detector).sort()).toEqual(['formatGaming', 'meanShift']);
    expect(channel.samples[0].response).toBe(`HACK ${hostile[2]!}`);
    expect(html).toContain('Content-Security-Policy');
  });
});

describe('demo', () => {
  it('--fast simulates a hack, prints alerts and the verdict as they happen, and can write the run', async () => {
    const out = join(dir, 'demo.jsonl');
    const result = await run(['demo', '--fast', '--steps', '20', '--hack-at', '12', '--pattern', 'verbosity', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Healthy until step 12, then the policy learns a "verbosity" hack.');
    expect(result.out).toContain('step 0: reward');
    expect(result.out).toContain('Final verdict:');
    expect(result.out).toContain('(a sound detector set should say "hacking" for verbosity)');
    const written = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(written.filter((r) => r.type === 'event')).toHaveLength(20 * 64);
    expect(written.filter((r) => r.type === 'step')).toHaveLength(20);
  });

  it('paces one step per second at --speed 1 through the injected sleep', async () => {
    const sleeps: number[] = [];
    const result = await run(['demo', '--steps', '5', '--hack-at', '3', '--speed', '2'], {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    expect(result.code).toBe(0);
    expect(sleeps).toEqual([500, 500, 500, 500]);
  });

  it('stops early when the signal aborts', async () => {
    const controller = new AbortController();
    let slept = 0;
    const result = await run(['demo', '--steps', '50'], {
      signal: controller.signal,
      sleep: () => {
        if (++slept === 3) controller.abort();
        return Promise.resolve();
      },
    });
    expect(result.code).toBe(0);
    expect(slept).toBe(3);
    expect(result.out).toContain('Final verdict:');
  });
});

describe('watch', () => {
  it('--no-follow prints alerts with their evidence, problems on stderr, and the verdict', async () => {
    const lines = events('HACK', 4);
    lines.splice(2, 0, 'garbage');
    const result = await run(['watch', file('watch.jsonl', lines), '--no-follow']);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/watch\.jsonl:3: .*garbage/);
    expect(result.out).toMatch(/\[step 4\] CRITICAL formatGaming reward onset: tags without content/);
    expect(result.out).toContain('    step 4, reward 0.4 "answer 0 HACK"');
    expect(result.out).toContain('verdict: HACKING');
  });

  it('follows a growing file until the signal aborts', async () => {
    const path = join(dir, 'growing.jsonl');
    writeFileSync(path, events().slice(0, 8).map((line) => JSON.stringify(line)).join('\n') + '\n');
    const controller = new AbortController();
    const pending = run(['watch', path], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 400));
    writeFileSync(path, JSON.stringify({ step: 3, reward: 1, response: 'now HACK' }) + '\n', { flag: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    controller.abort();
    const result = await pending;
    expect(result.code).toBe(0);
    expect(result.out).toContain('CRITICAL formatGaming');
    expect(result.out).toContain('read 9 events');
  });
});

describe('colour and terminal safety', () => {
  it('colours only a TTY without NO_COLOR or --no-color, and strips control sequences from model text', async () => {
    const hostile = events('HACK', 9).map((line, k) => (k === 36 ? { ...(line as object), response: 'HACK \u001b]0;pwned\u0007\u001b[2J\u009b31mred' } : line));
    const path = file('hostile.jsonl', hostile);
    const plain = await run(['watch', path, '--no-follow']);
    expect(plain.out).not.toContain('\u001b');
    expect(plain.out).toContain('HACK red');
    const tty = await run(['watch', path, '--no-follow'], { stdoutIsTTY: true });
    expect(tty.out).toContain('\u001b[31mCRITICAL');
    expect(tty.out).not.toContain('pwned');
    expect((await run(['watch', path, '--no-follow'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).out).not.toContain('\u001b');
    expect((await run(['watch', path, '--no-follow', '--no-color'], { stdoutIsTTY: true })).out).not.toContain('\u001b');
  });
});

describe('dashboard seam', () => {
  it('demo and watch hand every item to the plugged-in dashboard, print its URL and close it; --no-dashboard skips it', async () => {
    const fed: { kind: string }[] = [];
    let closed = 0;
    let port: number | undefined;
    const serveDashboard: NonNullable<import('../../src/cli/io.js').CliIo['serveDashboard']> = (feed) => {
      port = feed.port;
      feed.items.subscribe((item) => fed.push(item));
      return Promise.resolve({
        url: 'http://127.0.0.1:1234/',
        close: () => {
          closed++;
          return Promise.resolve();
        },
      });
    };
    const demo = await run(['demo', '--fast', '--steps', '6', '--hack-at', '3', '--port', '1234'], { serveDashboard });
    expect(demo.out).toContain('dashboard: http://127.0.0.1:1234/');
    expect(port).toBe(1234);
    expect(closed).toBe(1);
    expect(fed.filter((item) => item.kind === 'event')).toHaveLength(6 * 64);
    expect(fed.filter((item) => item.kind === 'summary')).toHaveLength(6);
    const watch = await run(['watch', file('dash.jsonl', events('HACK', 5)), '--no-follow'], { serveDashboard });
    expect(watch.out).toContain('dashboard: http://127.0.0.1:1234/');
    expect(fed.filter((item) => item.kind === 'alert')).toHaveLength(2);
    expect(closed).toBe(2);
    const off = await run(['watch', file('dash2.jsonl', events()), '--no-follow', '--no-dashboard'], { serveDashboard });
    expect(off.out).not.toContain('dashboard:');
    expect(closed).toBe(2);
  });
});
