import { describe, expect, it } from 'vitest';
import { verlRollout, verlRolloutFormat } from '../../../src/sources/formats/verl-rollout-jsonl.js';
import { realdata } from '../../support/paths.js';
import { eventsOf, problemsOf, runFile, runLines } from './run-format.js';

const FILE = realdata('verl-rollout_sdpo_step1_head.jsonl');

// Expected values from PROVENANCE.md note 7, re-read with json.loads.
describe('verlRollout on the real SDPO step-1 dump', () => {
  it('reads 29 samples at step 1, 9 scoring 1.0, with no problems', async () => {
    const items = await runFile(verlRollout, FILE);
    const events = eventsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(events).toHaveLength(29);
    expect(events.every((e) => e.step === 1)).toBe(true);
    expect(events.filter((e) => e.reward === 1).length).toBe(9);
    expect(events.filter((e) => e.reward === 0).length).toBe(20);
    expect(events.every((e) => e.meta?.['acc'] === e.reward && e.meta?.['incorrect_format'] === 0)).toBe(true);
    expect(events.every((e) => e.components === undefined)).toBe(true);
    expect(events[0]?.length).toBe(345);
  });

  it('re-forms groups from identical inputs: 19 singletons and five groups of two', async () => {
    const events = eventsOf(await runFile(verlRollout, FILE));
    const sizes = new Map<string, number>();
    for (const e of events) sizes.set(e.group ?? '', (sizes.get(e.group ?? '') ?? 0) + 1);
    expect([...sizes.values()].sort()).toEqual([...Array<number>(19).fill(1), 2, 2, 2, 2, 2]);
    // Coinbase lines 25-26 both score 1.0, Currents lines 28-29 both 0.0
    expect(events[24]?.group).toBe(events[25]?.group);
    expect([events[24]?.reward, events[25]?.reward]).toEqual([1, 1]);
    expect(events[27]?.group).toBe(events[28]?.group);
    expect([events[27]?.reward, events[28]?.reward]).toEqual([0, 0]);
    expect(events[24]?.prompt).toBe(events[25]?.prompt);
    expect(events[24]?.response).not.toBe(events[25]?.response);
  });

  it('reads named extra keys as components when configured', async () => {
    const events = eventsOf(await runFile(verlRolloutFormat({ components: ['acc', 'incorrect_format'] }), FILE));
    expect(events[2]?.components).toEqual({ acc: 1, incorrect_format: 0 });
    expect(events[2]?.meta?.['acc']).toBeUndefined();
    expect(() => verlRolloutFormat({ components: ['score'] })).toThrow(RangeError);
  });
});

describe('verlRollout on bad input', () => {
  it('reports garbage, a sample without step and non-string text by line; good samples still count', () => {
    const text = [
      '{"input": "q1", "output": "a😀b", "gts": "x", "score": 0.5, "step": 3}',
      'not json',
      '{"input": "q1", "output": "c", "score": 1.0}',
      '{"input": "q2", "output": 7, "score": 1.0, "step": 3}',
      '{"input": "q2", "output": "d", "score": "high", "step": 3}',
      '{"input": "q1", "output": "e", "score": NaN, "step": 3}',
    ].join('\n');
    const items = runLines(verlRollout, text, 'r.jsonl');
    const events = eventsOf(items);
    expect(events.map((e) => [e.response, e.reward, e.length])).toEqual([
      ['a😀b', 0.5, 3],
      ['d', undefined, 1],
      ['e', undefined, 1],
    ]);
    expect(events[0]?.group).toBe(events[2]?.group);
    expect(events[0]?.group).not.toBe(events[1]?.group);
    expect(problemsOf(items).map((p) => [p.line, p.reason])).toEqual([
      [2, expect.stringMatching(/^not valid JSON/) as unknown],
      [3, 'no numeric "step"'],
      [4, '"input" and "output" must be strings'],
      [5, 'non-numeric "score" (the sample is kept without a reward)'],
    ]);
  });
});
