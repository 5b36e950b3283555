/**
 * `fromFile`: one file of any known format as an `Observable<Ingested>`, replayed or followed.
 * `fromFiles`: several (one per rank), merged by step.
 *
 * Line formats run through the chunked line reader (or the follower); whole-file formats (JSON
 * documents, parquet) are read whole, and when followed, read again whenever the file changes
 * (trainer_state.json is rewritten at every checkpoint), emitting only the steps the earlier
 * reads had not reached.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import {
  asyncScheduler,
  concat,
  concatMap,
  defer,
  exhaustMap,
  from,
  map,
  type Observable,
  of,
  takeWhile,
  timer,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { InputProblem } from '../core/types.js';
import { DETECT_BYTES, detectFormat, formatByName, formatNames, readHead } from './detect-format.js';
import { excerpt } from './excerpt.js';
import { checkPollMs, followLines, NOT_THERE_YET, type FollowConfig } from './follow.js';
import type { FormatName, InputFormat, LineFormat, WholeFileFormat } from './format.js';
import { FORMATS } from './formats/index.js';
import { trlStdout, trlStdoutFormat } from './formats/trl-stdout.js';
import type { Ingested } from './ingested.js';
import {
  describeFsError,
  lineReaderDefaults,
  readLines,
  UnreadableInputError,
  type LineItem,
} from './line-reader.js';
import { mergeByStep, stepOf, type MergeByStepConfig } from './merge-by-step.js';

export interface FromFileConfig extends FollowConfig {
  /** Skip detection and read the file as this format (`--format`). Default: detected from content. */
  readonly format?: FormatName;
  /** Keep reading as the file grows (`--follow`); never completes. Default false (replay). */
  readonly follow?: boolean;
  /**
   * TRL console output only: the run's `logging_steps`, numbering the metric dicts printed with
   * no progress bar to read their step from (`--logging-steps`; see `TrlStdoutConfig`).
   */
  readonly loggingSteps?: number;
}

export interface FromFilesConfig extends FromFileConfig, MergeByStepConfig {}

/** A problem item about a whole file, met before its format is known. */
type Notice = Extract<Ingested, { kind: 'problem' }>;

/**
 * Reads one log file as records and problems. A replay completes at the end of the file; a
 * follow never completes. Malformed lines become `problem` items and the stream goes on; a file
 * that cannot be read, or whose format is unknown, errors with `UnreadableInputError` (exit
 * code 2 in the CLI). An empty file yields one problem ("file is empty") and completes.
 *
 * @example
 * fromFile('run.jsonl').subscribe((item) => { if (item.kind === 'problem') console.warn(item.problem.reason); });
 * fromFile('trainer_state.json', { follow: true, pollMs: 1000 });
 */
export function fromFile(path: string, config: FromFileConfig = {}): Observable<Ingested> {
  // The known formats, TRL's console one numbering its bar-less dicts by `loggingSteps` when given
  // (built here, so a bad interval throws at the call as the other options do).
  const { loggingSteps } = config;
  const stdout = loggingSteps === undefined ? trlStdout : trlStdoutFormat({ loggingSteps });
  const formats = stdout === trlStdout ? FORMATS : FORMATS.map((format) => (format === trlStdout ? stdout : format));
  const explicit = config.format === undefined ? undefined : formatByName(config.format, formats);
  lineReaderDefaults(config);
  const pollMs = checkPollMs(config.pollMs);
  const scheduler = config.scheduler ?? asyncScheduler;
  const follow = config.follow ?? false;
  // The format, after any notices about detection.
  const format$: Observable<InputFormat | Notice> =
    explicit !== undefined
      ? of(explicit)
      : follow
        ? awaitFormat(path, formats, pollMs, scheduler)
        : defer(() => from(readHead(path))).pipe(map((head) => (head.trim() === '' ? notice(path, 'file is empty') : requireFormat(path, head, formats))));
  return format$.pipe(
    concatMap((format): Observable<Ingested> => {
      if (format.kind === 'problem') return of(format);
      if (format.kind === 'lines') {
        return (follow ? followLines(path, config) : readLines(path, config)).pipe(parseLines(format, path));
      }
      return follow ? followWholeFile(path, format, pollMs, scheduler) : readWholeFile(path, format);
    }),
  );
}

/**
 * Reads several files (one per rank) and merges them by step: see `mergeByStep` for the
 * ordering rule and its bounded buffering.
 *
 * @example fromFiles(['rank0.jsonl', 'rank1.jsonl'], { follow: true })
 */
export function fromFiles(paths: readonly string[], config: FromFilesConfig = {}): Observable<Ingested> {
  return mergeByStep(
    paths.map((path) => fromFile(path, config)),
    config,
  );
}

/** The detected format of a file, or an `UnreadableInputError` saying what the file starts with. */
function requireFormat(path: string, head: string, formats: readonly InputFormat[]): InputFormat {
  const format = detectFormat(head, formats);
  if (format === undefined) {
    throw new UnreadableInputError(
      path,
      `unknown input format; the file starts with "${excerpt(head, 160)}". Known formats: ${formatNames(formats).join(', ')} (pass one with --format)`,
    );
  }
  return format;
}

const UNRECOGNISED_YET = `waiting for more data to recognise the format: the start of the file matches no known format yet (an unrecognised ${String(DETECT_BYTES / 1024)} KiB is an error; --format skips detection)`;

/**
 * Following a file that may not exist or hold enough text yet: polls until the head is
 * recognised, or errors once a full `DETECT_BYTES` head matches no format. A short head is
 * never rejected, since a console log may print minutes of banners before the first line its
 * format is known by; instead a `problem` says once that detection is waiting, so a watch of
 * the wrong file is not silent. The same goes for a file that does not exist yet.
 */
function awaitFormat(path: string, formats: readonly InputFormat[], pollMs: number, scheduler: SchedulerLike): Observable<InputFormat | Notice> {
  return defer(() => {
    const said = new Set<string>();
    const sayOnce = (reason: string): Notice[] => {
      if (said.has(reason)) return [];
      said.add(reason);
      return [notice(path, reason)];
    };
    return timer(0, pollMs, scheduler).pipe(
      exhaustMap(() => from(peekHead(path))),
      concatMap((head): (InputFormat | Notice)[] => {
        if (head === undefined) return sayOnce(NOT_THERE_YET);
        if (head.trim() === '') return [];
        // A short head may still grow into something recognisable; a full one has had its chance.
        if (Buffer.byteLength(head) >= DETECT_BYTES) return [requireFormat(path, head, formats)];
        const format = detectFormat(head, formats);
        if (format !== undefined) return [format];
        // Only once a line is complete: the first line may simply be half written.
        return head.includes('\n') ? sayOnce(UNRECOGNISED_YET) : [];
      }),
      takeWhile((found) => found.kind === 'problem', true),
    );
  });
}

async function peekHead(path: string): Promise<string | undefined> {
  try {
    return await readHead(path);
  } catch (error) {
    if (error instanceof UnreadableInputError && (error.cause as { code?: unknown } | undefined)?.code === 'ENOENT') return undefined;
    throw error;
  }
}

const problemItem = (problem: InputProblem): Ingested => ({ kind: 'problem', problem });

/** A problem about the whole file (line 0), such as `file is empty`. */
const notice = (source: string, reason: string): Notice => ({ kind: 'problem', problem: { source, line: 0, reason, excerpt: '' } });

/**
 * Runs line items through a fresh parser of `format`; a `restart` (truncated or replaced file)
 * ends the current parser, reports the restart, and starts a new parser.
 */
export function parseLines(format: LineFormat, source: string): OperatorFunction<LineItem, Ingested> {
  return (items) =>
    defer(() => {
      let parser = format.createParser(source);
      const parse = (item: LineItem): readonly Ingested[] => {
        switch (item.kind) {
          case 'lines': {
            const out: Ingested[] = [];
            const { lines, firstLine } = item;
            for (let k = 0; k < lines.length; k++) {
              const parsed = parser.line(lines[k]!, firstLine + k);
              for (const one of parsed) out.push(one);
            }
            return out;
          }
          case 'problem':
            return [problemItem(item.problem)];
          case 'restart': {
            const out = [...parser.end(), problemItem(item.problem)];
            parser = format.createParser(source);
            return out;
          }
        }
      };
      return concat(items.pipe(concatMap(parse)), defer(() => parser.end()));
    });
}

async function readWhole(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UnreadableInputError(path, describeFsError(error), { cause: error });
  }
}

function readWholeFile(path: string, format: WholeFileFormat): Observable<Ingested> {
  return defer(async () => format.parse(await readWhole(path), path)).pipe(concatMap((items) => items));
}

/**
 * Follows a whole-file format: reads the file again whenever its identity, size or mtime
 * changes, and emits only records past the last step earlier reads emitted (per record kind and
 * phase), and only problems not reported before. A file that disappears is reported once.
 */
function followWholeFile(path: string, format: WholeFileFormat, pollMs: number, scheduler: SchedulerLike): Observable<Ingested> {
  return defer(() => {
    let seen: Stats | undefined;
    let missingReported = false;
    const reached = new Map<string, number>();
    const reported = new Set<string>();
    const fresh = (items: readonly Ingested[]): Ingested[] => {
      const out: Ingested[] = [];
      const reachedNow = new Map(reached);
      for (const item of items) {
        if (item.kind === 'problem') {
          const key = `${item.problem.line}:${item.problem.reason}`;
          if (!reported.has(key)) out.push(item);
          reported.add(key);
          continue;
        }
        const key = item.kind === 'step' ? `step/${item.record.phase ?? 'train'}` : 'event';
        const step = stepOf(item) ?? -Infinity;
        if (step > (reached.get(key) ?? -Infinity)) {
          out.push(item);
          reachedNow.set(key, Math.max(step, reachedNow.get(key) ?? -Infinity));
        }
      }
      for (const [key, step] of reachedNow) reached.set(key, step);
      return out;
    };
    const poll = async (): Promise<readonly Ingested[]> => {
      let current: Stats;
      try {
        current = await stat(path);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw new UnreadableInputError(path, describeFsError(error), { cause: error });
        if (missingReported) return [];
        missingReported = true;
        return [problemItem({ source: path, line: 0, reason: 'file deleted; waiting for it to reappear', excerpt: '' })];
      }
      missingReported = false;
      if (seen && seen.ino === current.ino && seen.size === current.size && seen.mtimeMs === current.mtimeMs) return [];
      seen = current;
      return fresh(await format.parse(await readWhole(path), path));
    };
    return timer(0, pollMs, scheduler).pipe(
      exhaustMap(() => from(poll())),
      concatMap((items) => items),
    );
  });
}
