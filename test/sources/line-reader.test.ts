import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { LineSplitter, readLines, UnreadableInputError, type LineItem } from '../../src/sources/line-reader.js';
import type { InputProblem } from '../../src/core/types.js';

const dir = mkdtempSync(join(tmpdir(), 'goodhart-lines-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function file(content: string | Uint8Array): string {
  const path = join(dir, `f${fileCount++}.txt`);
  writeFileSync(path, content);
  return path;
}

/** Lines with their numbers, and problems, from a list of items. */
function flatten(items: readonly LineItem[]): { lines: [number, string][]; problems: InputProblem[] } {
  const lines: [number, string][] = [];
  const problems: InputProblem[] = [];
  for (const item of items) {
    if (item.kind === 'lines') item.lines.forEach((text, k) => lines.push([item.firstLine + k, text]));
    else problems.push(item.problem);
  }
  return { lines, problems };
}

/** What a plain whole-text split says the lines are (the oracle); a leading byte order mark is not text. */
function oracle(text: string): [number, string][] {
  if (text === '') return [];
  const parts = text.replace(/^\uFEFF/, '').split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.map((line, k) => [k + 1, line.endsWith('\r') ? line.slice(0, -1) : line]);
}

/** Splits `bytes` with the splitter, cutting it into chunks at the given offsets. */
function splitAt(bytes: Uint8Array, cuts: readonly number[], maxLineBytes?: number): LineItem[] {
  const splitter = new LineSplitter('mem', maxLineBytes);
  const items: LineItem[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    items.push(...splitter.push(bytes.subarray(from, cut)));
    from = cut;
  }
  items.push(...splitter.end());
  return items;
}

const read = (path: string, config = {}): Promise<LineItem[]> => lastValueFrom(readLines(path, config).pipe(toArray()));

describe('LineSplitter', () => {
  const text = '{"step":1}\r\nα β γ — 日本語 😀\n\nlast line without newline';
  const bytes = new TextEncoder().encode(text);

  it('splits the same way at every chunk boundary (CRLF, multibyte UTF-8, blank line, no final newline)', () => {
    const expected = oracle(text);
    expect(expected).toHaveLength(4);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(flatten(splitAt(bytes, [cut])).lines, `cut at byte ${cut}`).toEqual(expected);
    }
  });

  it('splits the same way for every chunk size from 1 byte up', () => {
    for (let size = 1; size <= bytes.length; size++) {
      const cuts: number[] = [];
      for (let at = size; at < bytes.length; at += size) cuts.push(at);
      expect(flatten(splitAt(bytes, cuts)).lines, `chunks of ${size} bytes`).toEqual(oracle(text));
    }
  });

  it('agrees with a whole-text split for any text and any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('\n', '\r\n', '\r', '😀', 'é')), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (pieces, rawCuts) => {
          const source = pieces.join('');
          const encoded = new TextEncoder().encode(source);
          const cuts = [...new Set(rawCuts.map((cut) => cut % (encoded.length + 1)))].sort((a, b) => a - b);
          expect(flatten(splitAt(encoded, cuts)).lines).toEqual(oracle(source));
        },
      ),
    );
  });

  it('drops a byte order mark from line 1 at every chunk boundary, and only from line 1', () => {
    const input = Buffer.from('\uFEFF{"step":1}\n\uFEFFnot a mark here\n', 'utf8');
    expect([...input.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    for (let cut = 0; cut <= input.length; cut++) {
      expect(flatten(splitAt(input, [cut])).lines, `cut at byte ${cut}`).toEqual([
        [1, '{"step":1}'],
        [2, '\uFEFFnot a mark here'],
      ]);
    }
    expect(flatten(splitAt(Buffer.from('\uFEFFonly line, no newline'), [2])).lines).toEqual([[1, 'only line, no newline']]);
  });

  it('drops the mark again when a reset starts the numbering over (a truncated or replaced file)', () => {
    const splitter = new LineSplitter('mem');
    splitter.push(Buffer.from('\uFEFFa\nb\n'));
    splitter.reset();
    expect(splitter.push(Buffer.from('\uFEFFc\n'))).toEqual([{ kind: 'lines', firstLine: 1, lines: ['c'] }]);
  });

  it('numbers lines from 1 across batches and emits one batch per chunk', () => {
    const splitter = new LineSplitter('mem');
    expect(splitter.push(Buffer.from('a\nb\nc'))).toEqual([{ kind: 'lines', firstLine: 1, lines: ['a', 'b'] }]);
    expect(splitter.pendingBytes).toBe(1);
    expect(splitter.push(Buffer.from('d\ne\n'))).toEqual([{ kind: 'lines', firstLine: 3, lines: ['cd', 'e'] }]);
    expect(splitter.linesRead).toBe(4);
    expect(splitter.end()).toEqual([]);
  });

  it('skips a line over the cap with a problem, keeping the lines around it and their numbers', () => {
    const long = 'x'.repeat(100);
    const input = Buffer.from(`ok1\n${long}\nok3\n`);
    for (let cut = 0; cut <= input.length; cut += 7) {
      const { lines, problems } = flatten(splitAt(input, [cut], 50));
      expect(lines, `cut ${cut}`).toEqual([
        [1, 'ok1'],
        [3, 'ok3'],
      ]);
      expect(problems).toEqual([{ source: 'mem', line: 2, reason: 'line of 100 bytes exceeds the 50-byte limit (maxLineBytes); skipped', excerpt: `${'x'.repeat(80)}…` }]);
    }
  });

  it('reports an over-long last line without newline at the end', () => {
    const { lines, problems } = flatten(splitAt(Buffer.from(`a\n${'y'.repeat(20)}`), [], 10));
    expect(lines).toEqual([[1, 'a']]);
    expect(problems.map((problem) => problem.line)).toEqual([2]);
  });

  it('keeps a line exactly at the cap', () => {
    expect(flatten(splitAt(Buffer.from(`${'z'.repeat(10)}\n`), [3], 10)).lines).toEqual([[1, 'z'.repeat(10)]]);
  });

  it('restarts numbering and drops the partial line on reset', () => {
    const splitter = new LineSplitter('mem');
    splitter.push(Buffer.from('a\npartial'));
    splitter.reset();
    expect(splitter.push(Buffer.from('b\n'))).toEqual([{ kind: 'lines', firstLine: 1, lines: ['b'] }]);
  });

  it('rejects a bad cap when constructed', () => {
    expect(() => new LineSplitter('mem', 0)).toThrow(RangeError);
  });
});

describe('readLines', () => {
  it('reads a file with a small chunk size exactly like a whole-text split', async () => {
    const text = Array.from({ length: 200 }, (_, k) => `{"step":${k},"text":"é😀${'ab'.repeat(k % 7)}"}`).join('\r\n');
    const path = file(text);
    for (const chunkBytes of [1, 3, 16, 1 << 20]) {
      expect(flatten(await read(path, { chunkBytes })).lines).toEqual(oracle(text));
    }
  });

  it('reads many chunks at a time but batches lines one chunk at a time (a batch\'s records stay young)', async () => {
    const text = Array.from({ length: 2000 }, (_, k) => `line ${k}`).join('\n');
    const items = await read(file(text), { chunkBytes: 64 });
    expect(flatten(items).lines).toEqual(oracle(text));
    const batchBytes = items.map((item) => (item.kind === 'lines' ? item.lines.reduce((sum, line) => sum + line.length + 1, 0) : 0));
    // A batch holds the lines completed by one 64-byte chunk: at most 64 bytes plus the line carried into it.
    expect(Math.max(...batchBytes)).toBeLessThanOrEqual(64 + 'line 1999'.length);
    expect(items.length).toBeGreaterThanOrEqual(text.length / 64 - 1);
  });

  it('completes with nothing for an empty file', async () => {
    expect(await read(file(''))).toEqual([]);
  });

  it('survives a 50 MB line under the default 16 MiB cap and keeps the lines after it', async () => {
    const path = join(dir, 'huge.jsonl');
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x61);
    writeFileSync(path, Buffer.concat([Buffer.from('first\n'), huge, Buffer.from('\nafter\n')]));
    const { lines, problems } = flatten(await read(path));
    expect(lines).toEqual([
      [1, 'first'],
      [3, 'after'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(2);
    expect(problems[0]!.reason).toBe('line of 52428800 bytes exceeds the 16777216-byte limit (maxLineBytes); skipped');
    expect(problems[0]!.excerpt).toBe(`${'a'.repeat(80)}…`);
    rmSync(path);
  });

  it('escapes binary garbage in the excerpt of an over-long line', async () => {
    const garbage = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x07]);
    const { problems } = flatten(await read(file(Buffer.concat([garbage, Buffer.from('\n')])), { maxLineBytes: 4 }));
    expect(problems[0]!.excerpt).toBe('\\u0000\\u0001\\u0002\uFFFD\uFFFD\\u001b[31m\\u0007');
  });

  it('stops reading and closes the file when unsubscribed (an interrupted replay)', async () => {
    const path = file(Array.from({ length: 1000 }, (_, k) => `line ${k}`).join('\n'));
    const isOpen = (): boolean =>
      readdirSync('/proc/self/fd').some((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      });
    const first = await firstValueFrom(readLines(path, { chunkBytes: 64 }).pipe(take(1)));
    expect(first).toEqual({ kind: 'lines', firstLine: 1, lines: Array.from({ length: 9 }, (_, k) => `line ${k}`) });
    for (let tries = 0; tries < 100 && isOpen(); tries++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(isOpen()).toBe(false);
  });

  it('errors with UnreadableInputError naming the file when it is missing or a directory', async () => {
    const missing = join(dir, 'nope.jsonl');
    await expect(read(missing)).rejects.toThrow(new UnreadableInputError(missing, 'no such file'));
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    await expect(read(folder)).rejects.toThrow(`${folder}: is a directory, not a file`);
  });

  it('rejects bad settings when called', () => {
    expect(() => readLines('x', { chunkBytes: 0 })).toThrow(RangeError);
    expect(() => readLines('x', { maxLineBytes: 1.5 })).toThrow(RangeError);
  });
});
