/**
 * TRL / HF Trainer console output: each logging step prints `str(logs)`, a Python dict repr
 * (`{'loss': 0.157, 'reward': 0.725, ...}`, single quotes, `None`/`nan`/`inf`), on a line of its
 * own or after tqdm progress residue separated by `\r`. Every other line is noise and yields
 * nothing. A `\r`-separated segment that starts a dict repr (`{'`) but does not parse is a
 * problem; so is a metric dict holding non-numeric values (its numeric values still count).
 *
 * Steps: the printed dict carries no `step` (the Trainer adds it only to log_history), so a
 * dict's step is its own `step` key when present, else its ordinal among the train dicts times
 * `loggingSteps`. Eval dicts (`eval_*` keys) take the step of the last train dict and do not
 * advance the count. The end-of-training summary dict (`train_runtime`...) is skipped.
 */
import type { LineFormat, LineParser } from '../format.js';
import type { Ingested } from '../ingested.js';
import { finite, infinityReason, isRecord, isSummaryRow, listNames, nonNumericKeys, problem, stepItem } from './adapter-kit.js';
import { parsePythonLiteral } from './python-literal.js';

export interface TrlStdoutConfig {
  /**
   * The run's `logging_steps`: the step of the n-th printed train dict is `n * loggingSteps`
   * when the dict has no `step` key. Default 1 (steps number the logs 1, 2, 3...).
   */
  readonly loggingSteps?: number;
}

/** A dict repr at the start of a segment: `{'` (HF prints str keys with single quotes). */
const DICT_START = /^\s*\{\s*'/;

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

/** TRL console output, read with the given logging interval. Throws RangeError on a bad config. */
export const trlStdoutFormat = (config: TrlStdoutConfig = {}): LineFormat => {
  const loggingSteps = config.loggingSteps ?? 1;
  if (!Number.isInteger(loggingSteps) || loggingSteps < 1) {
    throw new RangeError(`trlStdout loggingSteps must be a positive integer, got ${String(loggingSteps)}`);
  }
  const createParser = (source: string): LineParser => {
    let trainDicts = 0;
    let lastTrainStep = 0;
    const segment = (text: string, offset: number, line: number, out: Ingested[]): void => {
      if (!DICT_START.test(text)) return;
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
        trainDicts += 1;
        step = own ?? trainDicts * loggingSteps;
        lastTrainStep = step;
      }
      out.push(stepItem(step, row));
    };
    return {
      line: (text, line) => {
        if (!text.includes('{')) return [];
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

/** TRL console output with steps numbered 1, 2, 3... (see `trlStdoutFormat` for the interval). */
export const trlStdout: LineFormat = trlStdoutFormat();
