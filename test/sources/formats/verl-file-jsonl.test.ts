import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../src/core/metric-names.js';
import { verlFileJsonl } from '../../../src/sources/formats/verl-file-jsonl.js';
import { problemsOf, runLines, stepsOf } from './run-format.js';

// No real file of this format is in ../shared/realdata: lines are written the way verl's
// `file` logger writes them (json.dumps({"step": step, "data": data})).
describe('verlFileJsonl', () => {
  it('reads {"step","data"} lines under canonical and raw names, NaN as missing', () => {
    const text = [
      '{"step": 1, "data": {"critic/score/mean": 0.25, "response_length/mean": 310.5, "actor/entropy": NaN}}',
      '',
      '{"step": 2, "data": {"critic/score/mean": 0.5, "response_length/clip_ratio": 0.125}}',
    ].join('\n');
    const items = runLines(verlFileJsonl, text);
    expect(problemsOf(items)).toEqual([]);
    const records = stepsOf(items);
    expect(records.map((r) => [r.step, r.metrics[METRIC.rewardMean]])).toEqual([[1, 0.25], [2, 0.5]]);
    expect(records[0]?.metrics[METRIC.lengthMean]).toBe(310.5);
    expect(records[0]?.raw?.['response_length/mean']).toBe(310.5);
    expect(records[0]?.missing).toBe(1);
    expect(records[1]?.metrics[METRIC.lengthClipRatio]).toBe(0.125);
  });

  it('reports garbage, a row without step and non-numeric values by line; good rows still count', () => {
    const text = [
      '{"step": 1, "data": {"critic/score/mean": 0.1}}',
      'Traceback (most recent call last):',
      '{"data": {"critic/score/mean": 0.2}}',
      '{"step": 3, "data": {"critic/score/mean": 0.3, "note": "warm"}}',
      '{"step": 4, "data": [1, 2]}',
      '{"step": 5, "data": {"critic/score/mean": 0.5}',
    ].join('\n');
    const items = runLines(verlFileJsonl, text, 'f.jsonl');
    expect(stepsOf(items).map((r) => [r.step, r.metrics[METRIC.rewardMean]])).toEqual([[1, 0.1], [3, 0.3]]);
    const problems = problemsOf(items);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(problems[1]?.reason).toBe('no numeric "step"');
    expect(problems[2]?.reason).toBe('step 3: non-numeric values for note');
    expect(problems[3]?.reason).toBe('expected an object {"step": n, "data": {...}}');
    expect(problems[0]?.reason).toMatch(/^not valid JSON/);
    expect(problems[4]?.excerpt).toBe('{"step": 5, "data": {"critic/score/mean": 0.5}');
  });
});

describe('verl file logger detection across versions', () => {
  it('claims lines whose step and data come in any order, with extra keys such as elapsed_seconds', () => {
    expect(verlFileJsonl.detect('{"step": 0, "elapsed_seconds": 5.5, "data": {"critic/score/mean": 0.4}}\n')).toBe(true);
    expect(verlFileJsonl.detect('{"data": {"critic/score/mean": 0.4}, "step": 3}\n')).toBe(true);
    expect(verlFileJsonl.detect('{"step": 3, "reward": 0.4, "response": "data"}\n')).toBe(false);
  });
});
