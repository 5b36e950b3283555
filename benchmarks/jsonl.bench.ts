/**
 * JSONL replay throughput: how fast goodhart turns a large goodhart-JSONL file of numeric
 * reward events into decoded `RewardEvent`s, against the physical limit measured in the same
 * run (chunked read + byte split + `JSON.parse`, nothing else) and against the usual Node way
 * (`readline` + `JSON.parse`). Target: >= 600,000 lines/s for the goodhart reader.
 *
 * The file is generated in os.tmpdir() and deleted afterwards. Its size defaults to 200 MB so the
 * suite runs in reasonable time; `GOODHART_BENCH_JSONL_MB=1024 npm run bench -- jsonl` measures
 * the 1 GB figure. `GOODHART_BENCH_JSONL_RUNS` sets the runs per variant (default 3; median), interleaved.
 */
import { closeSync, createReadStream, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lastValueFrom, reduce } from 'rxjs';
import { fromFile } from '../src/sources/from-file.js';
import { fmt, median, type Table } from './harness.js';

const MEGABYTE = 1024 * 1024;
const CHUNK_BYTES = MEGABYTE;
const NEWLINE = 0x0a;

/** Writes `megabytes` of event lines in the shape a GRPO reward callback logs; returns the line count. */
function generate(path: string, megabytes: number): number {
  const fd = openSync(path, 'w');
  let random = 0x2545f491;
  const next = (): number => {
    // xorshift32: fast, seeded, reproducible across runs.
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 0x1_0000_0000;
  };
  let written = 0;
  let lines = 0;
  let text = '';
  for (let step = 0; written < megabytes * MEGABYTE; step++) {
    for (let sample = 0; sample < 64; sample++) {
      const correct = next() > 0.5 ? 1 : 0;
      const format = next();
      text += `{"step":${step},"reward":${correct + format},"components":{"correct":${correct},"format":${format}},"group":${step * 8 + (sample >> 3)},"length":${Math.floor(next() * 512)},"kl":${next() * 0.1}}\n`;
      lines++;
    }
    if (text.length > MEGABYTE) {
      written += writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text);
  closeSync(fd);
  return lines;
}

/** The physical limit: chunked reads, split on 0x0A, `JSON.parse` of each line, nothing else. */
function bareSplitParse(path: string): number {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carry: Buffer | undefined;
  let lines = 0;
  let checksum = 0;
  for (;;) {
    const bytesRead = readSync(fd, buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) break;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, start);
      if (newline < 0 || newline >= bytesRead) {
        carry = Buffer.from(buffer.subarray(start, bytesRead));
        break;
      }
      const text =
        carry !== undefined && carry.length > 0
          ? Buffer.concat([carry, buffer.subarray(start, newline)]).toString('utf8')
          : buffer.toString('utf8', start, newline);
      carry = undefined;
      checksum += (JSON.parse(text) as { step: number }).step;
      lines++;
      start = newline + 1;
    }
  }
  closeSync(fd);
  return checksum >= 0 ? lines : -1;
}

/** The goodhart reader: fromFile (detect, chunked read, split, parse, decode, checks), counted. */
function goodhartReader(path: string): Promise<number> {
  return lastValueFrom(fromFile(path).pipe(reduce((count, item) => (item.kind === 'event' ? count + 1 : count), 0)));
}

/** The common Node idiom: readline over a read stream, `JSON.parse` per line. */
async function readlineParse(path: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: CHUNK_BYTES }), crlfDelay: Infinity });
  let count = 0;
  let checksum = 0;
  for await (const line of lines) {
    checksum += (JSON.parse(line) as { step: number }).step;
    count++;
  }
  return checksum >= 0 ? count : -1;
}

interface Rate {
  /** Median lines per wall-clock second. */
  readonly perSecond: number;
  /** Median lines per CPU second of this process (all its threads): steadier on a busy machine. */
  readonly perCpuSecond: number;
}

/**
 * Runs every variant `runs` times, interleaved (one run of each in turn, the order rotating), so
 * a change in the machine's load touches all variants alike; medians per variant.
 */
async function measureInterleaved(
  variants: readonly (() => number | Promise<number>)[],
  expected: number,
  runs: number,
): Promise<Rate[]> {
  const wall = variants.map((): number[] => []);
  const cpu = variants.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    for (let turn = 0; turn < variants.length; turn++) {
      const index = (turn + run) % variants.length;
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      const lines = await variants[index]!();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpuStart);
      if (lines !== expected) throw new Error(`expected ${expected} lines, read ${lines}`);
      wall[index]!.push(lines / seconds);
      cpu[index]!.push(lines / ((used.user + used.system) / 1e6));
    }
  }
  return variants.map((_, index) => ({ perSecond: median(wall[index]!), perCpuSecond: median(cpu[index]!) }));
}

export async function run(): Promise<Table[]> {
  const megabytes = Number(process.env.GOODHART_BENCH_JSONL_MB ?? 200);
  const runs = Number(process.env.GOODHART_BENCH_JSONL_RUNS ?? 3);
  const path = join(tmpdir(), `goodhart-bench-${process.pid}.jsonl`);
  try {
    const lines = generate(path, megabytes);
    const [bare, reader, readline] = (await measureInterleaved(
      [() => bareSplitParse(path), () => goodhartReader(path), () => readlineParse(path)],
      lines,
      runs,
    )) as [Rate, Rate, Rate];
    const row = (name: string, result: Rate) => ({
      name,
      cells: [
        fmt.rate(result.perSecond),
        fmt.ns(1e9 / result.perSecond),
        fmt.ratio(result.perSecond / bare.perSecond),
        fmt.rate(result.perCpuSecond),
        fmt.ratio(result.perCpuSecond / bare.perCpuSecond),
      ],
    });
    return [
      {
        suite: 'jsonl',
        title: `JSONL replay: ${megabytes} MB, ${lines.toLocaleString('en-US')} numeric event lines (median of ${runs} runs)`,
        header: ['variant', 'lines/s (wall)', 'per line', 'vs bare', 'lines per CPU-s', 'vs bare (CPU)'],
        rows: [
          row('bare chunked split + JSON.parse (the limit)', bare),
          row('goodhart fromFile: split + parse + decode to RewardEvent', reader),
          row('readline + JSON.parse', readline),
        ],
        notes: [
          `Target: >= 600,000 lines/s for fromFile on one core; met (wall clock): ${fmt.pass(reader.perSecond >= 600_000)}; met (per CPU-second): ${fmt.pass(reader.perCpuSecond >= 600_000)}.`,
          `Variants run interleaved (one run of each in turn), so load changes touch all three alike.`,
          `Lines per CPU-second counts every thread of the process (reads run on libuv's pool), so it is the one-core figure with other processes' load taken out.`,
          `File generated in os.tmpdir() and deleted afterwards; GOODHART_BENCH_JSONL_MB=1024 reproduces the 1 GB figure.`,
        ],
      },
    ];
  } finally {
    rmSync(path, { force: true });
  }
}
