/**
 * Table sinks for `goodhart export`: rows of named columns written as CSV (RFC 4180) or Parquet
 * (hyparquet-writer). Both are push sinks fed one row at a time from a stream, and both keep
 * memory bounded: CSV writes in 64 KiB batches, Parquet in row groups of `rowGroupSize` rows.
 */
import { createWriteStream } from 'node:fs';
import { fileWriter, ParquetWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';

/**
 * A column: its name and whether it holds numbers, integers (steps, counts) or text. Missing cells
 * are null/empty. Parquet stores `number` as DOUBLE and `integer` as INT64, so readers get an
 * integer type back (pandas int64, DuckDB BIGINT; hyparquet reads INT64 as bigint).
 */
export interface TableColumn {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'string';
}

/** One row: column name -> value; absent or undefined cells are missing. */
export type TableRow = Readonly<Record<string, string | number | undefined>>;

/** Receives rows, then `close()` writes what is pending and reports how many rows were written. */
export interface TableSink {
  row(row: TableRow): void;
  close(): Promise<{ readonly rows: number }>;
}

/**
 * One CSV field per RFC 4180: quoted (quotes doubled) when it holds a quote, comma, CR or LF, or
 * starts or ends with white space; missing and non-finite numbers are empty fields.
 *
 * @example csvField('say "hi", then go') // '"say ""hi"", then go"'
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record with its CRLF line break (RFC 4180 section 2). */
export function csvRecord(fields: readonly (string | number | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const CSV_BATCH_CHARS = 1 << 16;

/**
 * CSV with a header row. Text is written verbatim, model output included: a spreadsheet that
 * evaluates cells starting with `=`, `+`, `-` or `@` will evaluate them, so import untrusted
 * exports as text. A write error (full disk) rejects `close()`.
 */
export function csvSink(path: string, columns: readonly TableColumn[]): TableSink {
  const stream = createWriteStream(path);
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  let rows = 0;
  let batch = csvRecord(columns.map((column) => column.name));
  return {
    row(row) {
      batch += csvRecord(columns.map((column) => row[column.name]));
      rows++;
      if (batch.length >= CSV_BATCH_CHARS && failure === undefined) {
        stream.write(batch);
        batch = '';
      }
    },
    async close() {
      // 'close' follows 'finish' or 'error' (autoDestroy), so a failed write is known by then.
      await new Promise<void>((resolve) => {
        if (stream.closed) {
          resolve();
          return;
        }
        stream.once('close', resolve);
        stream.end(failure === undefined ? batch : '');
      });
      if (failure !== undefined) throw failure;
      return { rows };
    },
  };
}

export interface ParquetSinkConfig {
  /** Rows per row group (the memory bound). Default 65,536. */
  readonly rowGroupSize?: number;
}

const PARQUET_TYPES = { number: 'DOUBLE', integer: 'INT64', string: 'STRING' } as const;

/**
 * Parquet: numbers as nullable DOUBLE, integers as nullable INT64, text as nullable UTF-8 strings,
 * snappy-compressed. A value of an `integer` column that is not a safe integer throws a RangeError
 * naming the column.
 */
export function parquetSink(path: string, columns: readonly TableColumn[], config: ParquetSinkConfig = {}): TableSink {
  const groupRows = config.rowGroupSize ?? 65_536;
  const sources = (data: (string | number | bigint | null)[][]): ColumnSource[] =>
    columns.map((column, k) => ({ name: column.name, data: data[k]!, type: PARQUET_TYPES[column.type], nullable: true }));
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: schemaFromColumnData({ columnData: sources(columns.map(() => [])) }),
    createdBy: 'goodhart',
  });
  let pending: (string | number | bigint | null)[][] = columns.map(() => []);
  let buffered = 0;
  let rows = 0;
  const flush = (): void => {
    if (buffered === 0) return;
    void writer.write({ columnData: sources(pending), rowGroupSize: buffered });
    pending = columns.map(() => []);
    buffered = 0;
  };
  return {
    row(row) {
      for (let k = 0; k < columns.length; k++) {
        const column = columns[k]!;
        const value = row[column.name];
        if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) pending[k]!.push(null);
        else if (column.type === 'integer') pending[k]!.push(int64(value, column.name));
        else pending[k]!.push(value);
      }
      rows++;
      if (++buffered === groupRows) flush();
    },
    async close() {
      flush();
      await writer.finish();
      return { rows };
    },
  };
}

/** An INT64 cell: the writer takes bigints; anything but a safe integer would lose its value. */
function int64(value: string | number, column: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`parquet column "${column}" holds integers, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
  }
  return BigInt(value);
}
