// `goodhart report` end to end: the BUILT CLI as a child process, writing its page to a temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './built.js';

let dir: string;
let run: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-report-cli-'));
  run = join(dir, 'run.jsonl');
  const lines = Array.from({ length: 20 }, (_, step) => JSON.stringify({ type: 'step', step, metrics: { 'reward/mean': step / 20 } }));
  writeFileSync(run, `${lines.join('\n')}\n`);
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('goodhart report (built)', () => {
  it('shows --title as the page heading as well as its <title>, escaped in both', async () => {
    const out = join(dir, 'titled.html');
    const result = await cli(['report', run, '-o', out, '--title', 'GRPO <b>seed</b> "42"']);
    expect(result.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const escaped = 'GRPO &#60;b&#62;seed&#60;/b&#62; &#34;42&#34;';
    expect(html).toContain(`<title>${escaped}</title>`);
    expect(html).toContain(`<h1>${escaped}</h1>`);
  });

  it('heads the page with the default title, naming the file, without --title', async () => {
    const out = join(dir, 'untitled.html');
    expect((await cli(['report', run, '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<h1>goodhart report: run.jsonl</h1>');
  });
});
