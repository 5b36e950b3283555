// Faults goodhart must survive without breaking, lying or losing records (hardening issue).
//
// Covered where the code lives, not repeated here:
// - a reward function that throws or rejects under watch(): the same error rethrown, nothing
//   recorded, a problem reported, the wrapper keeps working: test/sources/watch.test.ts
//   ('rethrows the same error...', 'passes a rejection through unchanged...'); batch form:
//   test/sources/watch-batch.test.ts ('same promise, same rejection').
// - a followed file deleted, truncated or rotated (the source itself): test/sources/follow.test.ts.
// - a websocket client killed mid-frame: test/sources/serve-ingest.test.ts ('...none lost when a
//   client dies mid-frame').
// - a browser that stops reading: test/server/backpressure.test.ts (30 s stall, 10^6 events).
// - the JSONL sink on a full disk: test/sinks/jsonl.test.ts ('reports a full disk once...').
//
// Here: the same faults one level up, where users meet them: a throwing or rejecting reward
// function inside a live detector pipeline, the `goodhart watch` process through truncation,
// rotation and deletion, `goodhart audit` sent SIGINT mid-replay, `goodhart demo --out /dev/full`.
import { appendFileSync, existsSync, mkdtempSync, readlinkSync, readdirSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDetectors } from '../../operators/sample-detectors.js';
import type { Alert, InputProblem, RewardEvent } from '../../src/core/types.js';
import { simulate } from '../../src/sim/index.js';
import { jsonlLine } from '../../src/sinks/jsonl.js';
import { watch } from '../../src/sources/watch.js';
import { ensureBuilt, start } from '../cli/built.js';

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'goodhart-faults-'));
}, 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(25);
  }
}

/** Whether process `pid` holds `path` open (Linux /proc): the replay has started reading it. */
function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** `steps` simulated steps as goodhart JSONL text, with steps numbered from `firstStep`. */
function runText(seed: number, steps: number, firstStep = 0): { text: string; events: number } {
  let text = '';
  let events = 0;
  for (const item of simulate({ seed, steps, policyMetrics: false })) {
    if (item.kind !== 'event') continue;
    events++;
    text += jsonlLine({ type: 'event', record: { ...item.event, step: item.event.step + firstStep } });
  }
  return { text, events };
}

describe('a reward function that throws or rejects inside a live pipeline', () => {
  for (const mode of ['throws', 'rejects'] as const) {
    it(`${mode}: the same error reaches the caller, the detectors see exactly the other calls, and keep running`, async () => {
      const items = [...simulate({ seed: 9, steps: 40, hack: { pattern: 'format-gaming', atStep: 25 } })].flatMap((item) =>
        item.kind === 'event' ? [item.event] : [],
      );
      const failing = (index: number): boolean => index % 13 === 5;
      const errors = items.map((_, index) => new Error(`grader crashed on call ${index}`));
      let call = 0;
      const score = (_prompt: string, _response: string): RewardEvent['components'] => {
        const index = call++;
        if (failing(index)) throw errors[index]!;
        return items[index]!.components;
      };
      const asyncScore = (prompt: string, response: string): Promise<RewardEvent['components']> =>
        Promise.resolve().then(() => score(prompt, response));

      // The faulty run, through the default pipeline while it happens...
      let clock = 0;
      const spy = watch(mode === 'throws' ? score : asyncScore, { name: 'grader', clock: () => clock });
      const alerts: Alert[] = [];
      const problems: InputProblem[] = [];
      let pipelineEnded = false;
      spy.events$.pipe(sampleDetectors()).subscribe({ next: (alert) => alerts.push(alert), error: () => (pipelineEnded = true), complete: () => (pipelineEnded = true) });
      spy.problems$.subscribe((problem) => problems.push(problem));
      // ... and a reference run that was only ever called on the calls that succeed.
      const referenceAlerts: Alert[] = [];
      const recorded: RewardEvent[] = [];
      const referenceRecorded: RewardEvent[] = [];
      const honest = watch((_prompt: string, _response: string) => items[call - 1]!.components, { name: 'grader', clock: () => clock });
      honest.events$.pipe(sampleDetectors()).subscribe((alert) => referenceAlerts.push(alert));
      honest.events$.subscribe((event) => referenceRecorded.push(event));
      spy.events$.subscribe((event) => recorded.push(event));

      const caught: unknown[] = [];
      for (const [index, event] of items.entries()) {
        spy.step(event.step);
        honest.step(event.step);
        clock = event.t ?? 0;
        const prompt = event.prompt ?? '';
        const response = event.response ?? '';
        try {
          const result: unknown = spy(prompt, response);
          if (result instanceof Promise) await result;
        } catch (error) {
          caught.push(error);
        }
        if (!failing(index)) honest(prompt, response);
        expect(pipelineEnded).toBe(false);
      }

      const failures = items.filter((_, index) => failing(index)).length;
      const thrown = errors.filter((_, index) => failing(index));
      expect(caught).toHaveLength(thrown.length);
      expect(caught.every((error, k) => error === thrown[k])).toBe(true); // the very same objects
      expect(problems).toHaveLength(failures);
      expect(problems[0]?.reason).toBe(`reward function ${mode === 'throws' ? 'threw' : 'rejected'}: grader crashed on call 5`);
      expect(spy.stats()).toMatchObject({ calls: items.length, errors: failures, scored: items.length - failures });
      expect(recorded.map((event) => event.reward)).toEqual(items.filter((_, index) => !failing(index)).map((event) => event.reward));
      expect(recorded).toEqual(referenceRecorded);
      // Nothing false: the faults leave no trace in the detectors' judgement.
      expect(alerts.length).toBeGreaterThan(0);
      expect(alerts).toEqual(referenceAlerts);
    });
  }
});

describe('goodhart watch (built) when its file is truncated, rotated and deleted', () => {
  it('reports each, reads every record written exactly once, and prints the totals on SIGINT', async () => {
    const path = join(dir, 'live.jsonl');
    const parts = [runText(1, 3), runText(2, 2, 3), runText(3, 2), runText(4, 3, 2), runText(5, 2, 5)];
    writeFileSync(path, parts[0]!.text);
    const watcher = start(['watch', path, '--no-dashboard']);
    try {
      await until(() => watcher.output.err.includes('following'), 15_000, 'watch to start');
      await tick(600);
      appendFileSync(path, parts[1]!.text); // growth
      await tick(600);
      truncateSync(path, 0); // a restarted run: `> live.jsonl`, then new lines
      await until(() => watcher.output.err.includes('file truncated'), 5_000, 'the truncation notice');
      appendFileSync(path, parts[2]!.text);
      await tick(600);
      renameSync(path, `${path}.1`); // rotation by rename, a new file in its place
      writeFileSync(path, parts[3]!.text);
      await until(() => watcher.output.err.includes('file replaced'), 5_000, 'the rotation notice');
      await tick(600);
      unlinkSync(path); // deleted, then created again
      await until(() => watcher.output.err.includes('file deleted'), 5_000, 'the deletion notice');
      writeFileSync(path, parts[4]!.text);
      await tick(1_000);
      expect(watcher.child.exitCode).toBeNull(); // still following
      watcher.child.kill('SIGINT');
      const { code } = await watcher.exited;
      const total = parts.reduce((sum, part) => sum + part.events, 0);
      expect(code).toBe(0);
      expect(watcher.output.out).toContain(`read ${total} events, 0 step records`);
      expect(watcher.output.out).toMatch(/verdict: /);
      expect(watcher.output.err).not.toMatch(/Error|at .*\.js:\d+/);
    } finally {
      watcher.child.kill('SIGKILL');
    }
  }, 40_000);
});

describe('goodhart audit (built) sent SIGINT during a replay', () => {
  it('stops at once, reports what it read, says the verdict is partial, and exits 130', async () => {
    const path = join(dir, 'long.jsonl');
    // 102,400 events (32 copies of a 50-step run, steps renumbered): several seconds of replay
    // even on an idle machine, so the signal lands mid-file.
    writeFileSync(path, '');
    let total = 0;
    for (let copy = 0; copy < 32; copy++) {
      const part = runText(7, 50, copy * 50);
      appendFileSync(path, part.text);
      total += part.events;
    }
    const audit = start(['audit', path]);
    try {
      if (existsSync('/proc')) await until(() => holdsOpen(audit.child.pid!, path), 15_000, 'audit to open its input');
      await tick(500);
      const sent = Date.now();
      audit.child.kill('SIGINT');
      const { code, signal } = await audit.exited;
      const stoppedMs = Date.now() - sent;
      expect({ code, signal }).toEqual({ code: 130, signal: null });
      expect(stoppedMs).toBeLessThan(3_000);
      const read = /read (\d+) events, 0 step records/.exec(audit.output.out);
      expect(read).not.toBeNull();
      const events = Number(read![1]);
      expect(events).toBeGreaterThan(0);
      expect(events).toBeLessThan(total);
      expect(audit.output.out).toMatch(/verdict: /);
      expect(audit.output.err).toContain(`goodhart: interrupted: the verdict covers only the ${events} events and 0 step records read so far`);
    } finally {
      audit.child.kill('SIGKILL');
    }
  }, 40_000);
});

describe('goodhart demo (built) writing its run to a full disk', () => {
  it('reports the write error, finishes the run with its verdict, claims no file, and exits 2', async () => {
    if (!existsSync('/dev/full')) return;
    const demo = start(['demo', '--fast', '--steps', '40', '--no-dashboard', '--out', '/dev/full']);
    const { code } = await demo.exited;
    expect(code).toBe(2);
    expect(demo.output.err).toContain('goodhart: cannot write /dev/full: ENOSPC');
    expect(demo.output.err).toMatch(/\/dev\/full is incomplete: \d+ records handed to it before ENOSPC.*, \d+ not written/);
    expect(demo.output.out).toMatch(/Final verdict: /);
    expect(demo.output.out).not.toContain('Wrote the run');
  }, 40_000);
});
