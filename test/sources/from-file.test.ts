import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { from, lastValueFrom, Observable, take, toArray } from 'rxjs';
import { detectFormat, formatByName, readHead } from '../../src/sources/detect-format.js';
import { fromFile, fromFiles, parseLines } from '../../src/sources/from-file.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { goodhartJsonl } from '../../src/sources/formats/goodhart-jsonl.js';
import { UnreadableInputError, type LineItem } from '../../src/sources/line-reader.js';
import { realdata, realdataDir } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'goodhart-from-file-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const all = (path: string, config = {}): Promise<Ingested[]> => lastValueFrom(fromFile(path, config).pipe(toArray()));
const problems = (items: readonly Ingested[]) => items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));
const steps = (items: readonly Ingested[]) =>
  items.flatMap((item) => (item.kind === 'event' ? [item.event.step] : item.kind === 'step' ? [item.record.step] : []));

describe('fromFile on goodhart JSONL', () => {
  it('reads events and step records, CRLF and a last line without newline', async () => {
    const path = file('ok.jsonl', '{"step":1,"reward":0.5}\r\n{"step":1,"metrics":{"kl":0.1}}\r\n{"step":2,"reward":1}');
    const items = await all(path);
    expect(items).toEqual([
      { kind: 'event', event: { step: 1, reward: 0.5 } },
      { kind: 'step', record: { step: 1, metrics: { kl: 0.1 } } },
      { kind: 'event', event: { step: 2, reward: 1 } },
    ]);
  });

  it('reports every malformed kind with file, line, reason and excerpt, and keeps every good line', async () => {
    const good = (step: number) => `{"step":${step},"reward":0.5}`;
    const lines = [
      good(1),
      '{"step":2,"rew', // truncated JSON
      good(2),
      '\u0000\u0007\u00ff\u00fe garbage', // binary garbage
      '{"step":3,"reward":[1]}', // wrong type
      good(3),
      '{"step":3,"metrics":{"loss":1}}',
      '{"step":3,"metrics":{"loss":2}}', // duplicate step record
      good(1), // steps going backwards
      good(4),
    ];
    const binary = Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from([0x0a, 0xc3, 0x28, 0xff, 0x0a]), Buffer.from(good(5))]);
    const path = file('bad.jsonl', binary);
    const items = await all(path, { chunkBytes: 7 });
    expect(steps(items)).toEqual([1, 2, 3, 3, 3, 1, 4, 5]);
    const found = problems(items);
    expect(found.map((problem) => [problem.line, problem.reason.split(':')[0]])).toEqual([
      [2, 'not valid JSON'],
      [4, 'not valid JSON'],
      [5, 'field "reward"'],
      [8, 'duplicate train step 3 (also at line 7); both kept, the later wins'],
      [9, 'event step went backwards'],
      [11, 'not valid JSON'],
    ]);
    for (const problem of found) {
      expect(problem.source).toBe(path);
      expect(problem.excerpt.length).toBeGreaterThan(0);
    }
    expect(found[1]!.excerpt).toBe('\\u0000\\u0007\u00ff\u00fe garbage');
  });

  it('survives a 50 MB line: reported, skipped, the lines around it kept', async () => {
    const path = file('huge.jsonl', Buffer.concat([Buffer.from('{"step":1,"reward":1}\n{"step":2,"response":"'), Buffer.alloc(50 * 1024 * 1024, 0x78), Buffer.from('"}\n{"step":3,"reward":0}\n')]));
    const items = await all(path);
    expect(steps(items)).toEqual([1, 3]);
    expect(problems(items).map((problem) => [problem.line, problem.reason])).toEqual([[2, `line of ${50 * 1024 * 1024 + 24} bytes exceeds the ${16 * 1024 * 1024}-byte limit (maxLineBytes); skipped`]]);
    rmSync(path);
  });

  it('reads a 50 MB line whole when the cap allows it', async () => {
    const path = file('huge-ok.jsonl', Buffer.concat([Buffer.from('{"step":2,"reward":1,"response":"'), Buffer.alloc(50 * 1024 * 1024, 0x79), Buffer.from('"}\n')]));
    const items = await all(path, { maxLineBytes: 64 * 1024 * 1024 });
    expect(items).toHaveLength(1);
    expect(items[0]!.kind === 'event' && items[0]!.event.response?.length).toBe(50 * 1024 * 1024);
    rmSync(path);
  });

  it('reports an empty file once and completes', async () => {
    const path = file('empty.jsonl', '');
    expect(await all(path)).toEqual([{ kind: 'problem', problem: { source: path, line: 0, reason: 'file is empty', excerpt: '' } }]);
    expect(await all(path, { format: 'goodhart-jsonl' })).toEqual([]);
  });

  it('errors with UnreadableInputError for a missing file and for an unknown format', async () => {
    await expect(all(join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(UnreadableInputError);
    const path = file('notes.txt', 'just some notes\nnothing a trainer wrote\n');
    await expect(all(path)).rejects.toThrow(/notes\.txt: unknown input format; the file starts with "just some notes\\nnothing/);
  });

  it('obeys an explicit format over detection, and rejects an unknown name at call time', async () => {
    const path = file('forced.txt', 'just some notes\n{"step":1,"reward":1}\n');
    const items = await all(path, { format: 'goodhart-jsonl' });
    expect(steps(items)).toEqual([1]);
    expect(problems(items).map((problem) => problem.line)).toEqual([1]);
    expect(() => fromFile(path, { format: 'csv' as never })).toThrow(/unknown format "csv"; known formats: .*goodhart-jsonl/);
  });

  it('reads whole-file formats whole', async () => {
    const items = await all(realdata('trl-grpo_qwen35_collapse_step_logs.json'));
    expect(items.filter((item) => item.kind === 'step').length).toBeGreaterThanOrEqual(40);
  });
});

describe('parseLines', () => {
  it('parses batches with one parser per subscription, ends it at completion, and restarts it on a restart item', async () => {
    const batches: LineItem[] = [
      { kind: 'lines', firstLine: 1, lines: ['{"step":5,"reward":1}', 'oops'] },
      { kind: 'restart', cause: 'truncated', problem: { source: 'f', line: 2, reason: 'file truncated', excerpt: '' } },
      { kind: 'lines', firstLine: 1, lines: ['{"step":1,"reward":0}'] },
    ];
    const parsed = from(batches).pipe(parseLines(goodhartJsonl, 'f'));
    const items = await lastValueFrom(parsed.pipe(toArray()));
    expect(steps(items)).toEqual([5, 1]);
    expect(problems(items).map((problem) => [problem.line, problem.reason.slice(0, 14)])).toEqual([
      [2, 'not valid JSON'],
      [2, 'file truncated'],
    ]);
    expect(await lastValueFrom(parsed.pipe(toArray()))).toEqual(items);
  });

  it('stops a synchronous source when unsubscribed', async () => {
    let produced = 0;
    const endless = new Observable<LineItem>((subscriber) => {
      for (let line = 1; !subscriber.closed && line < 1e6; line++) {
        produced++;
        subscriber.next({ kind: 'lines', firstLine: line, lines: [`{"step":${line},"reward":1}`] });
      }
    });
    expect(await lastValueFrom(endless.pipe(parseLines(goodhartJsonl, 'f'), take(2), toArray()))).toHaveLength(2);
    expect(produced).toBe(2);
  });
});

describe('fromFile on TRL console output', () => {
  // Dicts printed with no progress bar (tqdm disabled, or stdout captured alone): no step to read off a bar.
  const noBar = ['***** Running training *****', "{'loss': 0.5, 'reward': 0.1}", "{'loss': 0.4, 'reward': 0.2}", "{'loss': 0.3, 'reward': 0.3}"].join('\n');

  it('numbers dicts without a bar by loggingSteps, detected or named, and leaves other formats alone', async () => {
    const path = file('trl_stdout.log', noBar);
    expect(steps(await all(path))).toEqual([1, 2, 3]);
    expect(steps(await all(path, { loggingSteps: 5 }))).toEqual([5, 10, 15]);
    expect(steps(await all(path, { format: 'trl-stdout', loggingSteps: 5 }))).toEqual([5, 10, 15]);
    expect(steps(await all(file('other.jsonl', '{"step":3,"reward":1}'), { loggingSteps: 5 }))).toEqual([3]);
  });

  it('rejects a bad loggingSteps at call time', () => {
    expect(() => fromFile(file('bad_interval.log', noBar), { loggingSteps: 0 })).toThrow(RangeError);
  });
});

describe('fromFiles', () => {
  it('merges ranks by step', async () => {
    const rank0 = file('rank0.jsonl', [1, 2, 4, 7].map((step) => `{"step":${step},"reward":0}`).join('\n'));
    const rank1 = file('rank1.jsonl', [1, 3, 5, 6].map((step) => `{"step":${step},"reward":1}`).join('\n'));
    const items = await lastValueFrom(fromFiles([rank0, rank1]).pipe(toArray()));
    expect(steps(items)).toEqual([1, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('format detection on real trainer files', () => {
  const expected: Record<string, string> = {
    'trl-grpo_completions_5components.jsonl': 'sample-components-jsonl',
    'trl-grpo_multicomponent_trainer_state.json': 'trl-trainer-state',
    'trl-grpo_qwen35_collapse_step_logs.json': 'trl-log-history',
    'trl-grpo_qwen35_saturation_step_logs.json': 'trl-log-history',
    'trl-grpo_stdout_rho0.10_seed42.log': 'trl-stdout',
    'verl-gpg_qwen2-7b_math_length_explosion.log': 'verl-console',
    'verl-ppo_gemma-2-2b_gsm8k_healthy.log': 'verl-console',
    'verl-rollout_sdpo_step1_head.jsonl': 'verl-rollout-jsonl',
  };

  it('names every data file in realdata', () => {
    const data = readdirSync(realdataDir).filter((name) => !name.endsWith('.md') && !name.startsWith('LICENSE'));
    expect(data.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, format] of Object.entries(expected)) {
    it(`detects ${name} as ${format}`, async () => {
      expect(detectFormat(await readHead(realdata(name)))?.name).toBe(format);
    });
  }

  it('detects none of the documentation files', async () => {
    expect(detectFormat(await readHead(realdata('PROVENANCE.md')))).toBeUndefined();
    expect(detectFormat(await readHead(realdata('LICENSE.verldata-MIT.txt')))).toBeUndefined();
  });

  // Python's utf-8-sig codec and Windows editors write a byte order mark first; it is not text.
  for (const name of Object.keys(expected)) {
    it(`reads ${name} the same with a byte order mark in front`, async () => {
      const plain = await all(realdata(name));
      const marked = file(`bom-${name}`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(realdata(name))]));
      const items = await all(marked);
      expect(items.map((item) => (item.kind === 'problem' ? { ...item, problem: { ...item.problem, source: realdata(name) } } : item))).toEqual(plain);
    });
  }

  it('detects and reads JSONL that starts with a byte order mark, its first line included', async () => {
    const cases: [string, string][] = [
      ['goodhart-jsonl', '{"step":0,"reward":1}\n{"step":1,"reward":0}\n'],
      ['verl-file-jsonl', '{"step":0,"data":{"critic/kl":0.1}}\n{"step":1,"data":{"critic/kl":0.2}}\n'],
      ['verl-rollout-jsonl', '{"input":"q","output":"a","score":1,"step":0}\n{"input":"q","output":"b","score":0,"step":1}\n'],
      ['sample-components-jsonl', '{"scalar_reward":1,"format_component":1,"completion":"a","step":0}\n{"scalar_reward":0,"format_component":0,"completion":"b","step":1}\n'],
    ];
    for (const [format, text] of cases) {
      const path = file(`bom-${format}.jsonl`, `\uFEFF${text}`);
      expect(detectFormat(await readHead(path))?.name, format).toBe(format);
      const items = await all(path);
      expect(problems(items), format).toEqual([]);
      expect(steps(items), format).toEqual([0, 1]);
    }
  });

  it('detects goodhart JSONL and finds formats by name', () => {
    expect(detectFormat('{"step":0,"reward":1}\n')?.name).toBe('goodhart-jsonl');
    expect(formatByName('verl-console').kind).toBe('lines');
  });
});
