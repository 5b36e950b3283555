/**
 * verl's `file` logger: JSONL, one `{"step": n, "data": {...}}` object per step (written with
 * Python's json.dumps, so bare `NaN`/`Infinity` may appear: they read as missing values, and
 * the infinite ones are reported). Blank lines are skipped; a line that is not such an object is
 * a problem; non-numeric values in `data` are reported and the numeric ones still make the record.
 */
import type { LineFormat, LineParser } from '../format.js';
import {
  finite,
  firstLineObject,
  infinityReason,
  isRecord,
  listNames,
  messageOf,
  nonNumericKeys,
  parseJsonLenient,
  stepProblem,
  problem,
  stepItem,
} from './adapter-kit.js';
import type { Ingested } from '../ingested.js';

const createParser = (source: string): LineParser => ({
  line: (text, line) => {
    if (text.trim() === '') return [];
    let value: unknown;
    try {
      value = parseJsonLenient(text);
    } catch (error) {
      return [problem(source, line, `not valid JSON: ${messageOf(error)}`, text)];
    }
    if (!isRecord(value) || !isRecord(value['data'])) {
      return [problem(source, line, 'expected an object {"step": n, "data": {...}}', text)];
    }
    const step = finite(value['step']);
    if (step === undefined) return [problem(source, line, 'no numeric "step"', text)];
    const badStep = stepProblem(step);
    if (badStep !== undefined) return [problem(source, line, badStep, text)];
    const data = value['data'];
    const out: Ingested[] = [];
    const bad = nonNumericKeys(data);
    if (bad.length > 0) out.push(problem(source, line, `step ${String(step)}: non-numeric values for ${listNames(bad)}`, text));
    const infinite = infinityReason(data);
    if (infinite !== undefined) out.push(problem(source, line, `step ${String(step)}: ${infinite}`, text));
    out.push(stepItem(step, data));
    return out;
  },
  end: () => [],
});

export const verlFileJsonl: LineFormat = {
  kind: 'lines',
  name: 'verl-file-jsonl',
  // `{"step", "data"}` in any order; newer verl adds keys such as `elapsed_seconds` beside them.
  detect: (head) => {
    const first = firstLineObject(head);
    return first !== undefined && typeof first.step === 'number' && isRecord(first.data) && !('metrics' in first);
  },
  createParser,
};
