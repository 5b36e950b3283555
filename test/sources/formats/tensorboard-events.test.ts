import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC, componentMean } from '../../../src/core/metric-names.js';
import { Random } from '../../../src/sim/random.js';
import { crc32c, maskedCrc32c } from '../../../src/sources/formats/crc32c.js';
import { tensorboardEvents } from '../../../src/sources/formats/tensorboard-events.js';
import { detectFormat } from '../../../src/sources/detect-format.js';
import { fromFile } from '../../../src/sources/from-file.js';
import { eventsFile, histogramValue, scalarValue, summaryEvent, textValue } from '../../support/tfevents-writer.js';
import { problemsOf, runWhole, stepsOf, trainAt } from './run-format.js';

describe('CRC-32C', () => {
  // RFC 3720 (iSCSI), appendix B.4 "CRC Examples", and the standard check value of "123456789".
  it.each([
    ['32 bytes of zeros', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes 00..1f', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['32 decrementing bytes 1f..00', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
  ])('matches the published value for %s', (_, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('checks a TFRecord frame written by another implementation (the npm package tfrecord 0.2.0, MIT)', async () => {
    // Its data.tfrecord: one tf.train.Example of 52 bytes, framed with masked CRC-32Cs by
    // fast-crc32c. Both checksums must match ours, and the frame must read without a problem
    // (an Example is no Event: it holds no summary, so no records).
    const hex = '34000000000000005e33175c0a320a0f0a06616e7377657212051a030a012a0a0e0a027069120812060a04c3f548400a0f0a046e616d6512070a050a03414243f9516db6';
    const frame = Uint8Array.from(Buffer.from(hex, 'hex'));
    const view = new DataView(frame.buffer);
    expect(maskedCrc32c(frame, 0, 8)).toBe(view.getUint32(8, true));
    expect(maskedCrc32c(frame, 12, 64)).toBe(view.getUint32(64, true));
    expect(await runWhole(tensorboardEvents, frame)).toEqual([]);
  });

  it("masks as TensorFlow's crc32c::Mask: rotate right 15, add 0xa282ead8 (and unmasks back)", () => {
    const bytes = new TextEncoder().encode('123456789');
    const masked = maskedCrc32c(bytes);
    const rotated = (masked - 0xa282ead8) >>> 0;
    expect(((rotated >>> 17) | (rotated << 15)) >>> 0).toBe(0xe3069283);
    expect(masked).not.toBe(0xe3069283);
  });
});

/** An HF Trainer run with report_to="tensorboard" (PyTorch SummaryWriter, `train/` and `eval/` tags). */
const hfRun = (steps: number): Uint8Array =>
  eventsFile(
    Array.from({ length: steps }, (_, i) => {
      const step = 10 * (i + 1);
      const events = [
        summaryEvent(step, [
          scalarValue('train/reward', 0.5 + 0.01 * i),
          scalarValue('train/rewards/accuracy_reward/mean', 0.4 + 0.01 * i),
          scalarValue('train/completions/mean_length', 300 + i),
          scalarValue('train/kl', 0.001 * i),
        ]),
      ];
      if (step % 50 === 0) events.push(summaryEvent(step, [scalarValue('eval/reward', 0.45 + 0.005 * i)]));
      return events;
    }).flat(),
  );

describe('tensorboardEvents', () => {
  it('is detected by its opening Event ("brain.Event:2"), before every text format', () => {
    const head = new TextDecoder().decode(hfRun(2).subarray(0, 64));
    expect(detectFormat(head)?.name).toBe('tensorboard-events');
    expect(tensorboardEvents.detect('{"step": 1, "reward": 0.5}')).toBe(false);
  });

  it('reads PyTorch scalars (simple_value) into train and eval StepRecords through the alias table', async () => {
    const items = await runWhole(tensorboardEvents, hfRun(10));
    expect(problemsOf(items)).toEqual([]);
    const records = stepsOf(items);
    const train = records.filter((r) => r.phase === 'train');
    expect(train.map((r) => r.step)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const s30 = trainAt(records, 30);
    expect(s30.metrics[METRIC.rewardMean]).toBeCloseTo(0.52, 6); // float32 as written
    expect(s30.metrics[componentMean('accuracy_reward')]).toBeCloseTo(0.42, 6);
    expect(s30.metrics[METRIC.lengthMean]).toBe(302);
    expect(s30.raw?.['train/kl']).toBeCloseTo(0.002, 9);
    const evals = records.filter((r) => r.phase === 'eval');
    expect(evals.map((r) => r.step)).toEqual([50, 100]);
    expect(evals[0]!.metrics[METRIC.rewardMean]).toBeCloseTo(0.47, 6);
  });

  it('reads TF2 tensor scalars (float_val, tensor_content, double), the plugin named only on a tag\'s first value, and skips text and histograms', async () => {
    const file = eventsFile([
      summaryEvent(1, [scalarValue('rewards/train/score/mean', 0.25, 'tensor', true), textValue('samples', '<b>model output</b>'), histogramValue('grads')]),
      summaryEvent(2, [scalarValue('rewards/train/score/mean', 0.5, 'tensor', false), scalarValue('kl', 0.125, 'tensor-content', true)]),
      summaryEvent(3, [scalarValue('rewards/train/score/mean', 0.75, 'double', false), textValue('samples', 'more text')]),
    ]);
    const items = await runWhole(tensorboardEvents, file);
    expect(problemsOf(items)).toEqual([]);
    const records = stepsOf(items);
    expect(records.map((r) => [r.step, r.metrics[METRIC.rewardMean]])).toEqual([
      [1, 0.25],
      [2, 0.5],
      [3, 0.75],
    ]);
    expect(records[1]!.metrics[METRIC.kl]).toBe(0.125);
    expect(Object.keys(records[0]!.raw ?? {})).toEqual(['rewards/train/score/mean']);
    // Integer scalars in a packed int64 list, negative ones as 10-byte varints.
    const counts = await runWhole(tensorboardEvents, eventsFile([summaryEvent(4, [scalarValue('tokens', 123456, 'int64'), scalarValue('delta', -7, 'int64')])]));
    expect(stepsOf(counts)[0]!.raw).toEqual({ tokens: 123456, delta: -7 });
  });

  it('keeps the last value of a tag written twice at one step, and merges one step written in several events', async () => {
    const file = eventsFile([
      summaryEvent(5, [scalarValue('reward', 0.1)]),
      summaryEvent(5, [scalarValue('kl', 0.5)]),
      summaryEvent(5, [scalarValue('reward', 0.3)]),
      summaryEvent(6, [scalarValue('reward', 0.4)]),
    ]);
    const records = stepsOf(await runWhole(tensorboardEvents, file));
    expect(records).toHaveLength(2);
    expect(records[0]!.metrics[METRIC.rewardMean]).toBeCloseTo(0.3, 6);
    expect(records[0]!.metrics[METRIC.kl]).toBe(0.5);
  });

  it('reports a record with a bad data checksum and skips only it; every other step still counts', async () => {
    const file = hfRun(5);
    // Flip one byte inside the third record's data (the file-version frame, then two steps).
    let at = 0;
    for (let record = 0; record < 3; record++) at += new DataView(file.buffer).getUint32(at, true) + 16;
    file[at + 14] = file[at + 14]! ^ 0xff;
    const items = await runWhole(tensorboardEvents, file, 'run/events.out.tfevents.1');
    const problems = problemsOf(items);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ source: 'run/events.out.tfevents.1', reason: `record 4 at byte ${String(at)}: the data checksum does not match; record skipped` });
    expect(stepsOf(items).filter((r) => r.phase === 'train').map((r) => r.step)).toEqual([10, 20, 40, 50]);
  });

  it('reports a last record cut short (the writer stopped mid-record) and keeps every step before it', async () => {
    const file = hfRun(4);
    const cut = file.subarray(0, file.length - 7);
    const items = await runWhole(tensorboardEvents, cut);
    expect(problemsOf(items)[0]?.reason).toMatch(/^record 5 at byte \d+: the last record is cut off \(\d+ of \d+ bytes\); the writer stopped mid-record or is still writing it$/);
    expect(stepsOf(items).map((r) => r.step)).toEqual([10, 20, 30]);
    const header = await runWhole(tensorboardEvents, file.subarray(0, file.length - (file.length - 5)));
    expect(problemsOf(header)[0]?.reason).toMatch(/the last frame is cut off \(5 of its 12 header bytes\)/);
  });

  it('stops at a frame whose length checksum fails (nothing after it can be framed), reporting it once', async () => {
    const file = hfRun(4);
    let at = 0;
    for (let record = 0; record < 2; record++) at += new DataView(file.buffer).getUint32(at, true) + 16;
    file[at + 8] = file[at + 8]! ^ 0x01;
    const items = await runWhole(tensorboardEvents, file);
    expect(problemsOf(items).map((p) => p.reason)).toEqual([`record 3 at byte ${String(at)}: the length checksum does not match; the remaining ${String(file.length - at)} bytes cannot be framed and are skipped`]);
    expect(stepsOf(items).map((r) => r.step)).toEqual([10]);
  });

  it('reports an Event that is not valid protobuf, a negative step and an infinite value, and reads the rest', async () => {
    const garbage = Uint8Array.from([0x0a, 0x7f, 0x01]); // field 1 declares 127 bytes, 1 is there
    const file = eventsFile([garbage, summaryEvent(-3, [scalarValue('reward', 1)]), summaryEvent(7, [scalarValue('reward', Infinity), scalarValue('kl', 0.2)])]);
    const items = await runWhole(tensorboardEvents, file);
    const second = new DataView(file.buffer).getUint32(0, true) + 16;
    const third = second + garbage.length + 16;
    expect(problemsOf(items).map((p) => p.reason)).toEqual([
      `record 2 at byte ${String(second)}: not a readable Event (field 1 declares 127 bytes, 1 are left); record skipped`,
      `record 3 at byte ${String(third)}: "step" must be a non-negative integer, got -3; its 1 scalar skipped`,
      'step 7: reward is Infinity (not finite); treated as missing',
    ]);
    const records = stepsOf(items);
    expect(records.map((r) => r.step)).toEqual([7]);
    expect(records[0]!.metrics[METRIC.kl]).toBeCloseTo(0.2, 6);
    expect(records[0]!.metrics[METRIC.rewardMean]).toBeUndefined();
  });

  it('never throws on damaged files: random byte flips, cuts and garbage give problems and the records still readable', async () => {
    const rng = new Random(11);
    const clean = hfRun(6);
    const cleanSteps = stepsOf(await runWhole(tensorboardEvents, clean)).length;
    for (let trial = 0; trial < 300; trial++) {
      const damaged = clean.slice(0, trial % 3 === 0 ? rng.int(clean.length) : clean.length);
      for (let flips = 1 + rng.int(4); flips > 0 && damaged.length > 0; flips--) damaged[rng.int(damaged.length)] = rng.int(256);
      const items = await runWhole(tensorboardEvents, damaged);
      expect(items.every((item) => item.kind === 'step' || item.kind === 'problem')).toBe(true);
      expect(stepsOf(items).length).toBeLessThanOrEqual(cleanSteps + 1);
    }
    // Protobuf-shaped garbage behind valid frames: each record reported, none read.
    const garbage = eventsFile(Array.from({ length: 50 }, () => Uint8Array.from({ length: 1 + rng.int(40) }, () => rng.int(256))));
    const items = await runWhole(tensorboardEvents, garbage);
    expect(items.every((item) => item.kind === 'problem' || item.kind === 'step')).toBe(true);
  });

  it('is what fromFile picks for an events.out.tfevents file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'goodhart-tb-'));
    try {
      const path = join(dir, 'events.out.tfevents.1700000000.host.1.0');
      writeFileSync(path, hfRun(3));
      const items = await lastValueFrom(fromFile(path).pipe(toArray()));
      expect(stepsOf(items).map((r) => `${String(r.step)}/${r.phase ?? 'train'}`)).toEqual(['10/train', '20/train', '30/train']);
      // The log directory itself, as TensorBoard users know it: the error names the file to pass.
      writeFileSync(join(dir, 'events.out.tfevents.1600000000.host.1.0'), hfRun(1));
      await expect(lastValueFrom(fromFile(dir).pipe(toArray()))).rejects.toThrow(
        `is a directory, not a file; it holds 2 TensorBoard event files: pass one, e.g. ${path} (the newest)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
