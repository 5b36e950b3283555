/**
 * TRL / HF Trainer console output: each logging step prints `str(logs)`, a Python dict repr
 * (`{'loss': 0.157, 'reward': 0.725, ...}`, single quotes, `None`/`nan`/`inf`), on a line of its
 * own or among tqdm progress residue separated by `\r`. Every other line is noise and yields
 * nothing. A `\r`-separated segment that starts a dict repr (`{'`) but does not parse is a
 * problem; so is a metric dict holding non-numeric values (its numeric values still count).
 *
 * Steps: the printed dict carries no `step` (the Trainer adds it only to log_history). It is
 * read off the training progress bar. The Trainer prints each dict with
 * `training_bar.write(...)`, and tqdm first erases the bar it has just drawn at the current step
 * (`\r` + spaces + `\r`), so a segment of spaces right after a training-bar segment `N/M` says
 * "one dict was logged at step N". The dict text itself may arrive much later: tqdm writes to
 * stderr and flushes at once, while under `> file 2>&1` or `2>&1 | tee` Python block-buffers
 * stdout, so the real log prints the bar up to 40/200 before the dict of step 5. Hence the
 * steps of these erasures are queued in order, and each train dict takes the oldest one past
 * the previous train step (the erasures for eval and summary dicts are at that step already).
 * The training bar is the one without a description (`  2%|▏  | 5/200 [...`), unlike
 * "Loading checkpoint shards: ..." or vLLM's "... Completed | 1/4"; the evaluation bar has
 * none either, but is drawn on the line below and so ends in the cursor-up escape `ESC[A`.
 *
 * A train dict with its own `step` key takes it; one with no erasure queued (no bar: tqdm
 * disabled, stdout captured alone) takes the previous train step plus `loggingSteps`. Eval
 * dicts (`eval_*` keys) take the step of the last train dict. The end-of-training summary dict
 * (`train_runtime`...) is skipped.
 */
import type { LineFormat, LineParser } from '../format.js';
import type { Ingested } from '../ingested.js';
import { finite, infinityReason, isRecord, isSummaryRow, listNames, nonNumericKeys, problem, stepItem } from './adapter-kit.js';
import { parsePythonLiteral } from './python-literal.js';

export interface TrlStdoutConfig {
  /**
   * The run's `logging_steps`, for dicts printed with no progress bar to read the step from
   * (tqdm disabled, or stdout captured without stderr): such a train dict is at the previous
   * train step plus `loggingSteps`. Default 1 (steps number the logs 1, 2, 3...).
   */
  readonly loggingSteps?: number;
}

/**
 * A dict repr at the start of a segment: `{'` (HF prints str keys with single quotes), after
 * spaces and cursor escapes (the evaluation bar's `ESC[A` lands in front of the eval dict).
 */
// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const DICT_START = /^(?:\s|\u001b\[[0-9;?]*[A-Za-z])*\{\s*'/;

/**
 * HF's training bar: no description, so the segment opens with the percentage. Group 1 is the
 * step count. A bar drawn below another one also carries cursor escapes (checked apart).
 */
const TRAINING_BAR = /^\s*\d{1,3}%\|[^|]*\|\s*(\d+)\/\d+\s*\[/;

/** The end of a bar's counter, just before its `[elapsed<remaining, rate]`. */
const BAR_COUNTER_END = /\|\s*\d+\/\d+\s*$/;

/** tqdm erasing a bar: the spaces between `\r` and `\r`. */
const ERASURE = /^ +$/;

/** Signs of HF/TRL console output in a file's first KB (metric dicts come after the banners). */
const TRL_SIGNS = [
  /(?:^|[\r\n])\s*\{'(?:loss|reward|learning_rate|grad_norm|epoch|eval_loss|train_runtime)':/,
  /[\\/]site-packages[\\/]trl[\\/]/,
  /\*{5} Running training \*{5}/,
];

const isEvalRow = (row: Readonly<Record<string, unknown>>): boolean =>
  Object.keys(row).some((key) => key.startsWith('eval_'));

const hasNumber = (row: Readonly<Record<string, unknown>>): boolean =>
  Object.values(row).some((value) => typeof value === 'number');

/**
 * Where a dict repr starts in a segment, or -1: at its start, or glued to the end of a progress
 * bar (`| 6/12 [00:01<00:01, 3.2it/s]{'loss': ...`), where block-buffered stdout lands when it is
 * flushed while a bar was the last thing on stderr (tqdm flushes stdout when it opens a bar).
 */
function dictStart(text: string): number {
  if (DICT_START.test(text)) return text.indexOf('{');
  const glued = text.indexOf("]{'");
  if (glued < 0) return -1;
  const open = text.lastIndexOf('[', glued);
  // The counter sits within a few characters of the bracket: a bounded slice keeps this O(1).
  return open > 0 && BAR_COUNTER_END.test(text.slice(Math.max(0, open - 32), open)) ? glued + 1 : -1;
}

/**
 * Prints queued while their dicts wait in stdout's buffer: block buffering holds a few dozen; a
 * log with bars and no dicts (stdout captured to another file) would grow the queue by one per
 * logging step without this bound.
 */
const MAX_QUEUED_PRINTS = 1024;

/** TRL console output, read with the given logging interval. Throws RangeError on a bad config. */
export const trlStdoutFormat = (config: TrlStdoutConfig = {}): LineFormat => {
  const loggingSteps = config.loggingSteps ?? 1;
  if (!Number.isInteger(loggingSteps) || loggingSteps < 1) {
    throw new RangeError(`trlStdout loggingSteps must be a positive integer, got ${String(loggingSteps)}`);
  }
  const createParser = (source: string): LineParser => {
    let lastTrainStep = 0;
    // The training bar's count while it is the last segment seen: an erasure right after it is a print.
    let barAt: number | undefined;
    // Steps at which the training bar was erased for a print, oldest first, not yet given to a dict.
    const logged: number[] = [];
    // Whether the last step queued still awaits the bar's redraw after the print.
    let redrawDue = false;
    const trainStep = (): number => {
      // Erasures at or before the last train step were for eval or summary dicts.
      while (logged.length > 0 && logged[0]! <= lastTrainStep) logged.shift();
      return logged.shift() ?? lastTrainStep + loggingSteps;
    };
    const dict = (text: string, offset: number, line: number, out: Ingested[]): void => {
      const parsed = parsePythonLiteral(text);
      if (!parsed.ok) {
        out.push(problem(source, line, `unreadable Python dict repr: ${parsed.reason} at column ${String(offset + parsed.at + 1)}`, text.trim()));
        return;
      }
      const row = parsed.value;
      if (!isRecord(row) || !hasNumber(row) || isSummaryRow(row)) return;
      const bad = nonNumericKeys(row);
      if (bad.length > 0) out.push(problem(source, line, `non-numeric values for ${listNames(bad)}`, text.trim()));
      const infinite = infinityReason(row);
      if (infinite !== undefined) out.push(problem(source, line, infinite, text.trim()));
      const own = finite(row['step']);
      let step: number;
      if (isEvalRow(row)) {
        step = own ?? lastTrainStep;
      } else {
        step = own ?? trainStep();
        lastTrainStep = step;
      }
      out.push(stepItem(step, row));
    };
    const segment = (text: string, offset: number, line: number, out: Ingested[]): void => {
      if (text === '') return; // `\r\r`, or a line that starts with `\r`: nothing was drawn
      if (ERASURE.test(text)) {
        if (barAt !== undefined) {
          logged.push(barAt);
          // A log of bars alone (stdout written elsewhere) would queue a step per print forever.
          if (logged.length > MAX_QUEUED_PRINTS) logged.shift();
          redrawDue = true;
        }
        barAt = undefined;
        return;
      }
      const bar = text.includes('\u001b') ? null : TRAINING_BAR.exec(text);
      const count = bar === null ? undefined : Number(bar[1]);
      if (count === 0) {
        // A bar opening: tqdm flushed stdout first, so no dict is to come for erasures queued before.
        logged.length = 0;
      } else if (count !== undefined && redrawDue && logged.length > 0) {
        // tqdm skips redraws when steps come faster than its refresh interval (and for a while
        // after a resumed run's first update jumps ahead), so the bar erased may show an earlier
        // step; its redraw right after the print shows the step exactly. When stdout lags, the
        // dict is still queued and takes it; unbuffered, it already went with the step drawn before.
        logged[logged.length - 1] = count;
      }
      if (count !== undefined) redrawDue = false;
      const start = dictStart(text);
      barAt = start < 0 ? count : undefined;
      if (start >= 0) dict(text.slice(start), offset + start, line, out);
    };
    return {
      line: (text, line) => {
        const out: Ingested[] = [];
        let offset = 0;
        for (const part of text.split('\r')) {
          segment(part, offset, line, out);
          offset += part.length + 1;
        }
        return out;
      },
      end: () => [],
    };
  };
  return {
    kind: 'lines',
    name: 'trl-stdout',
    detect: (head) => TRL_SIGNS.some((sign) => sign.test(head)),
    createParser,
  };
};

/** TRL console output; dicts printed without a progress bar are numbered 1, 2, 3... (see `trlStdoutFormat`). */
export const trlStdout: LineFormat = trlStdoutFormat();
