/**
 * Small pieces every trainer-log adapter shares: building problem items with readable excerpts,
 * turning a trainer's metric row into a StepRecord through the alias table, stable group ids,
 * a JSON reader that accepts the bare `NaN`/`Infinity` tokens Python's `json.dumps` writes, and
 * the report of infinite values.
 */
import { createHash } from 'node:crypto';
import { canonicalizeMetrics } from '../../core/aliases.js';
import { parseJsonLine } from '../../core/json-line.js';
import { excerpt } from '../excerpt.js';
import type { Ingested } from '../ingested.js';
import { setOwn } from '../../core/own-key.js';

/** A problem item on the side channel, its excerpt cut and escaped by sources/excerpt. */
export const problem = (source: string, line: number, reason: string, text: string): Ingested => ({
  kind: 'problem',
  problem: { source, line, reason, excerpt: excerpt(text) },
});

/** A finite number, or undefined (NaN, ±Infinity, null, strings and the rest). */
export const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * Why a numeric trainer step is unusable, or undefined when it is a non-negative integer (5.0 is
 * 5), the rule of goodhart's own decoder: a negative or fractional step would sort before or
 * between real steps and corrupt every per-step statistic downstream.
 */
export const stepProblem = (step: number): string | undefined =>
  Number.isSafeInteger(step) && step >= 0 ? undefined : `"step" must be a non-negative integer, got ${String(step)}`;

/** A numeric JS value from a bigint (hyparquet reads INT64 as bigint) or a number. */
export const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'bigint') return Number(value);
  return finite(value);
};

/** Keys in a trainer row that are bookkeeping, not metrics. */
const NOT_METRICS = new Set(['step']);

/**
 * A StepRecord item from one trainer row: canonical metrics via the alias table, the keys as
 * written in `raw`, and the count of missing or non-finite values. The row's `step` key is the
 * record's step, not a metric, so it is left out of the metrics.
 */
export const stepItem = (step: number, row: Readonly<Record<string, unknown>>): Ingested => {
  const metricsRow: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!NOT_METRICS.has(key)) setOwn(metricsRow, key, value);
  }
  const { metrics, raw, missing, phase } = canonicalizeMetrics(metricsRow);
  return { kind: 'step', record: { step, metrics, raw, missing, phase } };
};

/** Names listed in one problem reason, and characters shown of each. */
const LISTED_NAMES = 5;
const NAME_CHARS = 60;

/**
 * Names (keys, pairs) for a problem reason: the first five, each cut to 60 characters, then how
 * many more. A garbage line can hold thousands of bad pairs; the reason stays a line.
 *
 * @example listNames(['a', 'b', 'c', 'd', 'e', 'f', 'g']) // 'a, b, c, d, e and 2 more'
 */
export const listNames = (names: readonly string[]): string => {
  const shown = names.slice(0, LISTED_NAMES).map((name) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS)}…` : name));
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${String(more)} more` : shown.join(', ');
};

/**
 * Why a parsed row needs reporting for its infinite numbers, naming each with its value
 * (`kl is Infinity (not finite); treated as missing`), or undefined when it holds none. Every
 * reader reads an infinite value as missing, like NaN, but only the infinite ones are reported:
 * trainers log NaN for a metric not computed at a step (docs/schema.md), while an infinite
 * reward, KL or gradient norm is a blow-up the user must hear of. Looks at the row's values and
 * one level into nested objects (`metrics.kl`, `components.format`), the deepest any format
 * keeps its numbers; not into arrays (token ids, masks). O(values).
 *
 * @example infinityReason({ step: 3, metrics: { kl: Infinity, loss: NaN } }) // 'metrics.kl is Infinity (not finite); treated as missing'
 */
export const infinityReason = (row: Readonly<Record<string, unknown>>): string | undefined => {
  // Every parsed row passes here: a clean one allocates nothing (no key arrays, no list).
  let found: string[] | undefined;
  for (const key in row) {
    const value = row[key];
    if (isInfinite(value)) (found ??= []).push(`${key} is ${String(value)}`);
    else if (isRecord(value)) {
      for (const inner in value) {
        const nested = value[inner];
        if (isInfinite(nested)) (found ??= []).push(`${key}.${inner} is ${String(nested)}`);
      }
    }
  }
  return found === undefined ? undefined : `${listNames(found)} (not finite); treated as missing`;
};

const isInfinite = (value: unknown): boolean => value === Infinity || value === -Infinity;

/** Keys of the values in a row that are neither numbers nor null (a corrupt metric row). */
export const nonNumericKeys = (row: Readonly<Record<string, unknown>>): string[] =>
  Object.entries(row)
    .filter(([, value]) => value !== null && typeof value !== 'number')
    .map(([key]) => key);

/**
 * HF Trainer's end-of-training summary row (`train_runtime`, `train_loss`, `total_flos`...): run
 * totals, not a logging step, so adapters skip it.
 */
export const isSummaryRow = (row: Readonly<Record<string, unknown>>): boolean =>
  'train_runtime' in row || ('train_loss' in row && 'total_flos' in row);

/**
 * A short stable group id for samples generated from the same prompt text: the first 16 hex
 * digits of its SHA-256 (64 bits; a collision among a run's prompts is vanishingly unlikely).
 */
export const groupIdOf = (prompt: string): string =>
  createHash('sha256').update(prompt).digest('hex').slice(0, 16);

/** A plain (non-array) object, as JSON decodes it. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * JSON.parse that also accepts the bare `NaN`, `Infinity` and `-Infinity` tokens Python's
 * `json.dumps` writes by default (`NaN` read as `null`, the infinities as ±Infinity: missing
 * values either way), via core/json-line. Throws SyntaxError naming the position on anything
 * else that is not JSON.
 */
export const parseJsonLenient = (text: string): unknown => {
  const result = parseJsonLine(text);
  if (!result.ok) throw new SyntaxError(result.reason);
  return result.value;
};

/**
 * A parsed JSON value as text for a problem excerpt. JSON.parse reads any depth but
 * JSON.stringify recurses, so a value nested some 10^4 levels deep overflows the stack: such a
 * value is described instead of shown.
 */
export const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value);
  } catch {
    return '(a value nested too deeply to show)';
  }
};

/** The message of a thrown value, for a problem reason. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * The first line of a head parsed as a JSON object, for content detection that must look at
 * top-level keys only (a regex over the text also matches keys nested inside `components`).
 * `undefined` when the first line is not a complete JSON object (e.g. cut by the head size).
 */
export const firstLineObject = (head: string): Readonly<Record<string, unknown>> | undefined => {
  const first = head.split('\n', 1)[0] ?? '';
  if (!/^\s*\{/.test(first)) return undefined;
  const result = parseJsonLine(first);
  return result.ok && isRecord(result.value) ? result.value : undefined;
};
