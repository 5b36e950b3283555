/** Opening the verbs' input files: one file, or several (one per rank) merged by step. */
import { stat } from 'node:fs/promises';
import { filter, first, lastValueFrom, map, take, type Observable } from 'rxjs';
import { readHead } from '../sources/detect-format.js';
import { fromFile, fromFiles } from '../sources/from-file.js';
import type { Ingested } from '../sources/ingested.js';
import { mergeByStep } from '../sources/merge-by-step.js';
import type { Shared } from './options.js';
import { requireRecords } from './require-records.js';

/**
 * The records and problems of `files` (absolute paths), replayed or followed. A replay errors
 * with a `NoRecordsError` (exit code 2) when one of the files yields no record at all, even when
 * the others do: an unreadable input is an unreadable input, and a run judged without one of
 * its ranks is not the run. A followed file may still be empty or not exist yet.
 */
export function openInput(files: readonly string[], shared: Shared, follow = false): Observable<Ingested> {
  const config = {
    follow,
    ...(shared.format === undefined ? {} : { format: shared.format }),
    ...(shared.loggingSteps === undefined ? {} : { loggingSteps: shared.loggingSteps }),
  };
  if (follow) return files.length === 1 ? fromFile(files[0]!, config) : fromFiles(files, config);
  const read = (file: string): Observable<Ingested> => fromFile(file, config).pipe(requireRecords(file, shared.format));
  // `fromFiles` with the check on each file before the merge.
  return files.length === 1 ? read(files[0]!) : mergeByStep(files.map(read));
}

/**
 * Roughly how many records `files` hold: each file's size times the line density of its first
 * 64 KiB. For the progress line's ETA only; undefined when a file cannot be read.
 */
export async function estimateRecords(files: readonly string[]): Promise<number | undefined> {
  let total = 0;
  for (const file of files) {
    try {
      const [info, head] = await Promise.all([stat(file), readHead(file)]);
      const headBytes = Buffer.byteLength(head);
      const lines = head.split('\n').length - 1;
      if (headBytes === 0 || lines === 0) return undefined;
      total += (info.size * lines) / headBytes;
    } catch {
      return undefined;
    }
  }
  return Math.round(total);
}

/** Events looked at for a response by `startsWithText`. */
export const TEXT_PEEK_EVENTS = 64;

/**
 * Whether one of the first `TEXT_PEEK_EVENTS` events of one of `files` carries a response: a
 * replay runs its text detectors on a worker thread only then (numeric logs and trainer step
 * records keep them on the main thread, where they cost nothing). Reads just the head of each
 * file. An input that is not a regular file (a pipe) cannot be read twice, so it counts as text.
 */
export async function startsWithText(files: readonly string[], shared: Shared): Promise<boolean> {
  for (const file of files) {
    try {
      if (!(await stat(file)).isFile()) return true;
      const head = openInput([file], shared).pipe(
        filter((item) => item.kind === 'event'),
        take(TEXT_PEEK_EVENTS),
        map((item) => item.event.response !== undefined),
        first(Boolean, false),
      );
      if (await lastValueFrom(head)) return true;
    } catch {
      // unreadable: the replay itself reports it
    }
  }
  return false;
}
