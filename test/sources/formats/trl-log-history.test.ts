import { describe, expect, it } from 'vitest';
import { METRIC, componentMean } from '../../../src/core/metric-names.js';
import { trlLogHistory } from '../../../src/sources/formats/trl-log-history.js';
import { realdata } from '../../support/paths.js';
import { problemsOf, runFile, runWhole, stepsOf, trainAt } from './run-format.js';

// Expected values read out of the files with a throwaway Python script (json.load).
describe('trlLogHistory on real files', () => {
  it('reads the collapse run: 40 rows at steps 5..200, summary row skipped, no problems', async () => {
    const items = await runFile(trlLogHistory, realdata('trl-grpo_qwen35_collapse_step_logs.json'));
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    expect(records.every((r) => r.phase === 'train')).toBe(true);
    // the collapse: reward 0.875 -> 0.4125 -> 0.025 at steps 150, 155, 160
    expect([150, 155, 160].map((s) => trainAt(records, s).metrics[METRIC.rewardMean])).toEqual([0.875, 0.4125, 0.025]);
    expect([150, 155, 160].map((s) => trainAt(records, s).raw?.['reward'])).toEqual([0.875, 0.4125, 0.025]);
    const s160 = trainAt(records, 160);
    expect(s160.metrics[METRIC.entropy]).toBe(1.7143198251724243);
    expect(s160.metrics[METRIC.lengthClipRatio]).toBe(0.9625);
    expect(s160.raw?.['completions/clipped_ratio']).toBe(0.9625);
    expect(s160.metrics[METRIC.groupsZeroStdFrac]).toBe(0.9);
    expect(s160.raw?.['frac_reward_zero_std']).toBe(0.9);
    expect(trainAt(records, 5).metrics[componentMean('reward_fn')]).toBe(0.2);
    expect(trainAt(records, 5).raw?.['rewards/reward_fn/mean']).toBe(0.2);
    // the summary row's train_runtime is in no record
    expect(records.some((r) => r.raw?.['train_runtime'] !== undefined)).toBe(false);
    expect(records.every((r) => r.missing === 0)).toBe(true);
  });

  it('reads the saturation run: reward 0.125 at step 5, 0.9 and mean length 201.79 at step 200', async () => {
    const items = await runFile(trlLogHistory, realdata('trl-grpo_qwen35_saturation_step_logs.json'));
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records).toHaveLength(40);
    expect(trainAt(records, 5).metrics[METRIC.rewardMean]).toBe(0.125);
    expect(trainAt(records, 200).metrics[METRIC.rewardMean]).toBe(0.9);
    expect(trainAt(records, 200).metrics[METRIC.lengthMean]).toBe(201.7875);
    expect(trainAt(records, 200).raw?.['completions/mean_length']).toBe(201.7875);
  });
});

describe('trlLogHistory on bad input', () => {
  it('reports a row without step, a non-object and non-numeric values by index, and keeps the good rows', async () => {
    const text = JSON.stringify([
      { loss: 0.5, reward: 0.1, step: 1 },
      { loss: 0.4, reward: 0.2 },
      'garbage',
      { loss: 'oops', reward: 0.3, step: 3 },
      { reward: 0.4, step: 4 },
    ]);
    const items = await runWhole(trlLogHistory, text, 'h.json');
    expect(stepsOf(items).map((r) => [r.step, r.metrics[METRIC.rewardMean]])).toEqual([[1, 0.1], [3, 0.3], [4, 0.4]]);
    const problems = problemsOf(items);
    expect(problems.map((p) => p.reason)).toEqual([
      'log_history[1] has no numeric "step"',
      'log_history[2] is not an object',
      'log_history[3] (step 3) has non-numeric values for loss',
    ]);
    expect(problems.every((p) => p.source === 'h.json' && p.line === 0)).toBe(true);
    expect(problems[0]?.excerpt).toBe('{"loss":0.4,"reward":0.2}');
  });

  it("reads Python's bare NaN and null as missing values", async () => {
    const items = await runWhole(trlLogHistory, '[{"loss": NaN, "reward": 0.5, "kl": null, "step": 2}]');
    const [record] = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(record?.missing).toBe(2);
    expect(record?.metrics).toEqual({ [METRIC.rewardMean]: 0.5 });
  });

  it('gives eval rows phase eval, under the same canonical names', async () => {
    const items = await runWhole(trlLogHistory, '[{"reward": 0.5, "step": 10}, {"eval_reward": 0.7, "eval_loss": 0.2, "step": 10}]');
    const records = stepsOf(items);
    expect(records.map((r) => [r.step, r.phase, r.metrics[METRIC.rewardMean]])).toEqual([[10, 'train', 0.5], [10, 'eval', 0.7]]);
  });

  it('reports a truncated file once, with the JSON error, and emits nothing else', async () => {
    const items = await runWhole(trlLogHistory, '[{"reward": 0.5, "step": 10}, {"rew', 'cut.json');
    expect(items).toHaveLength(1);
    expect(problemsOf(items)[0]?.reason).toMatch(/^not valid JSON: /);
    expect(problemsOf(items)[0]?.source).toBe('cut.json');
  });

  it('reports a JSON document that is not an array', async () => {
    const items = await runWhole(trlLogHistory, '{"a": 1}');
    expect(problemsOf(items).map((p) => p.reason)).toEqual(['expected a JSON array of log_history rows']);
  });
});
