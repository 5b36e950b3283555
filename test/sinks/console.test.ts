import { describe, expect, it } from 'vitest';
import type { Alert, Verdict } from '../../src/core/types.js';
import { ConsoleSink, formatAlert, formatNumber, formatProblem, formatVerdict } from '../../src/sinks/console.js';

const alert: Alert = {
  id: 'repetition:response:40',
  detector: 'repetition',
  metric: 'response',
  severity: 'warning',
  signal: 'exploit',
  step: 42,
  message: '38% of responses repeat themselves',
  value: 0.38123,
  threshold: 0.2,
  since: 40,
  evidence: {
    stats: { share: 0.38123, baseline: 0.01 },
    samples: [
      { step: 41, group: 'g1', reward: 1, score: 0.9, response: 'yes yes yes\u001b]0;owned\u0007 yes' },
      { step: 42, response: 'x'.repeat(300) },
      { step: 42, response: 'third' },
      { step: 42, response: 'fourth' },
    ],
  },
  state: 'onset',
};

describe('formatAlert', () => {
  it('puts severity, detector, metric, state, message, value, threshold, onset and stats on one line, samples under it', () => {
    const lines = formatAlert(alert).split('\n');
    expect(lines[0]).toBe(
      '[step 42] WARNING repetition response onset: 38% of responses repeat themselves (value 0.3812, threshold 0.2, since step 40; share=0.3812 baseline=0.01)',
    );
    expect(lines[1]).toBe('    step 41, group g1, reward 1, score 0.9 "yes yes yes yes"');
    expect(lines[2]).toBe(`    step 42 "${'x'.repeat(99)}…"`);
    expect(lines).toHaveLength(5); // three samples by default, then the final newline
  });

  it('colours the severity when asked, and never lets model text carry escapes', () => {
    const coloured = formatAlert(alert, { color: true });
    expect(coloured).toContain('\u001b[33mWARNING\u001b[39m');
    expect(coloured).not.toContain('owned');
    expect(formatAlert({ ...alert, message: 'evil\u001b[2J\u001b[H' })).not.toContain('\u001b');
  });
});

describe('formatVerdict', () => {
  const verdict: Verdict = {
    status: 'hacking',
    reasons: [{ detector: 'formatGaming', metric: 'response/format', severity: 'critical', signal: 'exploit', since: 93, message: 'tags without answers' }],
    firstFlaggedStep: 90,
    worstSince: 93,
    current: 'warning',
    step: 150,
  };

  it('says the status, when it was first flagged, since when, what holds now, and each reason', () => {
    expect(formatVerdict(verdict)).toBe(
      'verdict: HACKING (first flagged at step 90, hacking since step 93, now warning)\n  - critical formatGaming response/format since step 93: tags without answers\n',
    );
    const tagged = { ...verdict, reasons: [{ ...verdict.reasons[0]!, tag: 'run-A' }] };
    expect(formatVerdict(tagged)).toContain('  - critical formatGaming response/format [run-A] since step 93: tags without answers\n');
    expect(formatVerdict({ status: 'healthy', reasons: [], step: 7 })).toBe('verdict: HEALTHY (through step 7)\n');
  });
});

describe('formatProblem and ConsoleSink', () => {
  it('prints file:line: reason (excerpt), with controls stripped', () => {
    expect(formatProblem({ source: 'run.jsonl', line: 3, reason: 'field "reward": expected a number', excerpt: '{"reward":"\u001b[31mx"}' })).toBe(
      'run.jsonl:3: field "reward": expected a number ({"reward":"x"})\n',
    );
    expect(formatProblem({ source: 'run.jsonl', line: 0, reason: 'file is empty', excerpt: '' })).toBe('run.jsonl: file is empty\n');
  });

  it('writes each kind through its writer', () => {
    const out: string[] = [];
    const sink = new ConsoleSink({ write: (text) => out.push(text) });
    sink.alert(alert);
    sink.problem({ source: 'f', line: 1, reason: 'r', excerpt: '' });
    expect(out[0]).toContain('WARNING repetition');
    expect(out[1]).toBe('input problem: f:1: r\n');
  });

  it('formats numbers with 4 significant digits and integers as they are', () => {
    expect([formatNumber(611), formatNumber(0.123456), formatNumber(1234.5678), formatNumber(Number.NaN)]).toEqual(['611', '0.1235', '1235', 'NaN']);
  });
});
