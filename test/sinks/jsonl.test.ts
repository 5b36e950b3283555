import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/core/decode.js';
import { parseJsonLine } from '../../src/core/json-line.js';
import { simulate } from '../../src/sim/index.js';
import { ingestedRecord, jsonlLine, JsonlSink, writeJsonl } from '../../src/sinks/jsonl.js';
import type { Alert, Verdict } from '../../src/core/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goodhart-jsonl-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const alert: Alert = {
  id: 'meanShift:length/mean:156',
  detector: 'meanShift',
  metric: 'length/mean',
  severity: 'critical',
  signal: 'exploit',
  step: 160,
  message: 'mean length rose 217 -> 611 tokens',
  value: 611,
  threshold: Number.NaN,
  since: 156,
  evidence: { stats: { before: 217, after: 611 } },
  state: 'onset',
};
const verdict: Verdict = { status: 'hacking', reasons: [{ detector: 'meanShift', metric: 'length/mean', severity: 'critical', signal: 'exploit', since: 156, message: 'm' }], firstFlaggedStep: 156, step: 200 };

describe('jsonlLine', () => {
  it('writes type and schema version first, as docs/schema.md shows', () => {
    expect(jsonlLine({ type: 'event', record: { step: 3, reward: 1 } })).toBe('{"type":"event","v":1,"step":3,"reward":1}\n');
  });

  it('round-trips events, step records, alerts and verdicts through the decoder (NaN becomes null, read back as NaN)', () => {
    const records = [
      { type: 'event', record: { step: 1, reward: 0.5, components: { format: 0.1 }, group: 'g', response: 'a "quoted"\nline' } },
      { type: 'step', record: { step: 2, metrics: { 'reward/mean': 0.4, kl: 0.01 } } },
      { type: 'alert', record: alert },
      { type: 'verdict', record: verdict },
    ] as const;
    for (const item of records) {
      const line = jsonlLine(item);
      expect(line.endsWith('\n')).toBe(true);
      const parsed = parseJsonLine(line.slice(0, -1));
      expect(parsed.ok).toBe(true);
      const decoded = decodeRecord(parsed.ok ? parsed.value : undefined);
      expect(decoded._tag).toBe('Right');
      if (decoded._tag !== 'Right') continue;
      const value = decoded.right as { type: string; value?: unknown; event?: unknown; record?: unknown };
      expect(value.type).toBe(item.type);
    }
    expect(jsonlLine({ type: 'alert', record: alert })).toContain('"threshold":null');
  });
});

describe('JsonlSink', () => {
  it('writes the simulator run line by line in order, and writeJsonl skips items without a record', async () => {
    const path = join(dir, 'sim.jsonl');
    const items = [...simulate({ steps: 3, promptsPerStep: 2, groupSize: 2 })];
    const result = await writeJsonl(path, [...items.map(ingestedRecord), undefined]);
    expect(result).toEqual({ written: items.length, dropped: 0 });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(items.length);
    expect(lines.map((line) => line.type)).toEqual(items.map((item) => item.kind));
    expect(lines[0]).toMatchObject({ type: 'event', v: 1, step: 0 });
  });

  it('writes 10,000 records across several batches and drains', async () => {
    const path = join(dir, 'many.jsonl');
    const result = await writeJsonl(path, (function* () {
      for (let k = 0; k < 10_000; k++) yield { type: 'event' as const, record: { step: k, reward: k } };
    })());
    expect(result.written).toBe(10_000);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(10_000);
    expect(JSON.parse(lines[9_999]!)).toMatchObject({ step: 9_999 });
  });

  it('reports a full disk once and counts what it could not write, without throwing', async () => {
    if (!existsSync('/dev/full')) return;
    const errors: Error[] = [];
    const sink = new JsonlSink('/dev/full', { onError: (error) => errors.push(error) });
    // Large enough that the first write reaches the device and fails with ENOSPC.
    const big = { type: 'event' as const, record: { step: 1, response: 'x'.repeat(1 << 17) } };
    sink.write(big);
    await sink.drained();
    await new Promise((resolve) => setTimeout(resolve, 50));
    sink.write(big);
    sink.write(big);
    const result = await sink.close();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(result.error).toBe(errors[0]);
    expect(result.dropped).toBe(2);
  });

  it('reports an unwritable path through onError and close()', async () => {
    const errors: Error[] = [];
    const sink = new JsonlSink(join(dir, 'no', 'such', 'dir.jsonl'), { onError: (error) => errors.push(error) });
    sink.write({ type: 'event', record: { step: 1 } });
    const result = await sink.close();
    expect(errors).toHaveLength(1);
    expect((result.error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
