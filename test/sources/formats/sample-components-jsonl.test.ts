import { describe, expect, it } from 'vitest';
import { sampleComponents, sampleComponentsFormat } from '../../../src/sources/formats/sample-components-jsonl.js';
import { realdata } from '../../support/paths.js';
import { eventsOf, problemsOf, runFile, runLines } from './run-format.js';

const FILE = realdata('trl-grpo_completions_5components.jsonl');

// Expected values from PROVENANCE.md note 8 and the run's own report (reward mean 0.078125,
// 545 generated tokens), re-read with json.loads.
describe('sampleComponents on the real 5-component completions file', () => {
  it('reads 16 samples with reward mean 0.078125 and 545 tokens, no problems', async () => {
    const items = await runFile(sampleComponents, FILE);
    const events = eventsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(events).toHaveLength(16);
    const rewards = events.map((e) => e.reward ?? Number.NaN);
    expect(rewards.reduce((a, b) => a + b, 0) / 16).toBeCloseTo(0.078125, 12);
    expect(events.reduce((sum, e) => sum + (e.length ?? 0), 0)).toBe(545);
    expect(events.every((e) => e.step === 0)).toBe(true);
  });

  it('maps the five *_component fields, which sum to the reward on every line', async () => {
    const events = eventsOf(await runFile(sampleComponents, FILE));
    for (const e of events) {
      expect(Object.keys(e.components ?? {}).sort()).toEqual(['answer_block', 'correctness', 'exact_number_usage', 'strict_protocol', 'valid_expression']);
      const sum = Object.values(e.components ?? {}).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(e.reward ?? Number.NaN, 12);
    }
    expect(events.filter((e) => e.components?.['answer_block'] === 0.05)).toHaveLength(15);
    expect(events.every((e) => e.components?.['correctness'] === 0)).toBe(true);
  });

  it('groups by prompt_hash (4 x 4) and keeps the one 128-token truncated sample', async () => {
    const events = eventsOf(await runFile(sampleComponents, FILE));
    const sizes = new Map<string, number>();
    for (const e of events) sizes.set(e.group ?? '', (sizes.get(e.group ?? '') ?? 0) + 1);
    expect([...sizes.values()]).toEqual([4, 4, 4, 4]);
    const capped = events.filter((e) => e.length === 128);
    expect(capped.map((e) => [e.meta?.['completion_index'], e.reward])).toEqual([[11, 0]]);
    expect(events[0]?.meta?.['reward_status']).toBe('format_error');
    expect(events[0]?.meta?.['completion_ids']).toBeUndefined();
    expect(events[0]?.meta?.['raw_completion']).toBeUndefined();
  });
});

describe('sampleComponents on bad input', () => {
  it('reports bad lines by number and keeps the good ones; honours step and defaultStep', () => {
    const text = [
      '{"scalar_reward": 0.5, "a_component": 0.25, "b_component": 0.25, "decoded_completion": "x", "prompt": "p"}',
      '{"scalar_reward": "lots", "a_component": 1}',
      '{"scalar_reward": 0.1, "a_component": 0.1, "step": "three"}',
      '[1, 2]',
      '{"scalar_reward": 0.2, "a_component": 0.2, "step": 9}',
    ].join('\n');
    const items = runLines(sampleComponentsFormat({ defaultStep: 4 }), text, 's.jsonl');
    expect(eventsOf(items).map((e) => [e.step, e.reward, e.length])).toEqual([
      [4, 0.5, 1],
      [9, 0.2, undefined],
    ]);
    expect(problemsOf(items).map((p) => [p.line, p.reason])).toEqual([
      [2, 'non-numeric reward'],
      [3, 'non-numeric "step"'],
      [4, 'expected a JSON object (one scored sample)'],
    ]);
    expect(() => sampleComponentsFormat({ defaultStep: Number.NaN })).toThrow(RangeError);
  });

  it('reports and skips a JSON object with no reward, component or response, and keeps a sample with any one of them', () => {
    const text = [
      '{"scalar_reward": 0.5, "a_component": 0.5, "completion": "x"}',
      '{"x": "aaa"}',
      '{"foo": 1, "bar": "z", "step": 3}',
      '{}',
      '{"reward": null}',
      '{"a_component": 0.25}',
      '{"response": "no score yet"}',
    ].join('\n');
    const items = runLines(sampleComponents, text, 's.jsonl');
    expect(eventsOf(items).map((e) => [e.reward, e.components, e.response])).toEqual([
      [0.5, { a: 0.5 }, 'x'],
      [undefined, undefined, undefined],
      [undefined, { a: 0.25 }, undefined],
      [undefined, undefined, 'no score yet'],
    ]);
    const reason = 'not a scored sample: none of scalar_reward, reward, <name>_component, decoded_completion, completion, response';
    expect(problemsOf(items).map((p) => [p.source, p.line, p.reason, p.excerpt])).toEqual([
      ['s.jsonl', 2, reason, '{"x": "aaa"}'],
      ['s.jsonl', 3, reason, '{"foo": 1, "bar": "z", "step": 3}'],
      ['s.jsonl', 4, reason, '{}'],
    ]);
  });
});
