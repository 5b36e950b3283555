/**
 * Fast line reading for log files: large reads (256 KiB) split by hand on the byte 0x0A, with no
 * `readline`. Splitting bytes rather than text is exact for UTF-8, whose multibyte sequences never
 * contain 0x0A, so a character cut by a chunk edge is rejoined before decoding. Lines travel in
 * batches (one per 64 KiB chunk by default) so a 1 GB replay pays the Observable cost per chunk,
 * not per line.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { defer, from, type Observable } from 'rxjs';
import type { InputProblem } from '../core/types.js';
import { excerpt } from './excerpt.js';

/**
 * Default bytes per batch of lines, 64 KiB: a batch's lines and parsed records live until the
 * detectors have seen them all, so a bigger batch gets them promoted to the old generation and
 * grows the heap (1 MiB batches: peak RSS ~150-170 MB on a 10^6-event audit, 64 KiB: ~139 MB).
 */
export const DEFAULT_CHUNK_BYTES = 1 << 16;
/**
 * Bytes per read of a replay, 256 KiB (at least one chunk): each asynchronous read is a round
 * trip through libuv's thread pool, and at 64 KiB per read those round trips cost as much CPU as
 * the splitting and decoding (`readLines` over an 822 MB file, medians of 5 interleaved: 836 ms
 * of CPU with 64 KiB reads, 424 ms with 256 KiB, 428 ms with 1 MiB). The read buffers are only
 * bytes; the lines are still cut and batched one chunk at a time, so the records' lifetime is
 * unchanged.
 */
const READ_BYTES = 1 << 18;
/**
 * Default longest line kept, in bytes (16 MiB). A longer line is reported as a problem and
 * skipped up to its newline, buffering at most this many bytes, so one runaway line (a dumped
 * tensor, a binary blob) costs bounded memory and never ends the stream.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 << 20;

export interface LineReaderConfig {
  /** Bytes per batch of lines (a replay reads up to 256 KiB at a time and batches each chunk of it). Default `DEFAULT_CHUNK_BYTES` (64 KiB). */
  readonly chunkBytes?: number;
  /** Longest line kept, in bytes before its `\n` (a `\r` of CRLF counts). Default `DEFAULT_MAX_LINE_BYTES` (16 MiB). */
  readonly maxLineBytes?: number;
}

/**
 * What a line reader emits, in input order:
 * - `lines`: complete lines (without `\n` or `\r\n`), `lines[k]` being line `firstLine + k` (1-based);
 * - `problem`: a line over the length cap (skipped), or a notice about the file (deleted...);
 * - `restart`: (follow only) the file was truncated or replaced; numbering restarts at line 1 and
 *   a per-file parser should start afresh. `problem` says what happened.
 */
export type LineItem =
  | { readonly kind: 'lines'; readonly firstLine: number; readonly lines: readonly string[] }
  | { readonly kind: 'problem'; readonly problem: InputProblem }
  | { readonly kind: 'restart'; readonly cause: 'truncated' | 'replaced'; readonly problem: InputProblem };

/** A file that cannot be opened or read at all (missing, a directory, no permission). */
export class UnreadableInputError extends Error {
  override readonly name = 'UnreadableInputError';
  constructor(
    readonly source: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${reason}`, options);
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Bytes of an over-long line kept for its excerpt. */
const EXCERPT_BYTES = 256;

/**
 * Splits a byte stream into lines, chunk by chunk. Keeps the partial last line between chunks
 * (copied, so callers may reuse their read buffer) and at most `maxLineBytes` of it. Cost O(n)
 * over the bytes; one string per line.
 *
 * @example
 * const splitter = new LineSplitter('run.jsonl');
 * splitter.push(Buffer.from('{"step":1}\n{"st'));  // => [{ kind: 'lines', firstLine: 1, lines: ['{"step":1}'] }]
 * splitter.push(Buffer.from('ep":2}\n'));           // => [{ kind: 'lines', firstLine: 2, lines: ['{"step":2}'] }]
 */
export class LineSplitter {
  /** Number of the next line to complete (1-based). */
  private nextLine = 1;
  /** Pieces of the partial line carried over from earlier chunks. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Bytes of the current over-long line seen so far, or -1 when not skipping one. */
  private skippedBytes = -1;
  private skippedHead: Buffer = Buffer.alloc(0);
  private readonly maxLineBytes: number;

  constructor(
    readonly source: string,
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    checkPositiveInteger('maxLineBytes', maxLineBytes);
    this.maxLineBytes = maxLineBytes;
  }

  /** Lines completed so far in this file. */
  get linesRead(): number {
    return this.nextLine - 1;
  }

  /** Bytes held for a line whose newline has not arrived yet. */
  get pendingBytes(): number {
    return this.skippedBytes >= 0 ? this.skippedBytes : this.carryBytes;
  }

  /** Splits one chunk; returns the lines it completed (and any over-long line problems). */
  push(chunk: Uint8Array): LineItem[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const items: LineItem[] = [];
    let lines: string[] = [];
    let firstLine = this.nextLine;
    const flushBatch = (): void => {
      if (lines.length > 0) items.push({ kind: 'lines', firstLine, lines });
      lines = [];
    };
    let start = 0;
    const length = bytes.length;
    while (start < length) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline < 0 ? length : newline;
      if (this.skippedBytes >= 0 || this.carryBytes + end - start > this.maxLineBytes) {
        this.skip(bytes, start, end);
        if (newline < 0) break;
        flushBatch();
        items.push({ kind: 'problem', problem: this.overlongProblem() });
        firstLine = this.nextLine;
      } else if (newline < 0) {
        this.carry.push(Buffer.from(bytes.subarray(start, end)));
        this.carryBytes += end - start;
        break;
      } else if (this.carryBytes > 0) {
        this.carry.push(bytes.subarray(start, end));
        lines.push(this.decode(Buffer.concat(this.carry), 0, this.carryBytes + end - start));
        this.carry = [];
        this.carryBytes = 0;
        this.nextLine++;
      } else {
        lines.push(this.decode(bytes, start, end));
        this.nextLine++;
      }
      start = end + 1;
    }
    flushBatch();
    return items;
  }

  /** Ends the input: a final line without a newline is still a line (replays of a closed file). */
  end(): LineItem[] {
    if (this.skippedBytes >= 0) return [{ kind: 'problem', problem: this.overlongProblem() }];
    if (this.carryBytes === 0) return [];
    const last = this.decode(Buffer.concat(this.carry), 0, this.carryBytes);
    const item: LineItem = { kind: 'lines', firstLine: this.nextLine, lines: [last] };
    this.reset(this.nextLine + 1);
    return [item];
  }

  /** Drops any partial line and numbers the next line `nextLine` (1 after a truncation). */
  reset(nextLine = 1): void {
    this.nextLine = nextLine;
    this.carry = [];
    this.carryBytes = 0;
    this.skippedBytes = -1;
    this.skippedHead = Buffer.alloc(0);
  }

  /** The text of the line about to be numbered `nextLine`; line 1 loses a byte order mark. */
  private decode(bytes: Buffer, start: number, end: number): string {
    const text = decodeLine(bytes, start, end);
    return this.nextLine === 1 ? stripBom(text) : text;
  }

  private skip(bytes: Buffer, start: number, end: number): void {
    if (this.skippedBytes < 0) {
      this.skippedHead = Buffer.concat(this.carry).subarray(0, EXCERPT_BYTES);
      this.skippedBytes = this.carryBytes;
      this.carry = [];
      this.carryBytes = 0;
    }
    const room = EXCERPT_BYTES - this.skippedHead.length;
    if (room > 0) {
      this.skippedHead = Buffer.concat([this.skippedHead, bytes.subarray(start, Math.min(end, start + room))]);
    }
    this.skippedBytes += end - start;
  }

  private overlongProblem(): InputProblem {
    const problem: InputProblem = {
      source: this.source,
      line: this.nextLine,
      reason: `line of ${this.skippedBytes} bytes exceeds the ${this.maxLineBytes}-byte limit (maxLineBytes); skipped`,
      excerpt: excerpt(this.skippedHead.toString('utf8')),
    };
    this.nextLine++;
    this.skippedBytes = -1;
    this.skippedHead = Buffer.alloc(0);
    return problem;
  }
}

/** Decodes bytes [start, end) as UTF-8, dropping a `\r` before the newline (CRLF files). */
function decodeLine(bytes: Buffer, start: number, end: number): string {
  const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
  return bytes.toString('utf8', start, stop);
}

const BYTE_ORDER_MARK = 0xfeff;

/**
 * `text` without a leading byte order mark (U+FEFF), which Python's `utf-8-sig` codec and
 * Windows editors' "UTF-8 with BOM" put at the start of a file. It is not text: left in,
 * it sticks to the first line, which then fails `JSON.parse` and the JSONL formats'
 * detection. Files become text in two places, the line splitter (line 1, also after a
 * truncation or rotation starts the numbering again) and `readHead` (detection), and both call
 * this; whole-file formats decode with `TextDecoder`, which drops the mark itself.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

/**
 * Replays a file as batches of lines, one batch per `chunkBytes` of the file, reading up to
 * 256 KiB at a time (asynchronously, so a 1 GB replay still lets signals and timers through
 * between reads). A last line without a
 * newline counts as a line. Unsubscribing stops the reads and closes the file. An unreadable
 * file errors with `UnreadableInputError`; bad content never errors (see `LineItem`).
 *
 * @example
 * readLines('run.jsonl').subscribe((item) => {
 *   if (item.kind === 'lines') item.lines.forEach((text, k) => handle(text, item.firstLine + k));
 * });
 */
export function readLines(path: string, config: LineReaderConfig = {}): Observable<LineItem> {
  const { chunkBytes, maxLineBytes } = lineReaderDefaults(config);
  return defer(() => from(replay(path, chunkBytes, maxLineBytes)));
}

async function* replay(path: string, chunkBytes: number, maxLineBytes: number): AsyncGenerator<LineItem> {
  const handle = await openForReading(path);
  // Two buffers: the next chunk is read (on libuv's thread pool) while this one is split and
  // parsed, so the parsing thread does not sit idle waiting for the disk.
  const readBytes = Math.max(chunkBytes, READ_BYTES);
  const buffers = [Buffer.allocUnsafe(readBytes), Buffer.allocUnsafe(readBytes)] as const;
  let position = 0;
  let which = 0;
  const readInto = (buffer: Buffer) => readChunk(path, () => handle.read(buffer, 0, readBytes, position));
  let pending = readInto(buffers[0]);
  try {
    const splitter = new LineSplitter(path, maxLineBytes);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      which ^= 1;
      pending = readInto(buffers[which]!);
      for (let start = 0; start < bytesRead; start += chunkBytes) {
        yield* splitter.push(buffer.subarray(start, Math.min(start + chunkBytes, bytesRead)));
      }
    }
    yield* splitter.end();
  } finally {
    // A read still in flight (the consumer unsubscribed) must settle before the file closes.
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/** Opens `path` for reading, turning failures into `UnreadableInputError`. */
export async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new UnreadableInputError(path, describeFsError(error), { cause: error });
  }
}

/** Runs one read, turning failures (EISDIR, EIO) into `UnreadableInputError`. */
export async function readChunk<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new UnreadableInputError(path, describeFsError(error), { cause: error });
  }
}

/** A short human reason for a file-system error. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** Validated reader settings with defaults filled in; throws RangeError on bad values. */
export function lineReaderDefaults(config: LineReaderConfig): Required<LineReaderConfig> {
  const chunkBytes = config.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const maxLineBytes = config.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  checkPositiveInteger('chunkBytes', chunkBytes);
  checkPositiveInteger('maxLineBytes', maxLineBytes);
  return { chunkBytes, maxLineBytes };
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
