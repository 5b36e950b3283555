import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { goodhartJsonl } from '../../../src/sources/formats/goodhart-jsonl.js';
import type { Ingested } from '../../../src/sources/ingested.js';

/** Runs lines through a fresh parser, numbering them from 1. */
function parse(lines: readonly string[]): Ingested[] {
  const parser = goodhartJsonl.createParser('run.jsonl');
  return [...lines.flatMap((text, k) => parser.line(text, k + 1)), ...parser.end()];
}

const problems = (items: readonly Ingested[]) => items.flatMap((item) => (item.kind === 'problem' ? [item.problem] : []));
const records = (items: readonly Ingested[]) => items.filter((item) => item.kind !== 'problem');

describe('goodhart JSONL lines', () => {
  it('decodes events and step records, Python NaN tokens as missing values, an infinite one reported', () => {
    const line2 = '{"step": 1, "metrics": {"reward": 0.25, "kl": Infinity}}';
    const items = parse(['{"step": 1, "reward": 0.5, "components": {"format": 1, "correct": NaN}, "group": 7, "response": "hi"}', line2]);
    expect(items).toEqual([
      { kind: 'event', event: { step: 1, reward: 0.5, components: { format: 1 }, group: '7', response: 'hi' } },
      { kind: 'step', record: { step: 1, metrics: { 'reward/mean': 0.25 }, raw: { reward: 0.25 }, missing: 1 } },
      { kind: 'problem', problem: { source: 'run.jsonl', line: 2, reason: 'metrics.kl is Infinity (not finite); treated as missing', excerpt: line2 } },
    ]);
  });

  it('reports truncated JSON, binary garbage and wrong types with line, reason and escaped excerpt, and keeps the good lines', () => {
    const items = parse([
      '{"step": 1, "reward": 0.5}',
      '{"step": 2, "reward": 0.',
      '\u0000\u0001\uFFFD\u001b[2J',
      '{"step": 3, "reward": "high"}',
      '{"step": "four", "reward": 1}',
      '[1, 2, 3]',
      '{"step": 5, "reward": 0.75}',
    ]);
    expect(records(items).map((item) => (item.kind === 'event' ? item.event.step : -1))).toEqual([1, 5]);
    const found = problems(items);
    expect(found.map((problem) => problem.line)).toEqual([2, 3, 4, 5, 6]);
    expect(found.every((problem) => problem.source === 'run.jsonl')).toBe(true);
    expect(found[0]!.reason).toMatch(/^not valid JSON: .*position 24$/);
    expect(found[0]!.excerpt).toBe('{"step": 2, "reward": 0.');
    expect(found[1]!.reason).toMatch(/^not valid JSON/);
    expect(found[1]!.excerpt).toBe('\\u0000\\u0001\uFFFD\\u001b[2J');
    expect(found[2]!.reason).toBe('field "reward": expected a finite number or null, got string "high"');
    expect(found[3]!.reason).toBe('field "step": expected a non-negative integer, got string "four"');
    expect(found[4]!.reason).toBe('field "(record)": expected a JSON object, got an array of 3');
  });

  it('skips blank lines, alert and verdict lines without a problem', () => {
    const items = parse([
      '',
      '   ',
      '{"type": "verdict", "status": "healthy", "reasons": [], "step": 3}',
      '{"step": 4, "reward": 1}',
    ]);
    expect(items).toEqual([{ kind: 'event', event: { step: 4, reward: 1 } }]);
  });

  it('takes many events at one step as normal, and reports a backwards jump once, keeping every event', () => {
    const items = parse(['{"step":5,"reward":1}', '{"step":5,"reward":0}', '{"step":6,"reward":1}', '{"step":2,"reward":1}', '{"step":2,"reward":0}', '{"step":3,"reward":1}']);
    expect(records(items)).toHaveLength(6);
    expect(problems(items)).toEqual([
      {
        source: 'run.jsonl',
        line: 4,
        reason: 'event step went backwards: 2 after 6 at line 3 (a resumed run?); record kept',
        excerpt: '{"step":2,"reward":1}',
      },
    ]);
  });

  it('follows the event step across ordinary lines and lines the precise decoder takes (missing values, meta)', () => {
    const items = parse(['{"step":5,"reward":1}', '{"step":6,"reward":null}', '{"step":2,"reward":1}', '{"step":7,"note":"x"}', '{"step":3,"reward":NaN}']);
    expect(records(items)).toHaveLength(5);
    expect(problems(items).map((problem) => problem.reason)).toEqual([
      'event step went backwards: 2 after 6 at line 2 (a resumed run?); record kept',
      'event step went backwards: 3 after 7 at line 4 (a resumed run?); record kept',
    ]);
  });

  it('reports a duplicate step record (kept) and a step record going backwards (kept), per phase', () => {
    const items = parse([
      '{"step": 10, "metrics": {"loss": 1}}',
      '{"step": 10, "metrics": {"loss": 2}, "phase": "eval"}',
      '{"step": 10, "metrics": {"kl": 0.1}}',
      '{"step": 20, "metrics": {"loss": 1}}',
      '{"step": 15, "metrics": {"loss": 1}}',
    ]);
    expect(records(items)).toHaveLength(5);
    expect(problems(items).map((problem) => [problem.line, problem.reason])).toEqual([
      [3, 'duplicate train step 10 (also at line 1); both kept, the later wins'],
      [5, 'train record step went backwards: 15 after 20 at line 4 (a resumed run?); record kept'],
    ]);
  });

  it('turns every non-blank line into exactly one record or one problem, whatever the text (property)', () => {
    const line = fc.oneof(fc.string(), fc.json(), fc.record({ step: fc.nat(), reward: fc.double() }).map((value) => JSON.stringify(value)));
    fc.assert(
      fc.property(line, (raw) => {
        const text = raw.replace(/\n/g, ' ');
        // Alert and verdict lines are skipped by design; random text names them only by chance.
        fc.pre(!/detector|status|"type"/.test(text));
        const items = parse([text]);
        expect(items).toHaveLength(text.trim() === '' ? 0 : 1);
        for (const item of problems(items)) expect(item.line).toBe(1);
      }),
    );
  });
});

describe('goodhart JSONL detection', () => {
  it('recognises event and step lines', () => {
    expect(goodhartJsonl.detect('{"step": 1, "reward": 0.5}\n')).toBe(true);
    expect(goodhartJsonl.detect('\n{"step": 1, "reward": NaN}\n')).toBe(true);
    expect(goodhartJsonl.detect('{"step": 3, "metrics": {"kl": 0.1}}')).toBe(true);
    expect(goodhartJsonl.detect('{"type": "event", "step": 0, "response": "x"}')).toBe(true);
  });

  it('looks past a malformed first line, and judges a line cut by the end of the head by its start', () => {
    expect(goodhartJsonl.detect('{"step": 1, "rew\n{"step": 1, "reward": 0.5}\n')).toBe(true);
    expect(goodhartJsonl.detect('{"step": 1, "reward": 0.5, "response": "very long')).toBe(true);
    expect(goodhartJsonl.detect('{"step": 1, "response": "very long')).toBe(false);
  });

  it('leaves other JSON lines alone', () => {
    expect(goodhartJsonl.detect('{"step": 1, "data": {"reward": 0.5}}')).toBe(false);
    expect(goodhartJsonl.detect('{"input": "q", "output": "a", "score": 1, "step": 1}')).toBe(false);
    expect(goodhartJsonl.detect('[{"step": 1, "reward": 0.5}]')).toBe(false);
    expect(goodhartJsonl.detect('{"reward": 0.5}')).toBe(false);
    expect(goodhartJsonl.detect('')).toBe(false);
  });
});
