/**
 * verl's `console` logger: one line per step, `step:<n> - <key>:<value> - ...`, numeric values
 * only, usually behind an ANSI colour code and a Ray actor prefix (`(TaskRunner pid=…)`,
 * `(main_task pid=…)`). Keys may hold parentheses, digits and `@` (`actor/lr(1e-4)`,
 * `val-core/openai/gsm8k/reward/mean@1`); a pair splits at its last colon.
 *
 * Lines that do not start with `step:<n> - ` (after the colour codes and prefix) are noise. A
 * step line with malformed pairs (no colon, empty key, non-numeric value) yields one problem
 * naming them, and a StepRecord from its good pairs: one bad pair never costs the whole step.
 * Each step line is its own record; verl sometimes logs validation before training under the
 * same step (`step:0 - val-core/...` then `step:0 - timing/...`).
 */
import type { LineFormat, LineParser } from '../format.js';
import type { Ingested } from '../ingested.js';
import { infinityReason, listNames, problem, stepItem } from './adapter-kit.js';
import { setOwn } from '../../core/own-key.js';

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** Ray's actor prefix: `(TaskRunner pid=123)`, `(main_task pid=9, ip=10.0.0.1)`. */
const RAY_PREFIX = /^\s*\([\w.-]+ pid=\d+(?:, ip=[\w.:-]+)?\)\s*/;
const STEP_LINE = /^step:(\d+)(?:\s+-\s*(.*))?$/;
const NUMBER = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf|infinity)$/i;

/** The line without colour codes and actor prefix. */
export const stripVerlDecoration = (text: string): string =>
  text.replace(ANSI, '').replace(RAY_PREFIX, '').trimEnd();

const parseNumber = (text: string): number => {
  const lower = text.toLowerCase();
  if (lower.endsWith('nan')) return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) {
    return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return Number(text);
};

const createParser = (source: string): LineParser => ({
  line: (text, line) => {
    if (!text.includes('step:')) return [];
    const match = STEP_LINE.exec(stripVerlDecoration(text));
    if (match === null) return [];
    const step = Number(match[1]);
    // Beyond 2^53 the digits no longer name one step (and 309 of them read as Infinity).
    if (!Number.isSafeInteger(step)) return [problem(source, line, `step number too large (${String(match[1]!.length)} digits)`, text)];
    const pairs = match[2] ?? '';
    if (pairs.trim() === '') return [problem(source, line, `step ${String(step)}: no key:value pairs`, text)];
    const row: Record<string, number> = {};
    const bad: string[] = [];
    for (const pair of pairs.split(' - ')) {
      const colon = pair.lastIndexOf(':');
      const key = pair.slice(0, colon).trim();
      const value = pair.slice(colon + 1).trim();
      if (colon <= 0 || key === '' || !NUMBER.test(value)) bad.push(pair);
      else setOwn(row, key, parseNumber(value));
    }
    const out: Ingested[] = [];
    if (bad.length > 0) {
      const shown = listNames(bad.map((pair) => JSON.stringify(pair)));
      out.push(problem(source, line, `step ${String(step)}: malformed key:value pairs ${shown}`, text));
    }
    const infinite = infinityReason(row);
    if (infinite !== undefined) out.push(problem(source, line, `step ${String(step)}: ${infinite}`, text));
    if (Object.keys(row).length > 0) out.push(stepItem(step, row));
    return out;
  },
  end: () => [],
});

export const verlConsole: LineFormat = {
  kind: 'lines',
  name: 'verl-console',
  detect: (head) =>
    /verl\.trainer\.main_\w+/.test(head) ||
    /\((?:TaskRunner|main_task) pid=\d+/.test(head) ||
    head.split('\n').some((line) => /^step:\d+ - [^:]+:/.test(stripVerlDecoration(line))),
  createParser,
};
