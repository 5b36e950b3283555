// End to end: the BUILT CLI as a child process on inputs a user's tools really produce and that
// once went wrong without a word.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt } from './built.js';

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

describe('goodhart (built) on awkward input', () => {
  it('reads a per-sample components file saved with a byte order mark, its first sample included', async () => {
    const sample = (step: number, reward: number) =>
      JSON.stringify({ scalar_reward: reward, format_component: reward, completion: `answer ${String(step)}`, step });
    const path = file('bom-components.jsonl', `\uFEFF${[0, 1, 2, 3].map((step) => sample(step, step / 4)).join('\n')}\n`);
    const result = await cli(['audit', path, '--json']);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toMatchObject({ events: 4, problems: 0 });
  });
});
