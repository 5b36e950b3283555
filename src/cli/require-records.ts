/**
 * A finished file that yields no record at all is unreadable input, not an empty healthy run:
 * without this check an empty file, a half-written trainer_state.json or a log read under the
 * wrong `--format` would pass CI as "healthy". The error names the file, the format it was read
 * as and why nothing came out of it.
 */
import { stat } from 'node:fs/promises';
import { concat, defer, ignoreElements, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { InputProblem } from '../core/types.js';
import { formatProblem } from '../sinks/console.js';
import { detectFormat, formatByName, readHead } from '../sources/detect-format.js';
import type { FormatName, InputFormat } from '../sources/format.js';
import type { Ingested } from '../sources/ingested.js';
import { UnreadableInputError } from '../sources/line-reader.js';

/** Problems a `NoRecordsError` keeps (as `RunTally` keeps for display), and how many its message quotes. */
const KEPT_PROBLEMS = 20;
const QUOTED_PROBLEMS = 3;

/** A finished file that yielded no event and no step record (exit code 2 in the CLI). */
export class NoRecordsError extends UnreadableInputError {
  constructor(
    source: string,
    reason: string,
    /** Input problems met in the file (all counted). */
    readonly problems: number,
    /** The first 20 of them. */
    readonly firstProblems: readonly InputProblem[],
  ) {
    super(source, reason);
  }
}

/**
 * Passes the items of the finished file `path` through and, when it completes without a single
 * record, errors with a `NoRecordsError`. `forced` is the format it was told to read the file
 * as (`--format`, the config's `inputFormat`); absent, the format was detected from the content.
 * Unsubscribing before the end (Ctrl-C, a reader that took enough) checks nothing.
 */
export function requireRecords(path: string, forced: FormatName | undefined): MonoTypeOperatorFunction<Ingested> {
  return (source) =>
    defer(() => {
      let records = 0;
      let problems = 0;
      const firstProblems: InputProblem[] = [];
      const counted = source.pipe(
        tap((item) => {
          if (item.kind !== 'problem') records++;
          else if (problems++ < KEPT_PROBLEMS) firstProblems.push(item.problem);
        }),
      );
      const check = defer(async () => {
        if (records === 0) throw new NoRecordsError(path, await noRecordsReason(path, forced, problems, firstProblems), problems, firstProblems);
      }).pipe(ignoreElements());
      return concat(counted, check);
    });
}

/** `no records read as <format> (<how>): <why>`, the why being the first problems or the lack of any match. */
async function noRecordsReason(path: string, forced: FormatName | undefined, problems: number, firstProblems: readonly InputProblem[]): Promise<string> {
  // The head again, to name the detected format (and tell an empty file from a foreign one):
  // only of a regular file, as a pipe cannot be read twice.
  const head = (await isRegularFile(path)) ? await readHead(path).catch(() => undefined) : undefined;
  if (head?.trim() === '') return 'no records: the file is empty';
  const format = forced !== undefined ? formatByName(forced) : head === undefined ? undefined : detectFormat(head);
  const readAs = format === undefined ? 'no records read' : `no records read as ${format.name} (${forced === undefined ? 'detected' : 'given by --format or inputFormat'})`;
  if (problems === 0) return `${readAs}: ${nothingMatched(format)}`;
  const quoted = firstProblems.slice(0, QUOTED_PROBLEMS).map((problem) => `  ${formatProblem(problem)}`).join('');
  const more = problems > QUOTED_PROBLEMS ? `  ... and ${problems - QUOTED_PROBLEMS} more\n` : '';
  return `${readAs}; ${problems === 1 ? 'its input problem' : `its ${problems} input problems`}:\n${quoted}${more}`.trimEnd();
}

function nothingMatched(format: InputFormat | undefined): string {
  if (format === undefined) return 'nothing in it matched its format';
  return `${format.kind === 'whole-file' ? 'nothing in the document' : 'no line'} matched the ${format.name} format`;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
