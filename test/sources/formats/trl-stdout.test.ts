import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../src/core/metric-names.js';
import { trlStdout, trlStdoutFormat } from '../../../src/sources/formats/trl-stdout.js';
import { repoRoot, realdata } from '../../support/paths.js';
import { linesOf, problemsOf, runFile, runLines, stepsOf, trainAt } from './run-format.js';

const FILE = realdata('trl-grpo_stdout_rho0.10_seed42.log');
/** Console logs written by real tqdm the way the HF Trainer prints (make_fixtures.py beside them). */
const fixture = (name: string): string => `${repoRoot}test/fixtures/trl-stdout/${name}`;

// Expected values read with Python's ast.literal_eval over the '\r'-separated segments.
describe('trlStdout on the real console log', () => {
  // A 200-step run (Total optimization steps = 200) logged every 5 steps. The bar runs to 40/200
  // before the first dict appears: stdout was block-buffered, stderr (the bar) was not.
  const STEPS = Array.from({ length: 40 }, (_, i) => 5 * (i + 1));

  it('reads the 40 metric dicts at the steps the progress bar was at when each was printed, no problems', async () => {
    const items = await runFile(trlStdout, FILE);
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records.map((r) => r.step)).toEqual(STEPS);
    // The first dict, after the bar residue of line 135, is step 5; the last is step 200.
    expect(trainAt(records, 5).metrics[METRIC.rewardMean]).toBe(0.9);
    expect(trainAt(records, 5).raw?.['learning_rate']).toBe(4e-5);
    expect(trainAt(records, 5).raw?.['sampling/importance_sampling_ratio/max']).toBe(1.89408278465271);
    expect(trainAt(records, 50).metrics[METRIC.rewardMean]).toBe(0.85);
    expect(trainAt(records, 50).metrics[METRIC.lengthMean]).toBe(206.25);
    expect(trainAt(records, 100).metrics[METRIC.entropy]).toBe(0.19590208753943444);
    expect(trainAt(records, 200).raw?.['reward']).toBe(0.925);
    expect(trainAt(records, 200).metrics[METRIC.lengthMean]).toBe(204.575);
  });

  it('agrees with the learning-rate schedule: warmup to 1e-4 over 10 steps, then linear decay to 0 at step 201', async () => {
    // The scheduler's rate for the step that ran is 1e-4 * (201 - step) / 190 after warmup, an
    // account of the step independent of the bar.
    const records = stepsOf(await runFile(trlStdout, FILE)).filter((r) => r.step > 10);
    expect(records).toHaveLength(38);
    for (const record of records) expect(record.raw?.['learning_rate']).toBeCloseTo((1e-4 * (201 - record.step)) / 190, 12);
  });

  it('emits each dict with the line that prints it (nothing is held back, so a followed log is read as it grows)', () => {
    const parser = trlStdout.createParser(FILE);
    const emitted = linesOf(readFileSync(FILE, 'utf8')).flatMap((text, index) => stepsOf(parser.line(text, index + 1)).map((r) => [index + 1, r.step]));
    expect(emitted.slice(0, 3)).toEqual([[135, 5], [136, 10], [137, 15]]);
    expect(emitted.at(-1)).toEqual([376, 200]);
  });

  it('takes the bar over loggingSteps', async () => {
    const records = stepsOf(await runFile(trlStdoutFormat({ loggingSteps: 7 }), FILE));
    expect(records.map((r) => r.step)).toEqual(STEPS);
  });

  it('without the bar (stdout captured alone, or tqdm disabled) numbers the dicts by loggingSteps', () => {
    const dictsOnly = linesOf(readFileSync(FILE, 'utf8'))
      .flatMap((line) => line.split('\r').filter((part) => part.startsWith("{'")))
      .join('\n');
    expect(stepsOf(runLines(trlStdout, dictsOnly)).map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const records = stepsOf(runLines(trlStdoutFormat({ loggingSteps: 5 }), dictsOnly));
    expect(records.map((r) => r.step)).toEqual(STEPS);
    expect(trainAt(records, 200).metrics[METRIC.rewardMean]).toBe(0.925);
  });
});

describe('trlStdout on tqdm output with an evaluation bar (12 steps, logged every 3, evaluated every 6)', () => {
  // [line, step, phase, reward]: train dicts carry reward = step / 100, eval dicts eval_reward = step / 100.
  const read = (name: string): unknown[] => {
    const parser = trlStdout.createParser(name);
    return linesOf(readFileSync(fixture(name), 'utf8')).flatMap((text, index) =>
      parser.line(text, index + 1).map((item) => (item.kind === 'step' ? [index + 1, item.record.step, item.record.phase, item.record.raw?.['reward'] ?? item.record.raw?.['eval_reward']] : item)),
    );
  };

  it('unbuffered: each dict follows its bar erasure; the eval dict, behind the eval bar\'s cursor-up escape, keeps the train step', () => {
    expect(read('eval-unbuffered.log')).toEqual([
      [1, 3, 'train', 0.03],
      [2, 6, 'train', 0.06],
      [7, 6, 'eval', 0.06],
      [10, 9, 'train', 0.09],
      [11, 12, 'train', 0.12],
      [16, 12, 'eval', 0.12],
    ]);
  });

  it('block-buffered: the dicts land late, some glued to the end of a bar, and still get the steps they were logged at', () => {
    expect(read('eval-buffered.log')).toEqual([
      [1, 3, 'train', 0.03],
      [2, 6, 'train', 0.06],
      [9, 6, 'eval', 0.06],
      [10, 9, 'train', 0.09],
      [11, 12, 'train', 0.12],
      [19, 12, 'eval', 0.12],
    ]);
  });

  it('a resumed run: the bar erased for the first print shows step 11 (tqdm skipped redraws after the jump), its redraw 15', () => {
    expect(read('resumed-buffered.log')).toEqual([
      [2, 15, 'train', 0.15],
      [3, 20, 'train', 0.2],
      [4, 25, 'train', 0.25],
      [5, 30, 'train', 0.3],
    ]);
  });
});

describe('trlStdout on a log of bars whose dicts went elsewhere', () => {
  it('queues at most 1,024 prints waiting for their dicts, the latest ones', () => {
    // 3,000 training-bar prints (bar, then tqdm's erasure for a print), and one dict at the end.
    const prints = Array.from({ length: 3000 }, (_, i) => `\r ${String(Math.floor((i + 1) / 50))}%|#  | ${String(i + 1)}/5000 [00:01<00:02, 1.0s/it]\r${' '.repeat(60)}\r`);
    const records = stepsOf(runLines(trlStdout, [...prints, "{'loss': 0.1, 'reward': 0.5}"].join('\n')));
    // The dict takes the oldest print still queued, the 1,977th (3,000 - 1,024 + 1), not the first
    // (2 without the bound): at the step of the bar redrawn right after it, 1,978.
    expect(records.map((r) => r.step)).toEqual([1978]);
  });
});

describe('trlStdout on bad and unusual input', () => {
  const text = [
    'Loading checkpoint shards: 100%|██████████| 4/4',
    "{'loss': 0.5, 'reward': 0.25, 'kl': nan, 'entropy': None, 'epoch': 0.01}",
    // A bar and a dict with no erasure between: not the Trainer's print, whose tqdm erases the bar first.
    "\r  3%|▎         | 5/200 [00:18<11:16,  3.47s/it]\r{'loss': 0.4, 'reward': 0.5, 'epoch': 0.02}",
    'garbage between the lines {not a dict}',
    "{'loss': 0.3, 'reward': 0.75, 'compl",
    "Updated tokens: {'bos_token_id': None, 'pad_token_id': 151643}.",
    "{'eval_loss': 0.9, 'eval_reward': 0.6, 'epoch': 0.02}",
    "{'loss': 0.2, 'reward': 'high', 'epoch': 0.03}",
    "{'loss': 0.1, 'reward': 1.0, 'step': 50}",
    "{'train_runtime': 648.2, 'train_loss': 0.18, 'epoch': 0.05}",
  ].join('\n');

  it('keeps every good dict, reports the truncated one and the non-numeric value by line', () => {
    const items = runLines(trlStdout, text, 'run.log');
    const records = stepsOf(items);
    expect(records.map((r) => [r.step, r.phase, r.metrics[METRIC.rewardMean]])).toEqual([
      [1, 'train', 0.25],
      [2, 'train', 0.5],
      [2, 'eval', 0.6],
      [3, 'train', undefined],
      [50, 'train', 1],
    ]);
    expect(records[0]?.missing).toBe(2);
    const problems = problemsOf(items);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [5, 'unreadable Python dict repr: the text ends inside a string at column 37'],
      [8, 'non-numeric values for reward'],
    ]);
    expect(problems[0]).toMatchObject({ source: 'run.log', excerpt: "{'loss': 0.3, 'reward': 0.75, 'compl" });
  });

  it('reads steps off the training bar only: not off bars with a description, nor the evaluation bar drawn below it', () => {
    const text = [
      "Loading checkpoint shards: 100%|██████████| 4/4 [00:02<00:00,  1.78it/s]\r                    \r{'loss': 0.5}",
      "Processed prompts: 100%|██████████| 8/8 [00:01<00:00,  6.1it/s]\r                    \r{'loss': 0.4}",
      "\r  2%|▏         | 5/200 [00:18<11:16,  3.47s/it]\r                    \r{'loss': 0.3}",
      "\r100%|██████████| 8/8 [00:01<00:00,  3.2it/s]\u001b[A\r                    \r\u001b[A{'eval_loss': 0.2}",
      '\r                    \u001b[A',
      "{'loss': 0.1}",
    ].join('\n');
    const records = stepsOf(runLines(trlStdout, text));
    expect(records.map((r) => [r.step, r.phase, r.raw?.['loss'] ?? r.raw?.['eval_loss']])).toEqual([
      [1, 'train', 0.5],
      [2, 'train', 0.4],
      [5, 'train', 0.3],
      [5, 'eval', 0.2],
      [6, 'train', 0.1],
    ]);
  });

  it('forgets prints erased on a bar that closed before the training bar opened (a preprocessing loop using tqdm.write)', () => {
    const text = [
      '\r 30%|███       | 3/10 [00:01<00:02,  3.1it/s]\r                    \rtokenized shard 3',
      '\r 70%|███████   | 7/10 [00:02<00:01,  3.1it/s]\r                    \rtokenized shard 7',
      '\r  0%|          | 0/200 [00:00<?, ?it/s]\r  2%|▏         | 5/200 [00:18<11:16,  3.47s/it]\r                    \r',
      "{'loss': 0.3}",
    ].join('\n');
    expect(stepsOf(runLines(trlStdout, text)).map((r) => r.step)).toEqual([5]);
  });

  it('escapes control characters in excerpts', () => {
    const [problem] = problemsOf(runLines(trlStdout, "x\r{'loss': \u001b[0m"));
    expect(problem?.excerpt).toBe("{'loss': \\u001b[0m");
    expect(problem?.reason).toBe("unreadable Python dict repr: expected a value at column 12");
  });

  it('rejects a bad logging interval at call time', () => {
    expect(() => trlStdoutFormat({ loggingSteps: 0 })).toThrow(RangeError);
    expect(() => trlStdoutFormat({ loggingSteps: 2.5 })).toThrow(RangeError);
  });

  it('gives each file its own step count', () => {
    const first = runLines(trlStdout, "{'loss': 1}\n{'loss': 2}");
    const second = runLines(trlStdout, "{'loss': 3}");
    expect(stepsOf(first).map((r) => r.step)).toEqual([1, 2]);
    expect(stepsOf(second).map((r) => r.step)).toEqual([1]);
  });
});
