/**
 * Following growing files (`--follow`), like `tail -F`: the file is polled with `stat` every
 * `pollMs` on an RxJS scheduler (polling rather than `fs.watch`, whose events are unreliable on
 * network file systems, in containers and across rotations; a poll costs one `stat` call).
 * Each poll reads everything appended since the last one, in chunks, through the same
 * `LineSplitter` as a replay, so a partial last line waits for its newline.
 *
 * What can happen to a followed file, and what the follower emits:
 * - it does not exist yet: one `problem` ("does not exist yet; waiting"), then it is read once it appears;
 * - it shrank below the offset read so far (truncated, e.g. `> run.jsonl`): a `restart`
 *   (cause `truncated`), then the file is read again from byte 0, numbering from line 1;
 * - the path now names another file (rotated by rename, or deleted and created again): the rest
 *   of the old file is read first (a final line without newline included), then a `restart`
 *   (cause `replaced`) and the new file is read from its start;
 * - it was deleted: the rest of it is read, one `problem` ("deleted; waiting"), and the path
 *   keeps being polled until a file appears there again.
 * Known limit: a truncation followed by a rewrite past the old offset between two polls looks
 * like growth; keep `pollMs` short or rotate by rename.
 */
import { stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { asyncScheduler, defer, exhaustMap, finalize, from, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { InputProblem } from '../core/types.js';
import {
  LineSplitter,
  lineReaderDefaults,
  openForReading,
  readChunk,
  describeFsError,
  UnreadableInputError,
  type LineItem,
  type LineReaderConfig,
} from './line-reader.js';

/** What following says, once, about a path that names no file yet. */
export const NOT_THERE_YET = 'file does not exist yet; waiting for it to appear';

/** Default interval between two polls of a followed file. */
export const DEFAULT_POLL_MS = 250;

export interface FollowConfig extends LineReaderConfig {
  /** Milliseconds between polls. Default `DEFAULT_POLL_MS` (250). */
  readonly pollMs?: number;
  /** Scheduler of the polls. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Follows a growing file: replays what it holds, then emits lines as they are appended; never
 * completes (unsubscribe to stop, which closes the file). See the module comment for
 * truncation, rotation and deletion.
 *
 * @example
 * followLines('run.jsonl', { pollMs: 500 }).subscribe((item) => console.log(item));
 */
export function followLines(path: string, config: FollowConfig = {}): Observable<LineItem> {
  const { chunkBytes, maxLineBytes } = lineReaderDefaults(config);
  const pollMs = checkPollMs(config.pollMs);
  const scheduler = config.scheduler ?? asyncScheduler;
  return defer(() => {
    const tail = new Tail(path, chunkBytes, maxLineBytes);
    return timer(0, pollMs, scheduler).pipe(
      exhaustMap(() => from(tail.poll())),
      finalize(() => {
        tail.close();
      }),
    );
  });
}

export function checkPollMs(pollMs: number | undefined): number {
  const value = pollMs ?? DEFAULT_POLL_MS;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`pollMs must be a positive number, got ${value}`);
  return value;
}

/** Identity of a file, to tell a rotated or recreated file from the one being read. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/** State of one followed path: the open file, how far it was read, and what was reported. */
class Tail {
  private handle: FileHandle | undefined;
  private identity: Stats | undefined;
  private offset = 0;
  private readonly splitter: LineSplitter;
  private readonly buffer: Buffer;
  /** Whether a file was ever opened at this path (so a new one is a replacement). */
  private opened = false;
  /** Whether the missing file has been reported since it went missing. */
  private reportedMissing = false;

  constructor(
    private readonly path: string,
    private readonly chunkBytes: number,
    maxLineBytes: number,
  ) {
    this.splitter = new LineSplitter(path, maxLineBytes);
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** One poll: notices what happened to the path, then reads what was appended. */
  async *poll(): AsyncGenerator<LineItem> {
    const current = await statOrMissing(this.path);
    if (current === undefined) {
      if (this.handle) {
        yield* this.drainAndClose();
      }
      if (!this.reportedMissing) {
        this.reportedMissing = true;
        const reason = this.opened ? 'file deleted; waiting for it to reappear' : NOT_THERE_YET;
        yield { kind: 'problem', problem: this.notice(reason) };
      }
      return;
    }
    this.reportedMissing = false;
    if (this.handle && this.identity && !sameFile(this.identity, current)) {
      yield* this.drainAndClose();
    }
    if (!this.handle) {
      if (!(yield* this.openCurrent())) return;
    } else if (current.size < this.offset) {
      const problem = this.notice(`file truncated from ${this.offset} to ${current.size} bytes; reading it again from the start`);
      this.offset = 0;
      this.splitter.reset();
      yield { kind: 'restart', cause: 'truncated', problem };
    }
    yield* this.readAppended();
  }

  close(): void {
    const handle = this.handle;
    this.handle = undefined;
    void handle?.close().catch(() => undefined);
  }

  /** Opens the file now at the path; false when it vanished between `stat` and `open`. */
  private async *openCurrent(): AsyncGenerator<LineItem, boolean> {
    let handle: FileHandle;
    try {
      handle = await openForReading(this.path);
    } catch (error) {
      // Deleted between stat and open: the next poll reports it.
      if ((error as { cause?: { code?: unknown } }).cause?.code === 'ENOENT') return false;
      throw error;
    }
    this.handle = handle;
    this.identity = await handle.stat();
    this.offset = 0;
    if (this.opened) {
      this.splitter.reset();
      yield {
        kind: 'restart',
        cause: 'replaced',
        problem: this.notice('file replaced (rotated or recreated); reading the new file from the start'),
      };
    }
    this.opened = true;
    return true;
  }

  private async *readAppended(): AsyncGenerator<LineItem> {
    const handle = this.handle;
    if (!handle) return;
    for (;;) {
      const { bytesRead } = await readChunk(this.path, () => handle.read(this.buffer, 0, this.chunkBytes, this.offset));
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      yield* this.splitter.push(this.buffer.subarray(0, bytesRead));
    }
  }

  /** Reads what the writer left in a file that is going away, its last partial line included. */
  private async *drainAndClose(): AsyncGenerator<LineItem> {
    yield* this.readAppended();
    yield* this.splitter.end();
    this.close();
  }

  private notice(reason: string): InputProblem {
    return { source: this.path, line: this.splitter.linesRead, reason, excerpt: '' };
  }
}

async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UnreadableInputError(path, describeFsError(error), { cause: error });
  }
}
