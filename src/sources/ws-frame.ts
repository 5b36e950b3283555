import * as E from 'fp-ts/lib/Either.js';
import type { RawData } from 'ws';
import { decodeRecord } from '../core/decode.js';
import { parseJsonLine } from '../core/json-line.js';
import type { InputProblem } from '../core/types.js';
import { excerpt } from './excerpt.js';
import { infinityReason, jsonText } from './formats/adapter-kit.js';
import type { Ingested } from './ingested.js';

/**
 * Decodes one websocket text frame into ingested items: the frame is JSON (Python's bare
 * `NaN`/`Infinity` accepted as missing values, the infinite ones reported) holding one goodhart
 * record or an array of them, each decoded like a line of goodhart JSONL (`RewardEvent` or
 * `StepRecord`). A frame that is not
 * JSON is one problem; a bad element of an array is a problem of its own and the good elements
 * around it are kept, in order. `frame` is the 1-based frame number on its connection and is
 * reported as the problem's `line`.
 *
 * Cost: one `JSON.parse` plus one decode per record.
 *
 * @example
 * decodeFrame('[{"step":1,"reward":0.5},{"step":1,"reward":"x"}]', 'ws://127.0.0.1:7070 client#1', 4)
 * // => [{ kind: 'event', ... }, { kind: 'problem', problem: { line: 4, reason: 'item 1: field "reward": ...' } }]
 */
export function decodeFrame(text: string, source: string, frame: number): Ingested[] {
  const parsed = parseJsonLine(text);
  if (!parsed.ok) return [problemItem(source, frame, `frame is not JSON: ${parsed.reason}`, text)];
  const value = parsed.value;
  if (!Array.isArray(value)) {
    const item = decodeItem(value, source, frame, '');
    if (item === undefined) return [problemItem(source, frame, 'expected a record or an array of records', text)];
    return [item, ...infinities(value, item, source, frame, '')];
  }
  const items: Ingested[] = [];
  for (let index = 0; index < value.length; index++) {
    const element: unknown = value[index];
    const where = `item ${index}: `;
    const item = decodeItem(element, source, frame, where);
    if (item === undefined) items.push(problemItem(source, frame, `${where}expected a record`, jsonText(element)));
    else items.push(item, ...infinities(element, item, source, frame, where));
  }
  return items;
}

/** The problem naming the infinite numbers of a record that was decoded (read as missing there). */
function infinities(value: unknown, item: Ingested, source: string, frame: number, where: string): Ingested[] {
  if (item.kind === 'problem' || typeof value !== 'object' || value === null) return [];
  const reason = infinityReason(value as Readonly<Record<string, unknown>>);
  return reason === undefined ? [] : [problemItem(source, frame, `${where}${reason}`, jsonText(value))];
}

function decodeItem(value: unknown, source: string, frame: number, where: string): Ingested | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const decoded = decodeRecord(value);
  if (E.isLeft(decoded)) return problemItem(source, frame, `${where}${decoded.left.message}`, jsonText(value));
  const record = decoded.right;
  switch (record.type) {
    case 'event':
      return { kind: 'event', event: record.event };
    case 'step':
      return { kind: 'step', record: record.record };
    case 'alert':
    case 'verdict':
      return problemItem(source, frame, `${where}${record.type} records are not accepted on ingest (send events or step records)`, jsonText(value));
  }
}

/** @internal */
export function problemItem(source: string, line: number, reason: string, text: string): Ingested {
  const problem: InputProblem = { source, line, reason, excerpt: excerpt(text) };
  return { kind: 'problem', problem };
}

/** @internal The text of a received frame (ws hands over a Buffer, a list of them, or an ArrayBuffer). */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
