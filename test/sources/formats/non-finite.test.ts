// Non-finite numbers in every format: NaN is a missing value and says nothing (trainers log it
// for metrics not computed at a step); an infinite value is missing too, but reported with its
// file, line, field and value, since it means something blew up.
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { infinityReason } from '../../../src/sources/formats/adapter-kit.js';
import { goodhartJsonl } from '../../../src/sources/formats/goodhart-jsonl.js';
import { sampleComponents } from '../../../src/sources/formats/sample-components-jsonl.js';
import { trlCompletionsParquet } from '../../../src/sources/formats/trl-completions-parquet.js';
import { trlLogHistory } from '../../../src/sources/formats/trl-log-history.js';
import { trlStdout } from '../../../src/sources/formats/trl-stdout.js';
import { trlTrainerState } from '../../../src/sources/formats/trl-trainer-state.js';
import { verlConsole } from '../../../src/sources/formats/verl-console.js';
import { verlFileJsonl } from '../../../src/sources/formats/verl-file-jsonl.js';
import { verlRollout } from '../../../src/sources/formats/verl-rollout-jsonl.js';
import type { LineFormat } from '../../../src/sources/format.js';
import { decodeFrame } from '../../../src/sources/ws-frame.js';
import { eventsOf, problemsOf, runLines, runWhole, stepsOf } from './run-format.js';

describe('infinityReason', () => {
  it('names each infinite value, one level into nested objects, and says nothing of NaN, null or arrays', () => {
    expect(infinityReason({ step: 3, kl: Infinity, loss: Number.NaN, x: null })).toBe('kl is Infinity (not finite); treated as missing');
    expect(infinityReason({ metrics: { kl: -Infinity, entropy: Number.NaN }, reward: Infinity })).toBe(
      'metrics.kl is -Infinity, reward is Infinity (not finite); treated as missing',
    );
    expect(infinityReason({ ids: [Infinity], deep: { deeper: { x: Infinity } }, text: 'Infinity' })).toBeUndefined();
    expect(infinityReason({ loss: Number.NaN, reward: 1e308 })).toBeUndefined();
  });

  it('keeps a row of many infinite values to one short reason', () => {
    const row = Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`m${String(k)}`, Infinity]));
    expect(infinityReason(row)).toBe('m0 is Infinity, m1 is Infinity, m2 is Infinity, m3 is Infinity, m4 is Infinity and 35 more (not finite); treated as missing');
  });
});

/** Problems of the second line of a two-line text (the first line is clean), as [line, reason]. */
const lineProblems = (format: LineFormat, lines: readonly string[]) => {
  const items = runLines(format, lines.join('\n'), 'f');
  return { items, problems: problemsOf(items).map((problem) => [problem.source, problem.line, problem.reason]) };
};

describe('an infinite value is reported and read as missing; NaN is read as missing without a word', () => {
  it('goodhart JSONL: events and step records, off the fast path only', () => {
    const { items, problems } = lineProblems(goodhartJsonl, [
      '{"step": 0, "reward": 0.5}',
      '{"step": 1, "reward": Infinity, "response": "x"}',
      '{"step": 1, "reward": NaN}',
      '{"step": 1, "metrics": {"kl": Infinity, "entropy": NaN, "loss": 0.25}}',
      '{"step": 2, "reward": 1e400}',
    ]);
    expect(problems).toEqual([
      ['f', 2, 'reward is Infinity (not finite); treated as missing'],
      ['f', 4, 'metrics.kl is Infinity (not finite); treated as missing'],
      ['f', 5, 'reward is Infinity (not finite); treated as missing'],
    ]);
    expect(eventsOf(items).map((event) => event.reward)).toEqual([0.5, undefined, undefined, undefined]);
    expect(stepsOf(items)).toEqual([{ step: 1, metrics: { loss: 0.25 }, missing: 2 }]);
  });

  it('verl file logger', () => {
    const { items, problems } = lineProblems(verlFileJsonl, ['{"step": 1, "data": {"critic/kl": Infinity, "actor/entropy": NaN, "critic/score/mean": 0.5}}']);
    expect(problems).toEqual([['f', 1, 'step 1: critic/kl is Infinity (not finite); treated as missing']]);
    expect(stepsOf(items)[0]?.missing).toBe(2);
  });

  it('verl console', () => {
    const { items, problems } = lineProblems(verlConsole, ['step:3 - actor/grad_norm:inf - actor/entropy:nan - critic/score/mean:0.5']);
    expect(problems).toEqual([['f', 1, 'step 3: actor/grad_norm is Infinity (not finite); treated as missing']]);
    expect(stepsOf(items)[0]?.missing).toBe(2);
  });

  it('TRL console output', () => {
    const { items, problems } = lineProblems(trlStdout, ["{'loss': 0.1, 'grad_norm': inf, 'kl': nan, 'reward': 0.5}"]);
    expect(problems).toEqual([['f', 1, 'grad_norm is Infinity (not finite); treated as missing']]);
    expect(stepsOf(items)[0]?.missing).toBe(2);
  });

  it('verl rollout dumps', () => {
    const { items, problems } = lineProblems(verlRollout, ['{"input": "q", "output": "a", "score": -Infinity, "acc": NaN, "step": 1}']);
    expect(problems).toEqual([['f', 1, 'score is -Infinity (not finite); treated as missing']]);
    expect(eventsOf(items)[0]?.reward).toBeUndefined();
  });

  it('per-sample components JSONL', () => {
    const { items, problems } = lineProblems(sampleComponents, ['{"scalar_reward": Infinity, "format_component": NaN, "correct_component": 1, "completion": "a"}']);
    expect(problems).toEqual([['f', 1, 'scalar_reward is Infinity (not finite); treated as missing']]);
    expect(eventsOf(items)[0]).toMatchObject({ components: { correct: 1 } });
    expect(eventsOf(items)[0]?.reward).toBeUndefined();
  });

  it('log_history arrays and trainer_state.json, by row', async () => {
    const rows = '[{"loss": NaN, "reward": 0.5, "step": 1}, {"grad_norm": Infinity, "reward": 0.5, "step": 2}]';
    for (const [format, text, where] of [
      [trlLogHistory, rows, 'log_history[1] (step 2)'],
      [trlTrainerState, `{"global_step": 2, "log_history": ${rows}}`, 'log_history[1] (step 2)'],
    ] as const) {
      const items = await runWhole(format, text, 'h.json');
      expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[0, `${where}: grad_norm is Infinity (not finite); treated as missing`]]);
      expect(stepsOf(items).map((record) => record.missing)).toEqual([1, 1]);
    }
  });

  it('TRL completions parquet, by row', async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'step', data: [1n, 1n], type: 'INT64' },
          { name: 'prompt', data: ['p', 'p'], type: 'STRING' },
          { name: 'completion', data: ['a', 'b'], type: 'STRING' },
          { name: 'accuracy_reward', data: [Number.NaN, Infinity], type: 'DOUBLE' },
          { name: 'format_reward', data: [0.5, 0.5], type: 'DOUBLE' },
        ],
      }),
    );
    const items = await runWhole(trlCompletionsParquet, bytes, 'c.parquet');
    expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[0, 'row 1: accuracy_reward is Infinity (not finite); treated as missing']]);
    expect(eventsOf(items).map((event) => event.reward)).toEqual([0.5, 0.5]);
  });

  it('websocket frames, by element', () => {
    const items = decodeFrame('[{"step": 1, "reward": NaN}, {"step": 1, "reward": Infinity}]', 'ws', 4);
    expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[4, 'item 1: reward is Infinity (not finite); treated as missing']]);
    expect(eventsOf(items)).toEqual([{ step: 1 }, { step: 1 }]);
  });
});
