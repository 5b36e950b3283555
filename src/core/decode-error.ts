/**
 * Decode errors with a precise address: which field, what was expected, what was there.
 * Every decoder in core/ reports through these, so a bad JSONL line reads as
 * `field "reward": expected a finite number or null, got string "abc"`.
 */

export interface DecodeError {
  /** Dotted path of the offending field (`reward`, `components.format`, `evidence.samples[2].step`). */
  readonly field: string;
  /** What the schema wants there, in words. */
  readonly expected: string;
  /** What was there, described (`string "abc"`, `boolean true`, `an array`, `nothing`). */
  readonly got: string;
  /** `field "<field>": expected <expected>, got <got>`. */
  readonly message: string;
}

/** Longest quoted string shown in `got` (attacker-controlled text stays short in messages). */
const SHOWN_CHARS = 40;

/** A short, typed description of a JSON value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `number ${String(value)}`;
  if (typeof value === 'boolean') return `boolean ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

export function decodeError(field: string, expected: string, value: unknown): DecodeError {
  const got = describeValue(value);
  return { field, expected, got, message: `field "${field}": expected ${expected}, got ${got}` };
}
