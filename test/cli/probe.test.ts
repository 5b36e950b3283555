// `goodhart probe` end to end: the BUILT CLI as a child process, on reward modules written to a
// temp dir (a hung promise and a CommonJS module are process-level behaviour: how Node loads the
// module, and what the process exits with when nothing is left to run).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './built.js';

let dir: string;
let cases: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-probe-'));
  cases = write('cases.json', JSON.stringify([['2+2?', '<answer>4</answer>'], { label: 'bare tags', args: ['2+2?', '<answer></answer>'] }]));
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('goodhart probe (built)', () => {
  it('fails a case whose promise never settles after --timeout, names it, scores the others and exits 1', async () => {
    const module = write(
      'hangs.mjs',
      'export function hangsOnBareTags(_prompt, completion) {\n' +
        "  return completion === '<answer></answer>' ? new Promise(() => {}) : Promise.resolve(completion.length);\n" +
        '}\n',
    );
    const result = await cli(['probe', `${module}:hangsOnBareTags`, '-p', cases, '--timeout', '0.3']);
    expect(result.err).toBe('');
    expect(result.code).toBe(1);
    expect(result.out).toContain('#1: 18');
    expect(result.out).toContain('bare tags: FAILED timed out: no result within 0.3 s');
    expect(result.out).toContain('cases 2, scored 1, failed 1');
  });

  it('gives up on a module whose top-level await never finishes (exit 2, not Node\'s 13)', async () => {
    const module = write('stuck.mjs', 'await new Promise(() => {});\nexport const reward = () => 1;\n');
    const result = await cli(['probe', `${module}:reward`, '-p', cases, '--timeout', '0.3']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('stuck.mjs: cannot load the module: its top-level code did not finish within 0.3 s');
  });

  it('exits 1 with a message, not 13, when the command waits on a promise nothing will settle', async () => {
    // A stand-in for any such bug: reading the cases file (a .json) never finishes.
    const preload = write(
      'stall-json-reads.mjs',
      "import { syncBuiltinESMExports } from 'node:module';\n" +
        "import fs from 'node:fs/promises';\n" +
        'const readFile = fs.readFile;\n' +
        "fs.readFile = (path, ...rest) => (String(path).endsWith('.json') ? new Promise(() => {}) : readFile(path, ...rest));\n" +
        'syncBuiltinESMExports();\n',
    );
    const module = write('fine.mjs', 'export const reward = () => 1;\n');
    const result = await cli(['probe', `${module}:reward`, '-p', cases], { env: { NODE_OPTIONS: `--import=${preload}` } });
    expect(result.code).toBe(1);
    expect(result.err).toContain('goodhart: stopped: the command was waiting on a promise that nothing will ever settle');
  });

  it('finds a function of a CommonJS module that Node cannot name (module.exports = { f: ... })', async () => {
    const module = write('rewards.cjs', 'module.exports = { cjsReward: (_prompt, completion) => completion.length, other: 1 };\n');
    const result = await cli(['probe', `${module}:cjsReward`, '-p', cases, '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).results.map((r: { score: number }) => r.score)).toEqual([18, 17]);
    const missing = await cli(['probe', `${module}:nope`, '-p', cases]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('rewards.cjs: no function exported as "nope" (exported functions: cjsReward)');
    const none = await cli(['probe', `${write('none.mjs', 'export const x = 1;\n')}:nope`, '-p', cases]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no function exported as "nope" (the module exports no functions)');
  });

  it('uses a CommonJS module.exports function as the default export', async () => {
    const module = write('single.cjs', 'module.exports = function reward(_prompt, completion) { return completion.length / 10; };\n');
    const result = await cli(['probe', module, '-p', cases, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).summary).toMatchObject({ scored: 2, max: 1.8 });
  });
});
