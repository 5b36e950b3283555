/**
 * Decoders for goodhart's JSONL schema (docs/schema.md): a parsed JSON value in, an
 * `Either<DecodeError, ...>` out. They run once per input line, so they are written as plain
 * checks with `E.left`/`E.right` at the end and no combinators in between.
 *
 * NaN policy: a number field that holds `null`, NaN or ±Infinity (from core/json-line, Python's
 * bare `NaN` arrives as `null`, `±Infinity` as ±Infinity) is a missing value: the field is left
 * out of the record and
 * counted (`missing` beside an event, `StepRecord.missing` on a step record), never averaged in.
 * A value of the wrong type (a string where a number belongs) is an error.
 */
import * as E from 'fp-ts/lib/Either.js';
import { canonicalMetricName, canonicalizeMetrics, type AliasOptions } from './aliases.js';
import { decodeError, type DecodeError } from './decode-error.js';
import {
  SCHEMA_VERSION,
  type Alert,
  type AlertSignal,
  type AlertState,
  type Phase,
  type RewardEvent,
  type SampleRef,
  type Severity,
  type StepRecord,
  type Verdict,
  type VerdictReason,
  type VerdictStatus,
} from './types.js';
import { setOwn } from './own-key.js';

/** The four record types of the schema, named by the optional `"type"` field. */
export type RecordType = 'event' | 'step' | 'alert' | 'verdict';

/** A decoded event and how many of its number fields were missing (null, NaN, ±Infinity). */
export interface DecodedEvent {
  readonly event: RewardEvent;
  readonly missing: number;
}

/** What `decodeRecord` recognised a line as. */
export type DecodedRecord =
  | { readonly type: 'event'; readonly event: RewardEvent; readonly missing: number }
  | { readonly type: 'step'; readonly record: StepRecord }
  | { readonly type: 'alert'; readonly alert: Alert }
  | { readonly type: 'verdict'; readonly verdict: Verdict };

type Json = Readonly<Record<string, unknown>>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Thrown inside a decoder, caught at its top: keeps each field check one line. */
class Invalid extends Error {
  constructor(readonly error: DecodeError) {
    super(error.message);
  }
}

const fail = (field: string, expected: string, value: unknown): never => {
  throw new Invalid(decodeError(field, expected, value));
};

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Counts missing values while one record is decoded. */
interface Tally {
  missing: number;
}

const EXPECT_STEP = 'a non-negative integer';
const EXPECT_NUMBER = 'a finite number or null';
const EXPECT_NON_NEGATIVE = 'a non-negative finite number or null';
const EXPECT_STRING = 'a string';
const EXPECT_OBJECT = 'a JSON object';

function step(json: Json, field: string, path = field): number {
  const value = json[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(path, EXPECT_STEP, value);
  return value as number;
}

function optionalStep(json: Json, field: string, path = field): number | undefined {
  return json[field] === undefined ? undefined : step(json, field, path);
}

/** A number field: absent -> undefined; null/NaN/±Infinity -> undefined and counted missing. */
function optionalNumber(json: Json, field: string, tally: Tally, path = field): number | undefined {
  const value = json[field];
  if (value === undefined) return undefined;
  if (value === null) {
    tally.missing++;
    return undefined;
  }
  if (typeof value !== 'number') return fail(path, EXPECT_NUMBER, value);
  if (!Number.isFinite(value)) {
    tally.missing++;
    return undefined;
  }
  return value;
}

function optionalNonNegative(json: Json, field: string, tally: Tally, path = field): number | undefined {
  const value = optionalNumber(json, field, tally, path);
  if (value !== undefined && value < 0) fail(path, EXPECT_NON_NEGATIVE, value);
  return value;
}

function optionalString(json: Json, field: string, path = field): string | undefined {
  const value = json[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(path, EXPECT_STRING, value);
  return value as string;
}

function requiredString(json: Json, field: string, path = field): string {
  const value = json[field];
  if (typeof value !== 'string') fail(path, EXPECT_STRING, value);
  return value as string;
}

function oneOf<T extends string>(json: Json, field: string, allowed: readonly T[], path = field): T {
  const value = json[field];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, allowed.map((option) => JSON.stringify(option)).join(' | '), value);
  }
  return value as T;
}

/** A key as shown in an error's field path: cut to 60 characters (a key can be a megabyte of garbage). */
const shownKey = (key: string): string => (key.length > 60 ? `${key.slice(0, 60)}…` : key);

/** A record of numbers: null and non-finite entries are dropped and counted missing. */
function numberRecord(json: Json, field: string, tally: Tally, path = field): Record<string, number> | undefined {
  const value = json[field];
  if (value === undefined) return undefined;
  if (!isObject(value)) return fail(path, 'an object of numbers', value);
  const out: Record<string, number> = {};
  for (const key of Object.keys(value)) {
    const entry = optionalNumber(value, key, tally, `${path}.${shownKey(key)}`);
    if (entry !== undefined) setOwn(out, key, entry);
  }
  return out;
}

/** The optional schema version field `v`: an integer from 1 to SCHEMA_VERSION. */
function checkVersion(json: Json): void {
  const version = json.v;
  if (version === undefined) return;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > SCHEMA_VERSION) {
    fail('v', `a schema version from 1 to ${SCHEMA_VERSION}`, version);
  }
}

function guard<T>(decode: () => T): E.Either<DecodeError, T> {
  try {
    return E.right(decode());
  } catch (error) {
    if (error instanceof Invalid) return E.left(error.error);
    throw error;
  }
}

const notAnObject = (value: unknown): E.Either<DecodeError, never> => E.left(decodeError('(record)', EXPECT_OBJECT, value));

// ---------------------------------------------------------------------------------------------
// RewardEvent

/** Fields of an event line that are not kept in `meta`. */
const EVENT_FIELDS = new Set([
  'type', 'v', 'step', 'reward', 'components', 'group', 'response', 'prompt', 'length', 'kl', 'logprob', 'run', 't', 'meta',
]);

/**
 * Decodes one `RewardEvent` line. `step` is required (a non-negative integer; `5.0` is fine).
 * `group` may be a string or an integer (Python ids), kept as a string. `length` is never
 * derived from `response` here: the summarizer decides how to measure text. Unknown fields
 * are kept in `meta` (an explicit `meta` entry wins over a top-level field of the same name).
 *
 * @example
 * decodeRewardEvent({ step: 3, reward: null, response: 'hi' })
 * // => right({ event: { step: 3, response: 'hi' }, missing: 1 })
 */
export function decodeRewardEvent(value: unknown): E.Either<DecodeError, DecodedEvent> {
  if (!isObject(value)) return notAnObject(value);
  return guard(() => decodeEventFields(value));
}

function decodeEventFields(json: Json): DecodedEvent {
  checkVersion(json);
  const tally: Tally = { missing: 0 };
  const event: Mutable<RewardEvent> = { step: step(json, 'step') };
  const reward = optionalNumber(json, 'reward', tally);
  if (reward !== undefined) event.reward = reward;
  const components = numberRecord(json, 'components', tally);
  if (components !== undefined) event.components = components;
  const group = json.group;
  if (group !== undefined) {
    if (typeof group === 'string') event.group = group;
    else if (typeof group === 'number' && Number.isSafeInteger(group)) event.group = String(group);
    else fail('group', 'a string or an integer', group);
  }
  const response = optionalString(json, 'response');
  if (response !== undefined) event.response = response;
  const prompt = optionalString(json, 'prompt');
  if (prompt !== undefined) event.prompt = prompt;
  const length = optionalNonNegative(json, 'length', tally);
  if (length !== undefined) event.length = length;
  const kl = optionalNumber(json, 'kl', tally);
  if (kl !== undefined) event.kl = kl;
  const logprob = optionalNumber(json, 'logprob', tally);
  if (logprob !== undefined) event.logprob = logprob;
  const run = optionalString(json, 'run');
  if (run !== undefined) event.run = run;
  const t = optionalNumber(json, 't', tally);
  if (t !== undefined) event.t = t;

  let meta: Record<string, unknown> | undefined;
  for (const key in json) {
    if (EVENT_FIELDS.has(key)) continue;
    meta ??= {};
    setOwn(meta, key, json[key]);
  }
  const explicitMeta = json.meta;
  if (explicitMeta !== undefined) {
    if (!isObject(explicitMeta)) fail('meta', EXPECT_OBJECT, explicitMeta);
    meta = meta === undefined ? { ...(explicitMeta as Json) } : { ...meta, ...(explicitMeta as Json) };
  }
  if (meta !== undefined) event.meta = meta;
  return { event, missing: tally.missing };
}

// ---------------------------------------------------------------------------------------------
// RewardEvent, the common case

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The `RewardEvent` a parsed line holds when it is an ordinary event line, else `undefined`.
 * "Ordinary": only the schema's event fields, every number finite, every type right, so there
 * is nothing to count or report. Anything else (a null or NaN, a string where a number belongs,
 * an unknown field bound for `meta`, a step record, an alert...) returns `undefined`, and the
 * caller runs `decodeRecord` for the precise result or error. Where it returns an event, that
 * event equals `decodeRecord`'s, key order included (property-tested).
 *
 * Why it exists: a replay decodes millions of lines, nearly all ordinary. This path reads each
 * field once with plain `typeof` checks and allocates only the event and its `components`:
 * no Either, no closure, no tally, no field-path string. Cost O(fields). `value` is a JSON
 * value (from `JSON.parse` or `parseJsonLine`): plain data, no getters or symbol keys.
 *
 * @example
 * decodeOrdinaryEvent({ step: 3, reward: 1, group: 7 })  // => { step: 3, reward: 1, group: '7' }
 * decodeOrdinaryEvent({ step: 3, reward: null })         // => undefined (a missing value to count)
 */
export function decodeOrdinaryEvent(value: unknown): RewardEvent | undefined {
  if (!isObject(value)) return undefined;
  const { step, type, v, reward, components, group, response, prompt, length, kl, logprob, run, t } = value;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return undefined;
  // Fields seen; compared with the line's key count at the end to rule out fields bound for meta.
  let seen = 1;
  if (type !== undefined) {
    if (type !== 'event') return undefined;
    seen++;
  }
  if (v !== undefined) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > SCHEMA_VERSION) return undefined;
    seen++;
  }
  const event: Mutable<RewardEvent> = { step };
  if (reward !== undefined) {
    if (!isFiniteNumber(reward)) return undefined;
    event.reward = reward;
    seen++;
  }
  if (components !== undefined) {
    if (!isObject(components)) return undefined;
    for (const key in components) if (!isFiniteNumber(components[key])) return undefined;
    // A spread copies a JSON object's own keys in order (`__proto__` as an own key, as setOwn
    // does) several times faster than key-by-key stores into a fresh object.
    event.components = { ...(components as Record<string, number>) };
    seen++;
  }
  if (group !== undefined) {
    if (typeof group === 'string') event.group = group;
    else if (typeof group === 'number' && Number.isSafeInteger(group)) event.group = String(group);
    else return undefined;
    seen++;
  }
  if (response !== undefined) {
    if (typeof response !== 'string') return undefined;
    event.response = response;
    seen++;
  }
  if (prompt !== undefined) {
    if (typeof prompt !== 'string') return undefined;
    event.prompt = prompt;
    seen++;
  }
  if (length !== undefined) {
    if (!isFiniteNumber(length) || length < 0) return undefined;
    event.length = length;
    seen++;
  }
  if (kl !== undefined) {
    if (!isFiniteNumber(kl)) return undefined;
    event.kl = kl;
    seen++;
  }
  if (logprob !== undefined) {
    if (!isFiniteNumber(logprob)) return undefined;
    event.logprob = logprob;
    seen++;
  }
  if (run !== undefined) {
    if (typeof run !== 'string') return undefined;
    event.run = run;
    seen++;
  }
  if (t !== undefined) {
    if (!isFiniteNumber(t)) return undefined;
    event.t = t;
    seen++;
  }
  let keys = 0;
  for (const _key in value) keys++;
  return keys === seen ? event : undefined;
}

// ---------------------------------------------------------------------------------------------
// StepRecord

const PHASES: readonly Phase[] = ['train', 'eval'];

/**
 * Decodes one `StepRecord` line: `step` and a `metrics` object are required. Metric keys go
 * through the alias table (a canonical name stays as it is; `reward` becomes `reward/mean`);
 * keys the table does not know are kept under their own name. Metric values must be numbers or
 * null; null and non-finite values are counted in `missing` (added to a `missing` field the
 * line may carry) and left out. When keys were renamed and the line has no `raw`, `raw` keeps
 * the metrics as written. Unknown top-level fields are ignored.
 *
 * @example
 * decodeStepRecord({ step: 10, metrics: { reward: 0.5, kl: NaN } })
 * // => right({ step: 10, metrics: { 'reward/mean': 0.5 }, raw: { reward: 0.5 }, missing: 1, phase: 'train' })
 */
export function decodeStepRecord(value: unknown, options?: AliasOptions): E.Either<DecodeError, StepRecord> {
  if (!isObject(value)) return notAnObject(value);
  return guard(() => decodeStepFields(value, options));
}

function decodeStepFields(json: Json, options: AliasOptions | undefined): StepRecord {
  checkVersion(json);
  const stepNumber = step(json, 'step');
  const written = json.metrics;
  if (!isObject(written)) return fail('metrics', 'an object of numbers', written);
  let renamed = false;
  for (const key of Object.keys(written)) {
    const entry = written[key];
    if (entry !== null && typeof entry !== 'number') fail(`metrics.${shownKey(key)}`, EXPECT_NUMBER, entry);
    const canonical = canonicalMetricName(key, options);
    if (canonical !== undefined && (canonical.name !== key || canonical.scale !== undefined)) renamed = true;
  }
  const canonical = canonicalizeMetrics(written, options);
  const metrics: Record<string, number> = canonical.metrics;
  for (const key of Object.keys(canonical.raw)) {
    // Own keys only: `in` also sees Object.prototype, and dropped metrics named `constructor` or `toString`.
    if (canonicalMetricName(key, options) === undefined && !Object.hasOwn(metrics, key)) setOwn(metrics, key, canonical.raw[key]!);
  }

  const tally: Tally = { missing: 0 };
  const record: Mutable<StepRecord> = { step: stepNumber, metrics };
  const raw = numberRecord(json, 'raw', { missing: 0 });
  if (raw !== undefined) record.raw = raw;
  else if (renamed) record.raw = canonical.raw;
  const declaredMissing = optionalStep(json, 'missing');
  const missing = (declaredMissing ?? 0) + canonical.missing;
  if (declaredMissing !== undefined || missing > 0) record.missing = missing;
  if (json.phase !== undefined) record.phase = oneOf(json, 'phase', PHASES);
  else if (canonical.phase === 'eval') record.phase = 'eval';
  const run = optionalString(json, 'run');
  if (run !== undefined) record.run = run;
  const t = optionalNumber(json, 't', tally);
  if (t !== undefined) record.t = t;
  if (tally.missing > 0) record.missing = (record.missing ?? 0) + tally.missing;
  return record;
}

// ---------------------------------------------------------------------------------------------
// Alert

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const SIGNALS: readonly AlertSignal[] = ['proxy-rise', 'exploit', 'collapse', 'instability', 'info'];
const ALERT_STATES: readonly AlertState[] = ['onset', 'ongoing', 'resolved'];

/**
 * A required number that JSON may carry as null: `JSON.stringify` writes NaN as `null`, so an
 * alert whose value was NaN comes back with NaN rather than being rejected.
 */
function numberOrNaN(json: Json, field: string, path = field): number {
  const value = json[field];
  if (value === null) return NaN;
  if (typeof value !== 'number') return fail(path, 'a number or null', value);
  return value;
}

function decodeSample(json: unknown, path: string): SampleRef {
  if (!isObject(json)) return fail(path, EXPECT_OBJECT, json);
  const tally: Tally = { missing: 0 };
  const sample: Mutable<SampleRef> = { step: step(json, 'step', `${path}.step`) };
  const group = optionalString(json, 'group', `${path}.group`);
  if (group !== undefined) sample.group = group;
  const reward = optionalNumber(json, 'reward', tally, `${path}.reward`);
  if (reward !== undefined) sample.reward = reward;
  const components = numberRecord(json, 'components', tally, `${path}.components`);
  if (components !== undefined) sample.components = components;
  const length = optionalNonNegative(json, 'length', tally, `${path}.length`);
  if (length !== undefined) sample.length = length;
  const response = optionalString(json, 'response', `${path}.response`);
  if (response !== undefined) sample.response = response;
  const score = optionalNumber(json, 'score', tally, `${path}.score`);
  if (score !== undefined) sample.score = score;
  return sample;
}

/**
 * Decodes one `Alert` line (as goodhart's JSONL sink writes them). `value` and `threshold` may
 * be null (a NaN written by `JSON.stringify`) and decode to NaN; null entries of
 * `evidence.stats` are left out. Unknown top-level fields are ignored.
 */
export function decodeAlert(value: unknown): E.Either<DecodeError, Alert> {
  if (!isObject(value)) return notAnObject(value);
  return guard(() => decodeAlertFields(value));
}

function decodeAlertFields(json: Json): Alert {
  checkVersion(json);
  const evidenceJson = json.evidence;
  if (!isObject(evidenceJson)) return fail('evidence', EXPECT_OBJECT, evidenceJson);
  const stats = numberRecord(evidenceJson, 'stats', { missing: 0 }, 'evidence.stats');
  if (stats === undefined) return fail('evidence.stats', 'an object of numbers', undefined);
  const evidence: { stats: Record<string, number>; samples?: SampleRef[] } = { stats };
  const samples = evidenceJson.samples;
  if (samples !== undefined) {
    if (!Array.isArray(samples)) return fail('evidence.samples', 'an array of samples', samples);
    evidence.samples = samples.map((sample, index) => decodeSample(sample, `evidence.samples[${index}]`));
  }
  const alert: Mutable<Alert> = {
    id: requiredString(json, 'id'),
    detector: requiredString(json, 'detector'),
    metric: requiredString(json, 'metric'),
    severity: oneOf(json, 'severity', SEVERITIES),
    signal: oneOf(json, 'signal', SIGNALS),
    step: step(json, 'step'),
    message: requiredString(json, 'message'),
    value: numberOrNaN(json, 'value'),
    threshold: numberOrNaN(json, 'threshold'),
    since: step(json, 'since'),
    evidence,
    state: oneOf(json, 'state', ALERT_STATES),
  };
  const tag = optionalString(json, 'tag');
  if (tag !== undefined) alert.tag = tag;
  const t = optionalNumber(json, 't', { missing: 0 });
  if (t !== undefined) alert.t = t;
  return alert;
}

// ---------------------------------------------------------------------------------------------
// Verdict

const STATUSES: readonly VerdictStatus[] = ['healthy', 'warning', 'hacking', 'collapse'];

function decodeReason(json: unknown, path: string): VerdictReason {
  if (!isObject(json)) return fail(path, EXPECT_OBJECT, json);
  const reason: Mutable<VerdictReason> = {
    detector: requiredString(json, 'detector', `${path}.detector`),
    metric: requiredString(json, 'metric', `${path}.metric`),
    severity: oneOf(json, 'severity', SEVERITIES, `${path}.severity`),
    signal: oneOf(json, 'signal', SIGNALS, `${path}.signal`),
    since: step(json, 'since', `${path}.since`),
    message: requiredString(json, 'message', `${path}.message`),
  };
  const tag = optionalString(json, 'tag', `${path}.tag`);
  if (tag !== undefined) reason.tag = tag;
  return reason;
}

/** Decodes one `Verdict` line. Unknown top-level fields are ignored. */
export function decodeVerdict(value: unknown): E.Either<DecodeError, Verdict> {
  if (!isObject(value)) return notAnObject(value);
  return guard(() => decodeVerdictFields(value));
}

function decodeVerdictFields(json: Json): Verdict {
  checkVersion(json);
  const reasons = json.reasons;
  if (!Array.isArray(reasons)) return fail('reasons', 'an array of reasons', reasons);
  const verdict: Mutable<Verdict> = {
    status: oneOf(json, 'status', STATUSES),
    reasons: reasons.map((reason, index) => decodeReason(reason, `reasons[${index}]`)),
    step: step(json, 'step'),
  };
  const firstFlaggedStep = optionalStep(json, 'firstFlaggedStep');
  if (firstFlaggedStep !== undefined) verdict.firstFlaggedStep = firstFlaggedStep;
  if (json.current !== undefined) verdict.current = oneOf(json, 'current', STATUSES);
  const currentReasons = json.currentReasons;
  if (currentReasons !== undefined) {
    if (!Array.isArray(currentReasons)) return fail('currentReasons', 'an array of reasons', currentReasons);
    verdict.currentReasons = currentReasons.map((reason, index) => decodeReason(reason, `currentReasons[${index}]`));
  }
  const worstSince = optionalStep(json, 'worstSince');
  if (worstSince !== undefined) verdict.worstSince = worstSince;
  return verdict;
}

// ---------------------------------------------------------------------------------------------
// Any record

const RECORD_TYPES: readonly RecordType[] = ['event', 'step', 'alert', 'verdict'];

/**
 * Which record type a JSON object is: its `"type"` field when present, else inferred:
 * `metrics` => step; `detector` and `severity` => alert; `status` and `reasons` => verdict;
 * anything else (reward, response, components...) => event. `undefined` when `"type"` holds
 * something other than the four names.
 */
export function recordTypeOf(json: Json): RecordType | undefined {
  const declared = json.type;
  if (declared !== undefined) {
    return typeof declared === 'string' && (RECORD_TYPES as readonly string[]).includes(declared)
      ? (declared as RecordType)
      : undefined;
  }
  if (json.metrics !== undefined) return 'step';
  if (json.detector !== undefined && json.severity !== undefined) return 'alert';
  if (json.status !== undefined && json.reasons !== undefined) return 'verdict';
  return 'event';
}

/**
 * Decodes any line of goodhart JSONL: recognises its type (`recordTypeOf`) and runs that
 * decoder.
 *
 * @example
 * decodeRecord({ step: 4, metrics: { 'reward/mean': 0.7 } })
 * // => right({ type: 'step', record: { step: 4, metrics: { 'reward/mean': 0.7 } } })
 */
export function decodeRecord(value: unknown, options?: AliasOptions): E.Either<DecodeError, DecodedRecord> {
  if (!isObject(value)) return notAnObject(value);
  const type = recordTypeOf(value);
  if (type === undefined) {
    return E.left(decodeError('type', RECORD_TYPES.map((name) => JSON.stringify(name)).join(' | '), value.type));
  }
  // One try/catch and one result object per line: this runs for every line of a replay.
  try {
    switch (type) {
      case 'event': {
        const decoded = decodeEventFields(value);
        return E.right({ type, event: decoded.event, missing: decoded.missing });
      }
      case 'step':
        return E.right({ type, record: decodeStepFields(value, options) });
      case 'alert':
        return E.right({ type, alert: decodeAlertFields(value) });
      case 'verdict':
        return E.right({ type, verdict: decodeVerdictFields(value) });
    }
  } catch (error) {
    if (error instanceof Invalid) return E.left(error.error);
    throw error;
  }
}
