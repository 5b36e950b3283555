/**
 * goodhart's own JSONL (docs/schema.md): one `RewardEvent` or `StepRecord` per line, Python's
 * bare `NaN`/`Infinity` accepted (core/json-line), decoded by core/decode. Both read as missing
 * values; an infinite one is also reported (`metrics.kl is Infinity (not finite); treated as
 * missing`), the record kept. Alert and verdict
 * lines (what goodhart's JSONL sink writes) are outputs, not inputs: they are skipped without a
 * problem, so a file holding both can be replayed. Blank lines are skipped.
 *
 * Per-file checks, as an RL practitioner reads a log:
 * - Many events share a step (one per sample): never a problem.
 * - A step going backwards (an event or step record at a smaller step than the line before it,
 *   per record kind and phase) is reported once per jump ("a resumed run?") and the record is
 *   kept: a run resumed from a checkpoint logs its steps again, and those records are real.
 * - A step record at the same step and phase as the previous step record is reported as a
 *   duplicate and kept too (both reach the stream, in order; step-keyed views keep the later):
 *   nothing already emitted can be taken back, and dropping the later one could lose the
 *   metrics a second `log()` call added.
 */
import * as E from 'fp-ts/lib/Either.js';
import { decodeOrdinaryEvent, decodeRecord } from '../../core/decode.js';
import { parseJsonLine } from '../../core/json-line.js';
import type { InputProblem, RewardEvent } from '../../core/types.js';
import { excerpt } from '../excerpt.js';
import type { LineFormat, LineParser } from '../format.js';
import type { Ingested } from '../ingested.js';
import { infinityReason, isRecord } from './adapter-kit.js';

const NOTHING: readonly Ingested[] = [];

/** Where the last record of one kind (events, or step records of one phase) was. */
interface Last {
  step: number;
  line: number;
}

function createParser(source: string): LineParser {
  // The last event's step and line (two numbers, not an object: this runs for every line).
  let lastEventStep = -1;
  let lastEventLine = 0;
  const lastStep = new Map<string, Last>();

  const problem = (line: number, reason: string, text: string): Ingested => {
    const item: InputProblem = { source, line, reason, excerpt: excerpt(text) };
    return { kind: 'problem', problem: item };
  };
  const backwards = (line: number, step: number, last: Last, what: string, text: string): Ingested =>
    problem(line, `${what} step went backwards: ${step} after ${last.step} at line ${last.line} (a resumed run?); record kept`, text);

  const eventItems = (event: RewardEvent, line: number, text: string): readonly Ingested[] => {
    const item: Ingested = { kind: 'event', event };
    const { step } = event;
    const previous = lastEventStep;
    const previousLine = lastEventLine;
    lastEventStep = step;
    lastEventLine = line;
    if (step < previous) return [item, backwards(line, step, { step: previous, line: previousLine }, 'event', text)];
    return [item];
  };

  const parseLine = (text: string, line: number): readonly Ingested[] => {
    const parsed = parseJsonLine(text);
    if (!parsed.ok) {
      if (text.trim() === '') return NOTHING;
      return [problem(line, `not valid JSON: ${parsed.reason}`, text)];
    }
    // Nearly every line of a replay is an ordinary event: decoded without an Either, and
    // holding no infinite number (an ordinary event's numbers are all finite).
    const ordinary = decodeOrdinaryEvent(parsed.value);
    if (ordinary !== undefined) return eventItems(ordinary, line, text);
    const items = recordItems(parsed.value, line, text);
    // Only a record that was kept (not an error, an alert or a verdict) has numbers to name.
    const first = items[0];
    if (first === undefined || first.kind === 'problem' || !isRecord(parsed.value)) return items;
    const infinite = infinityReason(parsed.value);
    return infinite === undefined ? items : [...items, problem(line, infinite, text)];
  };

  /** The items of a line that is not an ordinary event: the record first, then its problems. */
  const recordItems = (value: unknown, line: number, text: string): readonly Ingested[] => {
    const decoded = decodeRecord(value);
    if (E.isLeft(decoded)) return [problem(line, decoded.left.message, text)];
    const record = decoded.right;
    switch (record.type) {
      case 'event':
        return eventItems(record.event, line, text);
      case 'step': {
        const { step, phase = 'train' } = record.record;
        const item: Ingested = { kind: 'step', record: record.record };
        const previous = lastStep.get(phase);
        lastStep.set(phase, { step, line });
        if (previous === undefined || step > previous.step) return [item];
        if (step < previous.step) return [item, backwards(line, step, previous, `${phase} record`, text)];
        return [item, problem(line, `duplicate ${phase} step ${step} (also at line ${previous.line}); both kept, the later wins`, text)];
      }
      case 'alert':
      case 'verdict':
        return NOTHING;
    }
  };
  return { line: parseLine, end: () => NOTHING };
}

/** Complete lines looked at before giving up on a head (a malformed first line is tolerated). */
const DETECT_LINES = 5;

/**
 * True when one of the first non-blank lines of `head` is a JSON object with an integer `step`
 * and something only goodhart lines carry with it: a `metrics` object (a step record), a
 * `reward` number or null (an event), or a `"type"` of the schema. A line cut by the end of the
 * head (a long prompt) is judged by its start: `{` then those same keys.
 */
function detect(head: string): boolean {
  const lines = head.split('\n');
  let looked = 0;
  for (let index = 0; index < lines.length && looked < DETECT_LINES; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    looked++;
    const parsed = parseJsonLine(line);
    if (parsed.ok) {
      if (looksLikeRecord(parsed.value)) return true;
    } else if (index === lines.length - 1) {
      return CUT_LINE.test(line) && /"step"\s*:\s*\d/.test(line) && CUT_LINE_KEY.test(line);
    }
  }
  return false;
}

const CUT_LINE = /^\s*\{\s*"/;
const CUT_LINE_KEY = /"reward"\s*:\s*(?:-?\d|null|NaN|-?Infinity)|"metrics"\s*:\s*\{|"type"\s*:\s*"(?:event|step)"/;

function looksLikeRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const json = value as Readonly<Record<string, unknown>>;
  if (typeof json.step !== 'number' || !Number.isInteger(json.step)) return false;
  const metrics = json.metrics;
  return (
    (typeof metrics === 'object' && metrics !== null && !Array.isArray(metrics)) ||
    typeof json.reward === 'number' ||
    json.reward === null ||
    json.type === 'event' ||
    json.type === 'step'
  );
}

/** goodhart JSONL: `RewardEvent` and `StepRecord` lines (docs/schema.md). */
export const goodhartJsonl: LineFormat = {
  kind: 'lines',
  name: 'goodhart-jsonl',
  detect,
  createParser,
};
