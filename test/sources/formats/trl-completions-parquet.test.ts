import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { trlCompletionsParquet, trlCompletionsParquetFormat } from '../../../src/sources/formats/trl-completions-parquet.js';
import { eventsOf, problemsOf, runWhole } from './run-format.js';

// No real TRL completions parquet is in ../shared/realdata, so files are written here the way
// TRL v0.28 writes them (pandas.to_parquet of step, prompt, completion, one column per reward
// function, extra columns, advantage; step as int64), with hyparquet-writer, into a temp dir.
const dir = mkdtempSync(join(tmpdir(), 'goodhart-parquet-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const writeParquet = (name: string, columnData: ColumnSource[]): Uint8Array => {
  const path = join(dir, name);
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData })));
  return readFileSync(path);
};

const trlTable = (): ColumnSource[] => [
  { name: 'step', data: [10n, 10n, 10n, 10n], type: 'INT64' },
  { name: 'prompt', data: ['What is 2+2?', 'What is 2+2?', 'Name a prime.', 'Name a prime.'], type: 'STRING' },
  { name: 'completion', data: ['<answer>4</answer>', 'four', '<answer>7</answer>', 'é😀'], type: 'STRING' },
  { name: 'accuracy_reward', data: [1, 0, 1, 0], type: 'DOUBLE' },
  { name: 'format_reward', data: [0.5, 0, 0.5, Number.NaN], type: 'DOUBLE' },
  { name: 'source', data: ['gsm8k', 'gsm8k', 'math', 'math'], type: 'STRING' },
  { name: 'advantage', data: [0.7, -0.7, 0.9, -0.9], type: 'DOUBLE' },
];

describe('trlCompletionsParquet (round trip through hyparquet-writer)', () => {
  it('reads one event per row: reward = sum of reward columns, group = prompt, advantage in meta', async () => {
    const bytes = writeParquet('completions_00010.parquet', trlTable());
    expect(trlCompletionsParquet.detect(new TextDecoder().decode(bytes.subarray(0, 4096)))).toBe(true);
    const items = await runWhole(trlCompletionsParquet, bytes, 'completions_00010.parquet');
    expect(problemsOf(items)).toEqual([]);
    const events = eventsOf(items);
    expect(events.map((e) => [e.step, e.reward, e.response, e.length])).toEqual([
      [10, 1.5, '<answer>4</answer>', 18],
      [10, 0, 'four', 4],
      [10, 1.5, '<answer>7</answer>', 18],
      [10, 0, 'é😀', 2], // NaN format reward left out of the sum, as TRL's nansum does
    ]);
    expect(events[0]?.components).toEqual({ accuracy_reward: 1, format_reward: 0.5 });
    expect(events[3]?.components).toEqual({ accuracy_reward: 0 });
    expect(events[0]?.group).toBe(events[1]?.group);
    expect(events[0]?.group).not.toBe(events[2]?.group);
    expect(events[0]?.prompt).toBe('What is 2+2?');
    expect(events[1]?.meta).toEqual({ advantage: -0.7, source: 'gsm8k' });
  });

  it('takes a reward column as the total, and only the named reward columns when configured', async () => {
    const table = trlTable();
    table.push({ name: 'reward', data: [2, 0, 2, 0.25], type: 'DOUBLE' }, { name: 'difficulty', data: [3, 3, 5, 5], type: 'DOUBLE' });
    const bytes = writeParquet('with-reward.parquet', table);
    const inferred = eventsOf(await runWhole(trlCompletionsParquet, bytes));
    expect(inferred.map((e) => e.reward)).toEqual([2, 0, 2, 0.25]);
    expect(inferred[0]?.components).toEqual({ accuracy_reward: 1, format_reward: 0.5, difficulty: 3 });
    const named = eventsOf(await runWhole(trlCompletionsParquetFormat({ rewardColumns: ['accuracy_reward'] }), bytes));
    expect(named[0]?.components).toEqual({ accuracy_reward: 1 });
    expect(named[0]?.meta).toEqual({ advantage: 0.7, format_reward: 0.5, source: 'gsm8k', difficulty: 3 });
    expect(() => trlCompletionsParquetFormat({ rewardColumns: ['step'] })).toThrow(RangeError);
  });

  it('reports rows without a step and keeps the rest', async () => {
    const bytes = writeParquet('null-step.parquet', [
      { name: 'step', data: [5n, null], type: 'INT64', nullable: true },
      { name: 'prompt', data: ['p', 'p'], type: 'STRING' },
      { name: 'completion', data: ['a', 'b'], type: 'STRING' },
      { name: 'r', data: [1, 0], type: 'DOUBLE' },
    ]);
    const items = await runWhole(trlCompletionsParquet, bytes, 'x.parquet');
    expect(eventsOf(items).map((e) => [e.step, e.response])).toEqual([[5, 'a']]);
    expect(problemsOf(items).map((p) => [p.source, p.line, p.reason])).toEqual([['x.parquet', 0, 'row 1 has no numeric "step"']]);
  });

  it('reports a corrupt or truncated file as one problem', async () => {
    const bytes = writeParquet('cut.parquet', trlTable());
    const items = await runWhole(trlCompletionsParquet, bytes.subarray(0, bytes.length - 20), 'cut.parquet');
    expect(eventsOf(items)).toEqual([]);
    expect(problemsOf(items)).toHaveLength(1);
    expect(problemsOf(items)[0]?.reason).toMatch(/^unreadable parquet: /);
  });
});
