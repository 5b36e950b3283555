// The README's "Use with your trainer" section, checked for real: every snippet under
// docs/snippets/ appears in it verbatim, the Python snippets run with the machine's python3 and
// what they write is read back through goodhart's own sources, and every `npx goodhart` command
// of the section runs through the CLI on the file it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { lastValueFrom, tap, toArray } from 'rxjs';
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { defaultDetect } from '../../src/cli/detect.js';
import { runCli } from '../../src/cli/run.js';
import { simulate } from '../../src/sim/simulate.js';
import { fromFile } from '../../src/sources/from-file.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { serveIngest } from '../../src/sources/serve-ingest.js';
import { realdata, repoRoot } from '../support/paths.js';
import { eventsFile, scalarValue, summaryEvent } from '../support/tfevents-writer.js';

const run = promisify(execFile);
const SNIPPETS = join(repoRoot, 'docs', 'snippets');
const snippet = (name: string): string => readFileSync(join(SNIPPETS, name), 'utf8');
const python3 = spawnSync('python3', ['--version']).status === 0;
const skipReason = python3 ? '' : ' (skipped: python3 is not on PATH)';

/** The text of the README section `## <title>`, up to the next `## ` heading. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start, next < 0 ? undefined : next + 1);
}

/** Fenced code blocks: language and body (with its final newline). */
function fences(markdown: string): { lang: string; body: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ lang: match[1]!, body: match[2]! }));
}

/** `npx goodhart ...` commands anywhere in the text (code blocks and inline code), comments cut. */
function goodhartCommands(text: string): string[][] {
  return [...text.matchAll(/npx goodhart ([^`\n#]+)/g)].map((match) => match[1]!.trim().split(/\s+/));
}

const readme = section(readFileSync(join(repoRoot, 'README.md'), 'utf8'), 'Use with your trainer');

async function items(path: string, format?: 'verl-file-jsonl'): Promise<Ingested[]> {
  return lastValueFrom(fromFile(path, format === undefined ? {} : { format }).pipe(toArray()));
}
const steps = (all: Ingested[]): StepRecord[] => all.flatMap((item) => (item.kind === 'step' ? [item.record] : []));
const events = (all: Ingested[]): RewardEvent[] => all.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
const problems = (all: Ingested[]) => all.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));

async function python(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('python3', args, { env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout;
}

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'goodhart-snippets-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('README "Use with your trainer"', () => {
  it('holds every docs/snippets file verbatim, and no code block that is not one of them (or the tested receiver)', () => {
    expect(readme).not.toBe('');
    const blocks = fences(readme);
    const files = readdirSync(SNIPPETS).sort();
    expect(files).toEqual(['python_loop_commands.sh', 'python_loop_jsonl.py', 'python_loop_websocket.py', 'tensorboard.sh', 'trl_callback.py', 'trl_logs.sh', 'verl_file_logger.sh']);
    for (const file of files) {
      const lang = file.endsWith('.py') ? 'python' : 'bash';
      expect(blocks, `README block for docs/snippets/${file}`).toContainEqual({ lang, body: snippet(file) });
    }
    const contents = new Set(files.map(snippet));
    const others = blocks.filter((block) => !contents.has(block.body));
    expect(others.map((block) => block.lang)).toEqual(['ts']);
  });

  it('uses only verbs and flags the CLI has', async () => {
    const commands = goodhartCommands(readme);
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const [verb, ...args] of commands) {
      expect(['watch', 'audit'], `verb of: ${[verb, ...args].join(' ')}`).toContain(verb);
      let help = '';
      const code = await runCli([verb!, '--help'], { stdout: (text) => (help += text), stderr: () => undefined });
      expect(code).toBe(0);
      for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(help, `${verb!} --help`).toContain(`${flag} `);
    }
  });
});

describe.skipIf(!python3)(`TRL: the GoodhartCallback snippet${skipReason}`, () => {
  const rows = JSON.parse(readFileSync(realdata('trl-grpo_qwen35_collapse_step_logs.json'), 'utf8')) as Record<string, number>[];
  const logged = rows.filter((row) => !('train_runtime' in row));
  const nanStep = 15;

  it('writes one goodhart step record per TRL log row (rank 0 only, summary row skipped) that fromFile reads with zero problems', async () => {
    const stub = join(work, 'stub', 'transformers');
    mkdirSync(stub, { recursive: true });
    // transformers' TrainerCallback is a base class whose event methods do nothing.
    writeFileSync(join(stub, '__init__.py'), 'class TrainerCallback:\n    def on_log(self, args, state, control, **kwargs):\n        pass\n');
    const driver = join(work, 'drive_trl.py');
    writeFileSync(
      driver,
      [
        'import importlib.util, json, sys',
        'from types import SimpleNamespace',
        'spec = importlib.util.spec_from_file_location("goodhart_callback", sys.argv[1])',
        'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
        'callback = module.GoodhartCallback(sys.argv[3])',
        'for row in json.load(open(sys.argv[2])):',
        '    logs = dict(row); step = logs.pop("step")  # Trainer.log passes the row without its step',
        `    if step == ${String(nanStep)}: logs["grad_norm"] = float("nan")`,
        '    state = SimpleNamespace(global_step=step, is_world_process_zero=True)',
        '    callback.on_log(None, state, None, logs=logs)',
        '    callback.on_log(None, SimpleNamespace(global_step=step, is_world_process_zero=False), None, logs={"reward": 9.0})',
        'callback.on_log(None, SimpleNamespace(global_step=201, is_world_process_zero=True), None, logs={})',
        '',
      ].join('\n'),
    );
    const out = join(work, 'goodhart.jsonl');
    await python([driver, join(SNIPPETS, 'trl_callback.py'), realdata('trl-grpo_qwen35_collapse_step_logs.json'), out], { PYTHONPATH: join(work, 'stub') });
    expect(readFileSync(out, 'utf8')).toContain('"grad_norm": NaN');

    const all = await items(out);
    expect(problems(all)).toEqual([]);
    const records = steps(all);
    expect(records.map((record) => record.step)).toEqual(logged.map((row) => row['step']));
    expect(records).toHaveLength(40); // 41 rows in the file, the last one the end-of-training summary
    for (const [index, record] of records.entries()) {
      const row = logged[index]!;
      expect(record.phase).not.toBe('eval');
      expect(record.t).toBeGreaterThan(Date.now() - 600_000);
      expect(record.metrics['reward/mean']).toBe(row['reward']);
      expect(record.metrics['reward/reward_fn/mean']).toBe(row['rewards/reward_fn/mean']);
      expect(record.metrics['groups/zero_std_frac']).toBe(row['frac_reward_zero_std']);
      expect(record.metrics['length/clip_ratio']).toBe(row['completions/clipped_ratio']);
      expect(record.metrics['length/mean']).toBe(row['completions/mean_length']);
      expect(record.metrics['entropy']).toBe(row['entropy']);
      if (record.step === nanStep) {
        expect(record.metrics).not.toHaveProperty('grad_norm');
        expect(record.missing).toBe(1);
      } else {
        expect(record.metrics['grad_norm']).toBe(row['grad_norm']);
        expect(record.missing ?? 0).toBe(0);
      }
    }
    // Known values, read off the file: step 10 logged reward 0.2875 with 98.75% of completions clipped.
    expect(records[1]!.metrics).toMatchObject({ 'reward/mean': 0.2875, 'length/clip_ratio': 0.9875, 'groups/zero_std_frac': 0.75 });
  });
});

describe.skipIf(!python3)(`any Python loop: the GoodhartLog snippet${skipReason}`, () => {
  it('writes events and step records (numpy-like scalars, NaN) that fromFile reads with zero problems', async () => {
    const driver = join(work, 'drive_loop.py');
    writeFileSync(
      driver,
      [
        'import importlib.util, sys',
        'from decimal import Decimal  # stands in for numpy / torch scalars: not JSON, but float() works',
        'spec = importlib.util.spec_from_file_location("goodhart_log", sys.argv[1])',
        'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
        'log = module.GoodhartLog(sys.argv[2])',
        'for step in range(3):',
        '    for k in range(4):',
        '        reward = float("nan") if (step, k) == (1, 2) else Decimal(step * 4 + k) / 16',
        '        log.event(step, reward, group=f"q{step}-{k // 2}", response=f"<answer>{k}</answer>",',
        '                  components={"format": 0.5, "correct": Decimal(k % 2)}, length=10 + k)',
        '    log.step(step, {"kl": 0.01 * step, "entropy": float("nan")})',
        'log.close()',
        '',
      ].join('\n'),
    );
    const out = join(work, 'rewards.jsonl');
    await python([driver, join(SNIPPETS, 'python_loop_jsonl.py'), out]);
    const all = await items(out);
    expect(problems(all)).toEqual([]);
    const samples = events(all);
    expect(samples).toHaveLength(12);
    for (const [index, event] of samples.entries()) {
      const step = Math.floor(index / 4);
      const k = index % 4;
      expect(event).toMatchObject({ step, group: `q${String(step)}-${String(k >> 1)}`, response: `<answer>${String(k)}</answer>`, length: 10 + k });
      expect(event.components).toEqual({ format: 0.5, correct: k % 2 });
      expect(event.t).toBeGreaterThan(Date.now() - 600_000);
      if (step === 1 && k === 2) expect(event).not.toHaveProperty('reward');
      else expect(event.reward).toBe((step * 4 + k) / 16);
    }
    const records = steps(all);
    expect(records.map((record) => [record.step, record.metrics, record.missing])).toEqual([
      [0, { kl: 0 }, 1],
      [1, { kl: 0.01 }, 1],
      [2, { kl: 0.02 }, 1],
    ]);
  });
});

describe.skipIf(!python3)(`any Python loop: the stdlib websocket snippet${skipReason}`, () => {
  it('pushes every record to a real serveIngest (token, 7-bit, 16-bit and 64-bit frame lengths, NaN), in order, with zero problems', async () => {
    const token = 'secret-token';
    const ingest = await serveIngest({ host: '127.0.0.1', port: 0, token });
    const received: Ingested[] = [];
    const subscription = ingest.items$.subscribe((item) => received.push(item));
    try {
      const driver = join(work, 'drive_ws.py');
      writeFileSync(
        driver,
        [
          'import importlib.util, sys',
          'spec = importlib.util.spec_from_file_location("goodhart_ws", sys.argv[1])',
          'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
          'try:',
          '    module.GoodhartSocket(sys.argv[2], token="wrong")',
          '    print("accepted a wrong token")',
          'except ConnectionError as error:',
          '    print("refused:", error)',
          'workers = [module.GoodhartSocket(sys.argv[2]) for _ in range(2)]  # token from $GOODHART_TOKEN',
          'seq = 0',
          'for size in (1, 20, 2000):  # frames of ~60 B, ~1.5 KB and ~150 KB',
          '    for w, ws in enumerate(workers):',
          '        batch = [{"step": seq + i, "reward": float("nan") if i == 3 else i / size,',
          '                  "response": "x" * (i % 7), "meta": {"worker": w, "seq": seq + i}} for i in range(size)]',
          '        ws.send(batch if size > 1 else batch[0])',
          '    seq += size',
          'for ws in workers: ws.close()',
          'print("sent", 2 * seq)',
          '',
        ].join('\n'),
      );
      const stdout = await python([driver, join(SNIPPETS, 'python_loop_websocket.py'), ingest.url], { GOODHART_TOKEN: token });
      expect(stdout).toContain('refused: HTTP/1.1 401 Unauthorized');
      expect(stdout).toContain('sent 4042');
      await waitFor(() => received.length >= 4042);
      expect(received.filter((item) => item.kind === 'problem')).toEqual([]);
      const got = received.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
      expect(got).toHaveLength(4042);
      for (const worker of [0, 1]) {
        const mine = got.filter((event) => event.meta?.['worker'] === worker);
        expect(mine.map((event) => event.meta?.['seq'])).toEqual(Array.from({ length: 2021 }, (_, i) => i));
        expect(mine.filter((event) => event.reward === undefined)).toHaveLength(2); // the NaN of each batch of 20 and 2000
      }
    } finally {
      subscription.unsubscribe();
      await ingest.close();
    }
  });

  it('the README receiver (serveIngest + sampleDetectors) prints alerts for a hacked run pushed by the snippet', async () => {
    const block = fences(readme).find((candidate) => candidate.lang === 'ts');
    expect(block?.body).toContain("from 'goodhart'");
    const port = await freePort();
    const source = block!.body
      .replace("from 'goodhart/operators'", `from '${pathToFileURL(join(repoRoot, 'operators', 'index.ts')).href}'`)
      .replace("from 'goodhart'", `from '${pathToFileURL(join(repoRoot, 'src', 'index.ts')).href}'`)
      .replace('port: 7070', `port: ${String(port)}`);
    expect(source).not.toContain('7070');
    const receiverPath = join(work, 'receiver.mts');
    writeFileSync(receiverPath, source);
    const run = [...simulate({ seed: 7, steps: 60, hack: { pattern: 'format-gaming', atStep: 40 } })].flatMap((item) =>
      item.kind === 'event' ? [item.event] : item.kind === 'step' ? [{ type: 'step', ...item.record }] : [],
    );
    const runPath = join(work, 'hacked-run.json');
    writeFileSync(runPath, JSON.stringify(run));
    const driver = join(work, 'drive_receiver.py');
    writeFileSync(
      driver,
      [
        'import importlib.util, itertools, json, sys, time',
        'spec = importlib.util.spec_from_file_location("goodhart_ws", sys.argv[1])',
        'module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)',
        'for attempt in range(200):  # the receiver is still starting',
        '    try:',
        '        ws = module.GoodhartSocket(sys.argv[2]); break',
        '    except OSError:',
        '        time.sleep(0.1)',
        'for step, batch in itertools.groupby(json.load(open(sys.argv[3])), key=lambda record: record["step"]):',
        '    ws.send(list(batch))',
        'ws.close()',
        '',
      ].join('\n'),
    );
    const receiver: ChildProcess = spawn(process.execPath, ['--import', 'tsx', receiverPath], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    receiver.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    receiver.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    try {
      await python([driver, join(SNIPPETS, 'python_loop_websocket.py'), `ws://127.0.0.1:${String(port)}`, runPath]);
      const flagged = /^\[step (\d+)\] (?:warning|critical) formatGaming: .+$/m;
      await waitFor(() => flagged.test(printed), 20_000, () => `the receiver printed:\n${printed}`);
      expect(printed).toMatch(/^\[step \d+\] (?:info|warning|critical) \w+: .+$/m);
      expect(Number(flagged.exec(printed)![1])).toBeGreaterThanOrEqual(40); // the hack starts at step 40
    } finally {
      receiver.kill();
    }
  });
});

describe.skipIf(!python3)(`verl: the file logger${skipReason}`, () => {
  it('reads {"step": n, "data": {...}} lines with verl key names as StepRecords with canonical names, the same as the console log of the run', async () => {
    // The real console log of a verl run, and the same rows as verl's `file` logger writes them
    // (tracking.FileLogger: json.dumps({"step": step, "data": data}) per step; NaN written bare).
    const consolePath = realdata('verl-gpg_qwen2-7b_math_length_explosion.log');
    const fromConsole = steps(await items(consolePath)).filter((record) => record.phase === 'train');
    expect(fromConsole.length).toBeGreaterThan(100);
    const rowsPath = join(work, 'verl-rows.json');
    writeFileSync(rowsPath, JSON.stringify(fromConsole.map((record) => ({ step: record.step, data: record.raw }))));
    const nanStep = fromConsole[10]!.step;
    const driver = join(work, 'drive_verl.py');
    writeFileSync(
      driver,
      [
        'import json, sys',
        'with open(sys.argv[2], "w") as f:',
        '    for row in json.load(open(sys.argv[1])):',
        `        if row["step"] == ${String(nanStep)}: row["data"]["actor/entropy"] = float("nan")`,
        '        f.write(json.dumps({"step": row["step"], "data": row["data"]}) + "\\n")',
        '',
      ].join('\n'),
    );
    const out = join(work, 'verl_metrics.jsonl');
    await python([driver, rowsPath, out]);
    for (const format of [undefined, 'verl-file-jsonl'] as const) {
      const all = await items(out, format);
      expect(problems(all)).toEqual([]);
      const records = steps(all);
      expect(records.map((record) => record.step)).toEqual(fromConsole.map((record) => record.step));
      for (const [index, record] of records.entries()) {
        // -0 (a console `-0.000`) is 0 once written as JSON, as verl's json.dumps of the float would be.
        const expected = JSON.parse(JSON.stringify(fromConsole[index]!)) as StepRecord;
        if (record.step === nanStep) {
          const { entropy: _entropy, ...rest } = expected.metrics;
          expect(record.metrics).toEqual(rest);
          expect(record.missing).toBe(1);
        } else {
          expect(record.metrics).toEqual(expected.metrics);
        }
      }
    }
    const sample = steps(await items(out))[20]!;
    expect(sample.raw?.['critic/score/mean']).toBe(sample.metrics['reward/mean']);
    expect(sample.raw?.['response_length/mean']).toBe(sample.metrics['length/mean']);
    expect(sample.raw?.['response_length/clip_ratio']).toBe(sample.metrics['length/clip_ratio']);
    expect(sample.raw?.['actor/entropy']).toBe(sample.metrics['entropy']);
  });

  it('the snippet points goodhart at the file VERL_FILE_LOGGER_PATH names, with the file logger on', () => {
    const text = snippet('verl_file_logger.sh');
    const path = /^export VERL_FILE_LOGGER_PATH=\$PWD\/(\S+)$/m.exec(text)?.[1];
    expect(path).toBe('verl_metrics.jsonl');
    expect(text).toContain(`trainer.logger="['console','file']"`);
    expect(goodhartCommands(text).map((command) => command[1])).toContain(path);
  });
});

// Runs after the snippet tests above (vitest runs a file's tests in order): they write the JSONL files
// these commands name.
describe.skipIf(!python3)(`every goodhart command of the section runs on the file it names${skipReason}`, () => {
  // Files the commands name: what the snippets above wrote, and real trainer logs for the rest.
  const copies: Record<string, string> = {
    'output/checkpoint-500/trainer_state.json': realdata('trl-grpo_multicomponent_trainer_state.json'),
    'trl_stdout.log': realdata('trl-grpo_stdout_rho0.10_seed42.log'),
    'verl_console.log': realdata('verl-gpg_qwen2-7b_math_length_explosion.log'),
  };
  const written = ['goodhart.jsonl', 'rewards.jsonl', 'verl_metrics.jsonl'];
  // The TensorBoard command's file: the real verl console log's steps, written as verl's
  // `tensorboard` logger writes them (PyTorch add_scalar under the console keys).
  const tensorboardFile = 'runs/events.out.tfevents.1700000000.node0.1234.0';
  const writeTensorboard = async (): Promise<void> => {
    const rows = steps(await items(realdata('verl-gpg_qwen2-7b_math_length_explosion.log')));
    const events = rows.map((row) => summaryEvent(row.step, Object.entries(row.raw ?? {}).map(([tag, value]) => scalarValue(tag, value))));
    mkdirSync(join(work, 'runs'), { recursive: true });
    writeFileSync(join(work, tensorboardFile), eventsFile(events));
  };

  it.each(goodhartCommands(readme).map((command) => [command.join(' '), command] as const))('goodhart %s', async (_name, command) => {
    for (const [name, from] of Object.entries(copies)) {
      mkdirSync(dirname(join(work, name)), { recursive: true });
      copyFileSync(from, join(work, name));
    }
    const [verb, file, ...flags] = command;
    if (file === tensorboardFile) await writeTensorboard();
    expect([...written, ...Object.keys(copies), tensorboardFile]).toContain(file);
    const format = flags.includes('--format') ? 'verl-file-jsonl' : undefined;
    const expected = await items(join(work, file!), format);
    const records = expected.filter((item) => item.kind !== 'problem').length;
    expect(records).toBeGreaterThan(0);
    let out = '';
    let err = '';
    let seen = 0;
    const stop = new AbortController();
    const io = { stdout: (text: string) => (out += text), stderr: (text: string) => (err += text), cwd: work, signal: stop.signal };
    const pending = runCli(command, io, {
      detect: (config) => (source) =>
        source.pipe(
          tap(() => {
            seen++;
          }),
          defaultDetect(config),
        ),
    });
    if (verb === 'watch') {
      await waitFor(() => seen >= expected.length, 20_000); // it follows the file: stop it once all is read
      stop.abort();
    }
    const code = await pending;
    expect(err).not.toContain('goodhart:');
    expect([0, 1]).toContain(code);
    const problemCount = expected.length - records;
    if (command.includes('--json')) {
      const summary = JSON.parse(out) as { events: number; steps: number; problems: number };
      expect(summary.events + summary.steps).toBe(records);
      expect(summary.problems).toBe(problemCount);
    } else {
      expect(out).toMatch(new RegExp(`read (\\d+) events, (\\d+) step records`));
      const [, eventCount, stepCount] = /read (\d+) events, (\d+) step records/.exec(out)!;
      expect(Number(eventCount) + Number(stepCount)).toBe(records);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000, explain: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${String(timeoutMs)} ms. ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}
