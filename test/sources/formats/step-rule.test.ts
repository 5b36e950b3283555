// Every adapter holds trainer steps to goodhart's own decoder rule: a non-negative integer (5.0,
// which JSON reads as 5, is fine); a negative or fractional step is reported, the line dropped.
import { describe, expect, it } from 'vitest';
import { sampleComponents, sampleComponentsFormat } from '../../../src/sources/formats/sample-components-jsonl.js';
import { trlLogHistory } from '../../../src/sources/formats/trl-log-history.js';
import { verlFileJsonl } from '../../../src/sources/formats/verl-file-jsonl.js';
import { verlRollout } from '../../../src/sources/formats/verl-rollout-jsonl.js';
import { eventsOf, problemsOf, runLines, runWhole, stepsOf } from './run-format.js';

const STEPS = ['5.0', '-1', '2.5', '0'];
const REASONS = ['"step" must be a non-negative integer, got -1', '"step" must be a non-negative integer, got 2.5'];

describe('trainer steps must be non-negative integers', () => {
  it('verl file logger', () => {
    const items = runLines(verlFileJsonl, STEPS.map((step) => `{"step": ${step}, "data": {"critic/score/mean": 0.5}}`).join('\n'));
    expect(stepsOf(items).map((record) => record.step)).toEqual([5, 0]);
    expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[2, REASONS[0]], [3, REASONS[1]]]);
  });

  it('verl rollout dump', () => {
    const items = runLines(verlRollout, STEPS.map((step) => `{"input": "q", "output": "a", "score": 1, "step": ${step}}`).join('\n'));
    expect(eventsOf(items).map((event) => event.step)).toEqual([5, 0]);
    expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[2, REASONS[0]], [3, REASONS[1]]]);
  });

  it('per-sample components (and its defaultStep config)', () => {
    const items = runLines(sampleComponents, STEPS.map((step) => `{"scalar_reward": 1, "step": ${step}}`).join('\n'));
    expect(eventsOf(items).map((event) => event.step)).toEqual([5, 0]);
    expect(problemsOf(items).map((problem) => [problem.line, problem.reason])).toEqual([[2, REASONS[0]], [3, REASONS[1]]]);
    expect(() => sampleComponentsFormat({ defaultStep: -1 })).toThrow(RangeError);
    expect(() => sampleComponentsFormat({ defaultStep: 0.5 })).toThrow(/non-negative integer/);
  });

  it('TRL log_history', async () => {
    const items = await runWhole(trlLogHistory, `[${STEPS.map((step) => `{"step": ${step}, "loss": 0.5, "reward": 0.1}`).join(', ')}]`);
    expect(stepsOf(items).map((record) => record.step)).toEqual([5, 0]);
    expect(problemsOf(items).map((problem) => problem.reason)).toEqual([expect.stringContaining(REASONS[0]!), expect.stringContaining(REASONS[1]!)]);
  });
});
