// `goodhart export` end to end: the BUILT CLI as a child process; the tables it writes are read
// back with hyparquet (the project's parquet reader) and checked column by column.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.js';
import { ingestedRecord, writeJsonl } from '../../src/sinks/jsonl.js';
import { cli, ensureBuilt } from './built.js';

let dir: string;
/** A simulated run: 64 samples per step, then the trainer's own step record (kl, entropy, grad_norm, loss). */
let run: string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-export-'));
  run = join(dir, 'run.jsonl');
  await writeJsonl(run, Array.from(simulate({ seed: 4, steps: 30, hack: { pattern: 'format-gaming', atStep: 15 } }), ingestedRecord));
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function readParquet(path: string): Promise<{ types: Record<string, string | undefined>; rows: Record<string, unknown>[] }> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const types = Object.fromEntries(parquetMetadata(file).schema.slice(1).map((element) => [element.name, element.type]));
  return { types, rows: await parquetReadObjects({ file }) };
}

describe('goodhart export (built)', () => {
  it('writes steps (and alert steps) as INT64 columns that read back as the same integers', async () => {
    const out = join(dir, 'events.parquet');
    const result = await cli(['export', run, '-o', out, '--alerts']);
    expect(result.code).toBe(0);
    const events = await readParquet(out);
    expect(events.types).toMatchObject({ step: 'INT64', reward: 'DOUBLE', length: 'DOUBLE', response: 'BYTE_ARRAY' });
    expect(events.rows).toHaveLength(30 * 64);
    expect(events.rows[0]!['step']).toBe(0n);
    expect(events.rows.at(-1)!['step']).toBe(29n);
    const alerts = await readParquet(join(dir, 'events.alerts.parquet'));
    expect(alerts.types).toMatchObject({ step: 'INT64', since: 'INT64', value: 'DOUBLE' });
    expect(alerts.rows.length).toBeGreaterThan(0);
    for (const alert of alerts.rows) expect(typeof alert['step']).toBe('bigint');
  });

  it('writes a trainer log\'s step and missing-value count as INT64', async () => {
    const state = join(dir, 'trainer_state.json');
    // As Python's json.dump writes a NaN; a null is missing too.
    writeFileSync(state, '{"global_step": 10, "log_history": [{"step": 5, "loss": 0.1, "reward": 0.5, "grad_norm": NaN}, {"step": 10, "loss": null, "reward": 0.6}]}');
    const out = join(dir, 'trainer.parquet');
    expect((await cli(['export', state, '-o', out])).code).toBe(0);
    const { types, rows } = await readParquet(out);
    expect(types).toMatchObject({ step: 'INT64', missing: 'INT64', 'reward/mean': 'DOUBLE', loss: 'DOUBLE' });
    expect(rows).toEqual([
      { step: 5n, phase: 'train', missing: 1n, loss: 0.1, 'reward/mean': 0.5 },
      { step: 10n, phase: 'train', missing: 1n, loss: null, 'reward/mean': 0.6 },
    ]);
  });

  it('--records steps on an event log writes the summarized steps: sample statistics beside the trainer\'s metrics', async () => {
    const out = join(dir, 'steps.parquet');
    const result = await cli(['export', run, '-o', out, '--records', 'steps']);
    expect(result.code).toBe(0);
    expect(result.err).toContain('wrote 30 step records');
    const { types, rows } = await readParquet(out);
    for (const column of ['reward/mean', 'reward/std', 'reward/group_std', 'reward/format/mean', 'length/mean', 'groups/zero_std_frac', 'samples', 'kl', 'entropy', 'grad_norm', 'loss']) {
      expect(types[column], column).toBe('DOUBLE');
    }
    expect(types['step']).toBe('INT64');
    expect(rows.map((row) => row['step'])).toEqual(Array.from({ length: 30 }, (_, k) => BigInt(k)));
    // Against the events of one step, recomputed here.
    const eventsOut = join(dir, 'step-events.parquet');
    expect((await cli(['export', run, '-o', eventsOut])).code).toBe(0);
    const events = (await readParquet(eventsOut)).rows.filter((row) => row['step'] === 7n);
    const rewards = events.map((row) => row['reward'] as number);
    const step7 = rows[7]!;
    expect(step7['samples']).toBe(64);
    expect(step7['reward/mean']).toBeCloseTo(rewards.reduce((a, b) => a + b, 0) / 64, 12);
    expect(step7['length/mean']).toBeCloseTo(events.reduce((a, row) => a + (row['length'] as number), 0) / 64, 9);
    expect(typeof step7['entropy']).toBe('number');
    // --last counts the summarized steps.
    const tail = join(dir, 'tail.csv');
    expect((await cli(['export', run, '-o', tail, '--records', 'steps', '--last', '3'])).code).toBe(0);
    const lines = readFileSync(tail, 'utf8').trimEnd().split('\r\n');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['27', '28', '29']);
    expect(lines[0]!.split(',')).toEqual(expect.arrayContaining(['reward/mean', 'length/mean', 'samples', 'entropy']));
  });
});
