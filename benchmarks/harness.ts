/**
 * Benchmark harness: times a body several times, reports medians, and writes result tables into
 * benchmarks/README.md between `<!-- bench:<suite>:start -->` / `<!-- bench:<suite>:end -->`
 * markers, with the machine and versions they were measured on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Timing {
  /** Median nanoseconds per event over the runs. */
  readonly nsPerEvent: number;
  /** Every run's ns/event, in run order. */
  readonly runs: readonly number[];
}

/**
 * Times `body` (which processes `events` events per call) `runs` times after one warm-up call
 * and returns the median ns/event. `body` must do real work whose result it returns, so the JIT
 * cannot drop it.
 */
export function time(body: () => unknown, events: number, runs = 5): Timing {
  let sink: unknown = body();
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    sink = body();
    const elapsed = Number(process.hrtime.bigint() - start);
    samples.push(elapsed / events);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return { nsPerEvent: median(samples), runs: samples };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One row of a results table. */
export interface Row {
  readonly name: string;
  readonly cells: readonly string[];
}

export interface Table {
  readonly suite: string;
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly Row[];
  readonly notes?: readonly string[];
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function renderTable(table: Table): string {
  const lines = [
    `### ${table.title}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    '',
    `| ${table.header.join(' | ')} |`,
    `|${table.header.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${[row.name, ...row.cells].join(' | ')} |`),
  ];
  if (table.notes && table.notes.length > 0) lines.push('', ...table.notes);
  return lines.join('\n');
}

const readmePath = fileURLToPath(new URL('./README.md', import.meta.url));

/** Replaces (or appends) the suite's marked section of benchmarks/README.md. */
export function writeTable(table: Table): void {
  const start = `<!-- bench:${table.suite}:start -->`;
  const end = `<!-- bench:${table.suite}:end -->`;
  const block = `${start}\n${renderTable(table)}\n${end}`;
  let text = readFileSync(readmePath, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(readmePath, text);
  console.log(renderTable(table));
}

export const fmt = {
  ns: (value: number): string => (value >= 1000 ? `${(value / 1000).toFixed(2)} µs` : `${value.toFixed(1)} ns`),
  ratio: (value: number): string => `${value.toFixed(value >= 10 ? 0 : 1)}×`,
  rate: (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en-US')}/s`,
  pass: (ok: boolean): string => (ok ? 'yes' : '**no**'),
};
