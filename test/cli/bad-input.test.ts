// End to end: the BUILT CLI as a child process on inputs a user's tools really produce and that
// once went wrong without a word: a byte order mark, a file whose format is not known (yet).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, cli, ensureBuilt } from './built.js';

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-bad-input-'));
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs the built CLI until its stderr matches `wanted` (or `ms` pass), then stops it; resolves with that stderr. */
function stderrUntil(args: readonly string[], wanted: RegExp, ms = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const stop = (): void => {
      clearTimeout(timeout);
      child.kill();
      resolve(err);
    };
    const timeout = setTimeout(stop, ms);
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (wanted.test(err)) stop();
    });
  });
}

describe('goodhart (built) on awkward input', () => {
  it('reads a per-sample components file saved with a byte order mark, its first sample included', async () => {
    const sample = (step: number, reward: number) =>
      JSON.stringify({ scalar_reward: reward, format_component: reward, completion: `answer ${String(step)}`, step });
    const path = file('bom-components.jsonl', `\uFEFF${[0, 1, 2, 3].map((step) => sample(step, step / 4)).join('\n')}\n`);
    const result = await cli(['audit', path, '--json']);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toMatchObject({ events: 4, problems: 0 });
  });

  it('export reports and skips a JSON object in a per-sample components file that is not a sample', async () => {
    const sample = JSON.stringify({ scalar_reward: 1, format_component: 1, completion: 'a', step: 0 });
    const path = file('junk-components.jsonl', [sample, sample, '{"x":"aaa"}', '{"foo":1}', sample].join('\n') + '\n');
    const result = await cli(['export', path, '-o', join(dir, 'junk.csv')]);
    expect(result.code).toBe(0);
    expect(result.err).toContain(`input problem: ${path}:3: not a scored sample`);
    expect(result.err).toContain(`input problem: ${path}:4: not a scored sample`);
    expect(result.err).toContain('wrote 3 events');
  });

  it('audit names an infinite KL and reward by file, line and field, and keeps quiet about NaN; summary counts them', async () => {
    const lines = [
      '{"type": "event", "step": 0, "reward": 0.5, "response": "a"}',
      '{"type": "step", "step": 0, "metrics": {"kl": 0.01, "entropy": NaN}}',
      '{"type": "event", "step": 1, "reward": Infinity, "response": "b"}',
      '{"type": "event", "step": 1, "reward": NaN, "response": "c"}',
      '{"type": "step", "step": 1, "metrics": {"kl": Infinity, "entropy": 0.5}}',
    ];
    const path = file('naninf.jsonl', lines.join('\n') + '\n');
    const audit = await cli(['audit', path]);
    const problems = audit.err.split('\n').filter((line) => line.startsWith('input problem'));
    expect(problems.map((line) => line.replace(/ \(\{.*$/, ''))).toEqual([
      `input problem: ${path}:3: reward is Infinity (not finite); treated as missing`,
      `input problem: ${path}:5: metrics.kl is Infinity (not finite); treated as missing`,
    ]);
    const summary = await cli(['summary', path]);
    expect(summary.code).toBe(0);
    expect(summary.out).toContain('3 events, 2 step records, 2 input problems');
  });

  it('watch says at once that it is waiting to recognise a file that matches no format yet', async () => {
    const path = file('notes.txt', 'hello world\nnot json\n{{{\n');
    const err = await stderrUntil(['watch', path, '--no-dashboard'], /waiting for more data/);
    expect(err).toContain(`input problem: ${path}: waiting for more data to recognise the format`);
  });
});
