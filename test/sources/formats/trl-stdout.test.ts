import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../src/core/metric-names.js';
import { trlStdout, trlStdoutFormat } from '../../../src/sources/formats/trl-stdout.js';
import { realdata } from '../../support/paths.js';
import { problemsOf, runFile, runLines, stepsOf, trainAt } from './run-format.js';

const FILE = realdata('trl-grpo_stdout_rho0.10_seed42.log');

// Expected values read with Python's ast.literal_eval over the '\r'-separated segments.
describe('trlStdout on the real console log', () => {
  it('reads the 40 metric dicts (the first after tqdm residue on line 135), no problems', async () => {
    const items = await runFile(trlStdout, FILE);
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(trainAt(records, 1).metrics[METRIC.rewardMean]).toBe(0.9);
    expect(trainAt(records, 1).raw?.['sampling/importance_sampling_ratio/max']).toBe(1.89408278465271);
    expect(trainAt(records, 10).metrics[METRIC.rewardMean]).toBe(0.85);
    expect(trainAt(records, 10).metrics[METRIC.lengthMean]).toBe(206.25);
    expect(trainAt(records, 20).metrics[METRIC.entropy]).toBe(0.19590208753943444);
    expect(trainAt(records, 40).raw?.['reward']).toBe(0.925);
    expect(trainAt(records, 40).metrics[METRIC.lengthMean]).toBe(204.575);
  });

  it('numbers steps by loggingSteps when told the interval', async () => {
    const records = stepsOf(await runFile(trlStdoutFormat({ loggingSteps: 5 }), FILE));
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    expect(trainAt(records, 200).metrics[METRIC.rewardMean]).toBe(0.925);
  });
});

describe('trlStdout on bad and unusual input', () => {
  const text = [
    'Loading checkpoint shards: 100%|██████████| 4/4',
    "{'loss': 0.5, 'reward': 0.25, 'kl': nan, 'entropy': None, 'epoch': 0.01}",
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
