import { appendFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Observable, Subscription } from 'rxjs';
import { followLines } from '../../src/sources/follow.js';
import { fromFile, fromFiles } from '../../src/sources/from-file.js';
import type { Ingested } from '../../src/sources/ingested.js';
import type { LineItem } from '../../src/sources/line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'goodhart-follow-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const POLL_MS = 10;

/** Whether this process holds `path` open (Linux: /proc/self/fd links to open files). */
function isOpen(path: string): boolean {
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}
let subscriptions: Subscription[] = [];
afterEach(() => {
  for (const subscription of subscriptions) subscription.unsubscribe();
  subscriptions = [];
});

let count = 0;
const fresh = (name: string): string => join(dir, `${count++}-${name}`);

/** Subscribes and collects what arrives; errors are kept to fail the test. */
function collect<T>(source: Observable<T>): { items: T[]; errors: unknown[] } {
  const items: T[] = [];
  const errors: unknown[] = [];
  subscriptions.push(source.subscribe({ next: (item) => items.push(item), error: (error: unknown) => errors.push(error) }));
  return { items, errors };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A settle time of several polls, to show that nothing more arrives. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, POLL_MS * 8));

const linesOf = (items: readonly LineItem[]): [number, string][] =>
  items.flatMap((item) => (item.kind === 'lines' ? item.lines.map((text, k): [number, string] => [item.firstLine + k, text]) : []));
const noticesOf = (items: readonly LineItem[]): string[] => items.flatMap((item) => (item.kind === 'lines' ? [] : [`${item.kind}: ${item.problem.reason}`]));

describe('followLines', () => {
  it('replays what is there, then lines as they are appended; a partial last line waits for its newline', async () => {
    const path = fresh('grow.jsonl');
    writeFileSync(path, 'a\nb\npar');
    const { items, errors } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => linesOf(items).length === 2, 'the first two lines');
    await settle();
    expect(linesOf(items)).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    appendFileSync(path, 'tial');
    await settle();
    expect(linesOf(items)).toHaveLength(2);
    appendFileSync(path, '\r\nc\n');
    await until(() => linesOf(items).length === 4, 'the completed lines');
    expect(linesOf(items).slice(2)).toEqual([
      [3, 'partial'],
      [4, 'c'],
    ]);
    expect(noticesOf(items)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('detects truncation, reports it, and reads again from the start', async () => {
    const path = fresh('trunc.jsonl');
    writeFileSync(path, 'one\ntwo\nthree\n');
    const { items } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => linesOf(items).length === 3, 'three lines');
    truncateSync(path, 0);
    await until(() => items.some((item) => item.kind === 'restart'), 'the truncation notice');
    appendFileSync(path, 'fresh\n');
    await until(() => linesOf(items).length === 4, 'the line after truncation');
    expect(linesOf(items).at(-1)).toEqual([1, 'fresh']);
    expect(noticesOf(items)).toEqual(['restart: file truncated from 14 to 0 bytes; reading it again from the start']);
    expect(items.find((item) => item.kind === 'restart')).toMatchObject({ cause: 'truncated', problem: { source: path, line: 3 } });
  });

  it('detects rotation by rename: finishes the old file, reports, then reads the new one from the start', async () => {
    const path = fresh('rotate.jsonl');
    writeFileSync(path, 'old 1\n');
    const { items } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => linesOf(items).length === 1, 'the first line');
    appendFileSync(path, 'old 2\nold partial');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'new 1\n');
    await until(() => linesOf(items).some(([, text]) => text === 'new 1'), 'the new file');
    expect(linesOf(items)).toEqual([
      [1, 'old 1'],
      [2, 'old 2'],
      [3, 'old partial'],
      [1, 'new 1'],
    ]);
    expect(noticesOf(items)).toEqual(['restart: file replaced (rotated or recreated); reading the new file from the start']);
  });

  it('reports a deleted file once, waits, and reads it when it is created again', async () => {
    const path = fresh('delete.jsonl');
    writeFileSync(path, 'before\n');
    const { items } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => linesOf(items).length === 1, 'the first line');
    rmSync(path);
    await until(() => noticesOf(items).length === 1, 'the deletion notice');
    await settle();
    expect(noticesOf(items)).toEqual(['problem: file deleted; waiting for it to reappear']);
    writeFileSync(path, 'after\n');
    await until(() => linesOf(items).length === 2, 'the recreated file');
    expect(linesOf(items)[1]).toEqual([1, 'after']);
    expect(noticesOf(items)[1]).toMatch(/^restart: file replaced/);
  });

  it('waits for a file that does not exist yet', async () => {
    const path = fresh('later.jsonl');
    const { items } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => items.length === 1, 'the waiting notice');
    writeFileSync(path, 'here\n');
    await until(() => linesOf(items).length === 1, 'the line');
    expect(noticesOf(items)).toEqual(['problem: file does not exist yet; waiting for it to appear']);
  });

  it('closes the file when unsubscribed', async () => {
    const path = fresh('close.jsonl');
    writeFileSync(path, 'x\n');
    const { items } = collect(followLines(path, { pollMs: POLL_MS }));
    await until(() => linesOf(items).length === 1, 'the line');
    expect(isOpen(path)).toBe(true);
    for (const subscription of subscriptions) subscription.unsubscribe();
    await until(() => !isOpen(path), 'the file to close');
  });

  it('rejects a bad poll interval when called', () => {
    expect(() => followLines('x', { pollMs: 0 })).toThrow(RangeError);
  });
});

const stepsOf = (items: readonly Ingested[]): number[] =>
  items.flatMap((item) => (item.kind === 'event' ? [item.event.step] : item.kind === 'step' ? [item.record.step] : []));

describe('fromFile with follow', () => {
  it('waits for a file to appear and be recognisable, then parses lines as they come', async () => {
    const path = fresh('live.jsonl');
    const { items, errors } = collect(fromFile(path, { follow: true, pollMs: POLL_MS }));
    await settle();
    writeFileSync(path, '{"step":1,"reward":0.5}\n{"step":2,"rew');
    await until(() => stepsOf(items).length === 1, 'step 1');
    appendFileSync(path, 'ard":1}\n');
    await until(() => stepsOf(items).length === 2, 'step 2');
    expect(items).toEqual([
      { kind: 'problem', problem: { source: path, line: 0, reason: 'file does not exist yet; waiting for it to appear', excerpt: '' } },
      { kind: 'event', event: { step: 1, reward: 0.5 } },
      { kind: 'event', event: { step: 2, reward: 1 } },
    ]);
    expect(errors).toEqual([]);
  });

  it('says once that it waits while the start of the file matches no format, and reads the file once one does', async () => {
    const path = fresh('console.log');
    writeFileSync(path, 'loading checkpoint shards');
    const { items, errors } = collect(fromFile(path, { follow: true, pollMs: POLL_MS }));
    await settle();
    // A half-written first line may still become anything: nothing is said yet.
    expect(items).toEqual([]);
    appendFileSync(path, ' 100%\nsome banner\n');
    await until(() => items.length === 1, 'the notice');
    await settle();
    expect(items).toEqual([
      {
        kind: 'problem',
        problem: {
          source: path,
          line: 0,
          reason: 'waiting for more data to recognise the format: the start of the file matches no known format yet (an unrecognised 64 KiB is an error; --format skips detection)',
          excerpt: '',
        },
      },
    ]);
    // A console log's first metrics line comes after its banners.
    appendFileSync(path, "{'loss': 0.5, 'reward': 0.25}\n");
    await until(() => stepsOf(items).length === 1, 'the first TRL step');
    expect(items.filter((item) => item.kind === 'problem')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('starts a fresh parser after truncation, so a restarted run is not reported as going backwards', async () => {
    const path = fresh('restart.jsonl');
    writeFileSync(path, '{"step":5,"reward":1}\n');
    const { items } = collect(fromFile(path, { follow: true, pollMs: POLL_MS }));
    await until(() => stepsOf(items).length === 1, 'step 5');
    truncateSync(path, 0);
    await until(() => items.some((item) => item.kind === 'problem'), 'the truncation');
    appendFileSync(path, '{"step":1,"reward":0}\n');
    await until(() => stepsOf(items).length === 2, 'step 1');
    const reasons = items.flatMap((item) => (item.kind === 'problem' ? [item.problem.reason] : []));
    expect(reasons).toEqual(['file truncated from 22 to 0 bytes; reading it again from the start']);
  });

  it('re-reads a whole-file format when it is rewritten, emitting only new steps', async () => {
    const path = fresh('trainer_state.json');
    const state = (steps: number[]) =>
      JSON.stringify({ global_step: steps.at(-1), log_history: steps.map((step) => ({ step, loss: 1 / step, reward: 0.1 * step })) }, null, 2);
    writeFileSync(path, state([1, 2]));
    const { items } = collect(fromFile(path, { follow: true, pollMs: POLL_MS }));
    await until(() => stepsOf(items).length === 2, 'the first two steps');
    writeFileSync(path, state([1, 2, 3]).slice(0, 40));
    await settle();
    writeFileSync(path, state([1, 2, 3, 4]));
    await until(() => stepsOf(items).length === 4, 'steps 3 and 4');
    expect(stepsOf(items)).toEqual([1, 2, 3, 4]);
    expect(items.filter((item) => item.kind === 'problem')).toHaveLength(1);
  });

  it('follows two ranks at once, merged by step', async () => {
    const rank0 = fresh('rank0.jsonl');
    const rank1 = fresh('rank1.jsonl');
    writeFileSync(rank0, '{"step":1,"reward":0}\n');
    writeFileSync(rank1, '{"step":1,"reward":1}\n');
    const { items } = collect(fromFiles([rank0, rank1], { follow: true, pollMs: POLL_MS, graceMs: 5000 }));
    await until(() => stepsOf(items).length === 2, 'step 1 of both ranks');
    appendFileSync(rank0, '{"step":2,"reward":0}\n{"step":3,"reward":0}\n');
    await settle();
    // Rank 1 has not reached step 2: rank 0's steps wait for it.
    expect(stepsOf(items)).toEqual([1, 1]);
    appendFileSync(rank1, '{"step":2,"reward":1}\n{"step":3,"reward":1}\n');
    await until(() => stepsOf(items).length === 6, 'steps 2 and 3');
    expect(stepsOf(items)).toEqual([1, 1, 2, 2, 3, 3]);
  });
});
