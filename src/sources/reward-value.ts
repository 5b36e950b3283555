/**
 * How goodhart reads what a reward function returned: a number is the reward; an object of
 * numbers is named components whose total is its `total` field when present, else their sum.
 * `null`/`undefined` means "not applicable" (TRL lets a reward function return None for samples
 * it does not score). Anything else, and any non-finite number that would make the total
 * unknowable, is a problem: reported, never recorded.
 */

import { setOwn } from '../core/own-key.js';

/** What a returned value says: a reward (with components), or a problem to report. */
export interface RewardReading {
  /** The total reward; absent when it cannot be known (then `problem` says why). */
  readonly reward?: number;
  readonly components?: Readonly<Record<string, number>>;
  /** Why the value (or part of it) was not recorded. */
  readonly problem?: string;
}

/** Reads a returned value; `undefined` for `null`/`undefined` (not applicable). */
export function readReward(value: unknown): RewardReading | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { reward: value } : { problem: `non-finite reward ${String(value)}` };
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { problem: `expected a number or an object of numbers, got ${describe(value)}` };
  }
  return readComponents(value as Readonly<Record<string, unknown>>);
}

function readComponents(record: Readonly<Record<string, unknown>>): RewardReading {
  const components: Record<string, number> = {};
  const bad: string[] = [];
  let sum = 0;
  let count = 0;
  let total: unknown;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'total') {
      total = value;
      continue;
    }
    if (typeof value !== 'number') continue; // metadata beside the numbers is not a component
    if (!Number.isFinite(value)) {
      bad.push(`${key}=${String(value)}`);
      continue;
    }
    setOwn(components, key, value);
    sum += value;
    count++;
  }
  const dropped = bad.length > 0 ? `non-finite component ${bad.join(', ')}` : undefined;
  if (total !== undefined) {
    if (typeof total !== 'number' || !Number.isFinite(total)) {
      return { problem: `non-finite or non-numeric total ${describe(total)}` };
    }
    const reading = count > 0 ? { reward: total, components } : { reward: total };
    return dropped === undefined ? reading : { ...reading, problem: `${dropped} (not recorded)` };
  }
  if (dropped !== undefined) return { problem: `${dropped}: the sum is unknown` };
  if (count === 0) return { problem: 'object has no numeric components' };
  return { reward: sum, components };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 40))}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
