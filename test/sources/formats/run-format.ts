// Test helpers: run a format over a file or text the way a file source would (split on '\n',
// 1-based line numbers, CRLF endings trimmed), and pick items apart.
import { readFileSync } from 'node:fs';
import type { InputProblem, RewardEvent, StepRecord } from '../../../src/core/types.js';
import type { InputFormat, LineFormat, WholeFileFormat } from '../../../src/sources/format.js';
import type { Ingested } from '../../../src/sources/ingested.js';

export const linesOf = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
};

export const runLines = (format: LineFormat, text: string, source = 'test'): Ingested[] => {
  const parser = format.createParser(source);
  const items = linesOf(text).flatMap((line, index) => parser.line(line, index + 1));
  return [...items, ...parser.end()];
};

export const runWhole = async (format: WholeFileFormat, content: Uint8Array | string, source = 'test'): Promise<Ingested[]> => {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return [...(await format.parse(bytes, source))];
};

export const runFile = async (format: InputFormat, path: string): Promise<Ingested[]> =>
  format.kind === 'lines' ? runLines(format, readFileSync(path, 'utf8'), path) : runWhole(format, readFileSync(path), path);

export const stepsOf = (items: readonly Ingested[]): StepRecord[] =>
  items.flatMap((item) => (item.kind === 'step' ? [item.record] : []));

export const eventsOf = (items: readonly Ingested[]): RewardEvent[] =>
  items.flatMap((item) => (item.kind === 'event' ? [item.event] : []));

export const problemsOf = (items: readonly Ingested[]): InputProblem[] =>
  items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));

/** The records at one step (several when eval and train rows share it). */
export const atStep = (records: readonly StepRecord[], step: number): StepRecord[] =>
  records.filter((record) => record.step === step);

/** The single train record at a step; throws when there is not exactly one. */
export const trainAt = (records: readonly StepRecord[], step: number): StepRecord => {
  const found = atStep(records, step).filter((record) => record.phase !== 'eval');
  if (found.length !== 1 || found[0] === undefined) throw new Error(`expected one train record at step ${String(step)}, found ${String(found.length)}`);
  return found[0];
};
