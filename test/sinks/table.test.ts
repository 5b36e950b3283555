import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, csvRecord, csvSink, parquetSink, type TableColumn } from '../../src/sinks/table.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goodhart-table-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A plain RFC 4180 reader (section 2 grammar), the oracle for the writer. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let k = 0;
  while (k < text.length) {
    if (text[k] === '"') {
      k++;
      for (;;) {
        if (text[k] === '"' && text[k + 1] === '"') {
          field += '"';
          k += 2;
        } else if (text[k] === '"') {
          k++;
          break;
        } else field += text[k++]!;
      }
    } else if (text[k] === ',') {
      record.push(field);
      field = '';
      k++;
    } else if (text[k] === '\r' && text[k + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      k += 2;
    } else field += text[k++]!;
  }
  return records;
}

describe('csvField (RFC 4180 section 2)', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['comma', 'a,b', '"a,b"'],
    ['quote doubled', 'say "hi"', '"say ""hi"""'],
    ['line break', 'a\nb', '"a\nb"'],
    ['CR', 'a\rb', '"a\rb"'],
    ['leading space kept by quoting', ' a', '" a"'],
    ['number', 0.25, '0.25'],
    ['missing', undefined, ''],
    ['NaN is missing', Number.NaN, ''],
    ['Infinity is missing', Number.POSITIVE_INFINITY, ''],
  ])('%s', (_name, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('ends each record with CRLF', () => {
    expect(csvRecord(['a', 1, undefined])).toBe('a,1,\r\n');
  });

  it('round-trips any text through an RFC 4180 reader', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é') }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((row) => Array.from({ length: width }, (_, k) => row[k] ?? ''));
        // A record of one empty field is an empty line, which RFC 4180 cannot tell from no field.
        fc.pre(width > 1 || table.every((row) => row[0] !== ''));
        expect(parseCsv(table.map((row) => csvRecord(row)).join(''))).toEqual(table);
      }),
    );
  });
});

const columns: TableColumn[] = [
  { name: 'step', type: 'number' },
  { name: 'reward', type: 'number' },
  { name: 'response', type: 'string' },
];
const rows = Array.from({ length: 10 }, (_, k) => ({ step: k, reward: k % 3 === 0 ? undefined : k / 10, response: k === 4 ? undefined : `r${k}, "q"\n` }));

describe('csvSink', () => {
  it('writes the header and rows, missing cells empty', async () => {
    const path = join(dir, 'rows.csv');
    const sink = csvSink(path, columns);
    for (const row of rows) sink.row(row);
    expect(await sink.close()).toEqual({ rows: 10 });
    const parsed = parseCsv(readFileSync(path, 'utf8'));
    expect(parsed[0]).toEqual(['step', 'reward', 'response']);
    expect(parsed.slice(1)).toEqual(rows.map((row) => [String(row.step), row.reward === undefined ? '' : String(row.reward), row.response ?? '']));
  });

  it('rejects close() when the disk is full', async () => {
    if (!existsSync('/dev/full')) return;
    const sink = csvSink('/dev/full', columns);
    for (let k = 0; k < 5000; k++) sink.row({ step: k, response: 'x'.repeat(100) });
    await expect(sink.close()).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});

describe('parquetSink', () => {
  it('writes row groups of the configured size that hyparquet reads back, nulls included', async () => {
    const path = join(dir, 'rows.parquet');
    const sink = parquetSink(path, columns, { rowGroupSize: 3 });
    for (const row of rows) sink.row(row);
    expect(await sink.close()).toEqual({ rows: 10 });
    const bytes = readFileSync(path);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(parquetMetadata(buffer).row_groups.map((group) => Number(group.num_rows))).toEqual([3, 3, 3, 1]);
    const back = await parquetReadObjects({ file: buffer });
    expect(back).toEqual(rows.map((row) => ({ step: row.step, reward: row.reward ?? null, response: row.response ?? null })));
  });

  it('writes integer columns as INT64 that read back as integers, nulls included', async () => {
    const path = join(dir, 'integers.parquet');
    const sink = parquetSink(path, [
      { name: 'step', type: 'integer' },
      { name: 'missing', type: 'integer' },
      { name: 'reward', type: 'number' },
    ]);
    sink.row({ step: 0, missing: 2, reward: 1 });
    sink.row({ step: 2 ** 40, reward: 0.5 });
    await sink.close();
    const bytes = readFileSync(path);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(parquetMetadata(buffer).schema.slice(1).map((element) => [element.name, element.type])).toEqual([
      ['step', 'INT64'],
      ['missing', 'INT64'],
      ['reward', 'DOUBLE'],
    ]);
    expect(await parquetReadObjects({ file: buffer })).toEqual([
      { step: 0n, missing: 2n, reward: 1 },
      { step: 2n ** 40n, missing: null, reward: 0.5 },
    ]);
  });

  it('refuses a value that is not a safe integer in an integer column, naming the column', async () => {
    const sink = parquetSink(join(dir, 'fraction.parquet'), [{ name: 'step', type: 'integer' }]);
    expect(() => {
      sink.row({ step: 1.5 });
    }).toThrow('parquet column "step" holds integers, got 1.5');
    expect(await sink.close()).toEqual({ rows: 0 });
  });

  it('writes an empty table with its columns', async () => {
    const path = join(dir, 'empty.parquet');
    expect(await parquetSink(path, columns).close()).toEqual({ rows: 0 });
    const bytes = readFileSync(path);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(Number(metadata.num_rows)).toBe(0);
    expect(metadata.schema.slice(1).map((element) => element.name)).toEqual(['step', 'reward', 'response']);
  });
});
