import { describe, expect, it } from 'vitest';
import { METRIC, componentMean } from '../../../src/core/metric-names.js';
import { trlTrainerState } from '../../../src/sources/formats/trl-trainer-state.js';
import { realdata } from '../../support/paths.js';
import { problemsOf, runFile, runWhole, stepsOf, trainAt } from './run-format.js';

describe('trlTrainerState on the real multicomponent trainer_state.json', () => {
  it('reads 40 rows at steps 5..200 with no problems, kl rising from 7.8e-6 to 0.047', async () => {
    const items = await runFile(trlTrainerState, realdata('trl-grpo_multicomponent_trainer_state.json'));
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    expect(records[0]?.metrics[METRIC.kl]).toBe(7.837624616513495e-6);
    expect(records[0]?.raw?.['kl']).toBe(7.837624616513495e-6);
    expect(records.at(-1)?.metrics[METRIC.kl]).toBe(0.047279800102114675);
    const klMax = Math.max(...records.map((r) => r.metrics[METRIC.kl] ?? Number.NaN));
    expect(klMax).toBeCloseTo(0.05, 2);
  });

  it('names the five reward functions and aliases the legacy completion_length (step 100)', async () => {
    const records = stepsOf(await runFile(trlTrainerState, realdata('trl-grpo_multicomponent_trainer_state.json')));
    const s100 = trainAt(records, 100);
    for (const fn of ['diversity', 'format', 'oversight', 'pnl', 'risk']) {
      expect(s100.metrics[componentMean(`${fn}_reward_fn`)]).toBe(s100.raw?.[`rewards/${fn}_reward_fn/mean`]);
    }
    expect(s100.metrics[componentMean('format_reward_fn')]).toBe(1);
    expect(s100.raw?.['completion_length']).toBe(502.7);
    expect(s100.metrics[METRIC.lengthMean]).toBe(502.7);
    expect(s100.metrics[METRIC.lengthClipRatio]).toBe(0.95);
    expect(s100.metrics[METRIC.kl]).toBe(0.030853547248989345);
  });
});

describe('trlTrainerState on written-by-hand states', () => {
  const state = (rows: unknown[]): string => JSON.stringify({ global_step: 20, log_history: rows, logging_steps: 10 });

  it('skips the summary row and keeps eval rows apart with phase eval', async () => {
    const items = await runWhole(
      trlTrainerState,
      state([
        { reward: 0.2, loss: 0.1, step: 10 },
        { eval_reward: 0.3, eval_loss: 0.5, step: 10 },
        { reward: 0.4, loss: 0.05, step: 20 },
        { train_runtime: 12.5, train_loss: 0.07, total_flos: 0, train_samples_per_second: 1.2, epoch: 1, step: 20 },
      ]),
    );
    expect(problemsOf(items)).toEqual([]);
    expect(stepsOf(items).map((r) => [r.step, r.phase, r.metrics[METRIC.rewardMean]])).toEqual([
      [10, 'train', 0.2],
      [10, 'eval', 0.3],
      [20, 'train', 0.4],
    ]);
  });

  it('reports an object without log_history, and a row without step', async () => {
    expect(problemsOf(await runWhole(trlTrainerState, '{"global_step": 3}')).map((p) => p.reason)).toEqual([
      'expected a JSON object with a "log_history" array',
    ]);
    const items = await runWhole(trlTrainerState, state([{ reward: 1 }, { reward: 2, step: 7 }]));
    expect(problemsOf(items).map((p) => p.reason)).toEqual(['log_history[0] has no numeric "step"']);
    expect(stepsOf(items).map((r) => r.step)).toEqual([7]);
  });
});
