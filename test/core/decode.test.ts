import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeAlert,
  decodeOrdinaryEvent,
  decodeRecord,
  decodeRewardEvent,
  decodeStepRecord,
  decodeVerdict,
  recordTypeOf,
} from '../../src/core/decode.js';
import type { DecodeError } from '../../src/core/decode-error.js';
import { parseJsonLine } from '../../src/core/json-line.js';
import { METRIC } from '../../src/core/metric-names.js';
import type { Alert, RewardEvent, StepRecord, Verdict } from '../../src/core/types.js';

const right = <A>(result: E.Either<DecodeError, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected right, got ${result.left.message}`);
  return result.right;
};
const left = <A>(result: E.Either<DecodeError, A>): DecodeError => {
  if (E.isRight(result)) throw new Error(`expected left, got ${JSON.stringify(result.right)}`);
  return result.left;
};
/** Parse a JSONL line (Python tokens allowed) and decode it as any record. */
const line = (text: string) => {
  const parsed = parseJsonLine(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return decodeRecord(parsed.value);
};

describe('decodeRewardEvent', () => {
  it('decodes every field of an event', () => {
    const json = {
      step: 12, reward: 0.75, components: { format: 0.25, correct: 0.5 }, group: 'g1', response: 'x', prompt: 'p',
      length: 42, kl: 0.01, logprob: -3.5, run: 'r', t: 1_700_000_000_000, meta: { source: 'test' },
    };
    expect(right(decodeRewardEvent(json))).toEqual({ event: json, missing: 0 });
  });

  it('turns null and non-finite numbers into missing fields and counts them', () => {
    const decoded = right(decodeRewardEvent({ step: 1, reward: null, kl: NaN, logprob: -Infinity, length: Infinity, t: null, components: { a: null, b: 1 } }));
    expect(decoded).toEqual({ event: { step: 1, components: { b: 1 } }, missing: 6 });
    expect('reward' in decoded.event).toBe(false);
  });

  it('reads a Python line with NaN inside and outside strings', () => {
    const decoded = right(line('{"response":"NaN is not a number","reward":NaN,"step":2}'));
    expect(decoded).toEqual({ type: 'event', event: { step: 2, response: 'NaN is not a number' }, missing: 1 });
  });

  it('reads overflowing numbers (1e400) as missing, and the last of duplicate keys', () => {
    expect(right(line('{"step":1,"reward":1e400}'))).toEqual({ type: 'event', event: { step: 1 }, missing: 1 });
    expect(right(line('{"step":1,"reward":"x","reward":0.5}'))).toEqual({ type: 'event', event: { step: 1, reward: 0.5 }, missing: 0 });
  });

  it('accepts 5.0 as step 5 and integer group ids as strings', () => {
    expect(right(line('{"step":5.0,"group":7,"reward":1}'))).toEqual({ type: 'event', event: { step: 5, group: '7', reward: 1 }, missing: 0 });
  });

  it('keeps unknown fields in meta, an explicit meta entry winning', () => {
    expect(right(decodeRewardEvent({ step: 1, advantage: 0.3, source: 'top', meta: { source: 'meta' } })).event.meta).toEqual({
      advantage: 0.3,
      source: 'meta',
    });
  });

  it('does not derive length from the response', () => {
    expect(right(decodeRewardEvent({ step: 1, response: 'four words long here' })).event.length).toBeUndefined();
  });

  it.each<[string, unknown, Omit<DecodeError, 'message'>]>([
    ['missing step', { reward: 1 }, { field: 'step', expected: 'a non-negative integer', got: 'nothing' }],
    ['null step', { step: null }, { field: 'step', expected: 'a non-negative integer', got: 'null' }],
    ['fractional step', { step: 1.5 }, { field: 'step', expected: 'a non-negative integer', got: 'number 1.5' }],
    ['negative step', { step: -1 }, { field: 'step', expected: 'a non-negative integer', got: 'number -1' }],
    ['huge step', { step: 1e20 }, { field: 'step', expected: 'a non-negative integer', got: 'number 100000000000000000000' }],
    ['string step', { step: '3' }, { field: 'step', expected: 'a non-negative integer', got: 'string "3"' }],
    ['string reward', { step: 1, reward: 'abc' }, { field: 'reward', expected: 'a finite number or null', got: 'string "abc"' }],
    ['boolean reward', { step: 1, reward: true }, { field: 'reward', expected: 'a finite number or null', got: 'boolean true' }],
    ['array components', { step: 1, components: [1] }, { field: 'components', expected: 'an object of numbers', got: 'an array of 1' }],
    ['string component', { step: 1, components: { fmt: '1' } }, { field: 'components.fmt', expected: 'a finite number or null', got: 'string "1"' }],
    ['object group', { step: 1, group: {} }, { field: 'group', expected: 'a string or an integer', got: 'an object' }],
    ['fractional group', { step: 1, group: 1.5 }, { field: 'group', expected: 'a string or an integer', got: 'number 1.5' }],
    ['numeric response', { step: 1, response: 5 }, { field: 'response', expected: 'a string', got: 'number 5' }],
    ['numeric prompt', { step: 1, prompt: false }, { field: 'prompt', expected: 'a string', got: 'boolean false' }],
    ['negative length', { step: 1, length: -2 }, { field: 'length', expected: 'a non-negative finite number or null', got: 'number -2' }],
    ['string kl', { step: 1, kl: 'high' }, { field: 'kl', expected: 'a finite number or null', got: 'string "high"' }],
    ['string logprob', { step: 1, logprob: '-1' }, { field: 'logprob', expected: 'a finite number or null', got: 'string "-1"' }],
    ['numeric run', { step: 1, run: 3 }, { field: 'run', expected: 'a string', got: 'number 3' }],
    ['string t', { step: 1, t: 'now' }, { field: 't', expected: 'a finite number or null', got: 'string "now"' }],
    ['array meta', { step: 1, meta: [] }, { field: 'meta', expected: 'a JSON object', got: 'an array of 0' }],
    ['future version', { step: 1, v: 99 }, { field: 'v', expected: 'a schema version from 1 to 1', got: 'number 99' }],
  ])('rejects %s with field, expected and got', (_name, json, error) => {
    const decoded = left(decodeRewardEvent(json));
    expect(decoded).toEqual({ ...error, message: `field "${error.field}": expected ${error.expected}, got ${error.got}` });
  });

  it('says what the message says, in the documented words', () => {
    expect(left(decodeRewardEvent({ step: 1, reward: 'abc' })).message).toBe('field "reward": expected a finite number or null, got string "abc"');
  });

  it('cuts long strings in messages', () => {
    const got = left(decodeRewardEvent({ step: 1, reward: 'x'.repeat(500) })).got;
    expect(got.length).toBeLessThan(60);
  });

  it('rejects a non-object line', () => {
    expect(left(decodeRewardEvent([1, 2]))).toMatchObject({ field: '(record)', expected: 'a JSON object', got: 'an array of 2' });
    expect(left(decodeRecord('text'))).toMatchObject({ field: '(record)', got: 'string "text"' });
  });
});

describe('decodeStepRecord', () => {
  it('keeps canonical metric names as they are', () => {
    const json = { step: 4, metrics: { 'reward/mean': 0.7, 'length/clip_ratio': 0.1, 'reward/format/mean': 0.2 }, phase: 'eval', run: 'a', t: 5 };
    expect(right(decodeStepRecord(json))).toEqual(json);
  });

  it('maps trainer keys through the alias table and keeps what was written in raw', () => {
    const record = right(decodeStepRecord({ step: 10, metrics: { reward: 0.5, completion_length: 200, 'rewards/fmt/mean': 1, kl: null } }));
    expect(record).toEqual({
      step: 10,
      metrics: { 'reward/mean': 0.5, 'length/mean': 200, 'reward/fmt/mean': 1 },
      raw: { reward: 0.5, completion_length: 200, 'rewards/fmt/mean': 1 },
      missing: 1,
    });
  });

  it('keeps unknown metric keys under their own names', () => {
    expect(right(decodeStepRecord({ step: 1, metrics: { my_metric: 3, 'reward/mean': 1 } })).metrics).toEqual({ my_metric: 3, 'reward/mean': 1 });
  });

  it('adds counted missing values to a declared missing count', () => {
    expect(right(decodeStepRecord({ step: 1, metrics: { kl: null, entropy: 1 }, missing: 2 })).missing).toBe(3);
    expect(right(decodeStepRecord({ step: 1, metrics: {}, missing: 0 })).missing).toBe(0);
  });

  it('infers eval phase from TRL eval_ keys', () => {
    expect(right(decodeStepRecord({ step: 1, metrics: { eval_reward: 0.4, eval_runtime: 3 } }))).toMatchObject({ phase: 'eval', metrics: { 'reward/mean': 0.4 } });
  });

  it.each<[string, unknown, Omit<DecodeError, 'message'>]>([
    ['no metrics', { step: 1 }, { field: 'metrics', expected: 'an object of numbers', got: 'nothing' }],
    ['array metrics', { step: 1, metrics: [] }, { field: 'metrics', expected: 'an object of numbers', got: 'an array of 0' }],
    ['string metric', { step: 1, metrics: { reward: 'abc' } }, { field: 'metrics.reward', expected: 'a finite number or null', got: 'string "abc"' }],
    ['bad step', { step: 'x', metrics: {} }, { field: 'step', expected: 'a non-negative integer', got: 'string "x"' }],
    ['bad phase', { step: 1, metrics: {}, phase: 'test' }, { field: 'phase', expected: '"train" | "eval"', got: 'string "test"' }],
    ['bad raw', { step: 1, metrics: {}, raw: { a: 'b' } }, { field: 'raw.a', expected: 'a finite number or null', got: 'string "b"' }],
    ['bad missing', { step: 1, metrics: {}, missing: -1 }, { field: 'missing', expected: 'a non-negative integer', got: 'number -1' }],
    ['bad run', { step: 1, metrics: {}, run: null }, { field: 'run', expected: 'a string', got: 'null' }],
  ])('rejects %s', (_name, json, error) => {
    expect(left(decodeStepRecord(json))).toMatchObject(error);
  });
});

const validAlert: Alert = {
  id: 'spike:reward:3',
  detector: 'spike',
  metric: 'reward',
  severity: 'warning',
  signal: 'instability',
  step: 5,
  message: 'reward spiked to 9 (median 1)',
  value: 9,
  threshold: 4,
  since: 3,
  evidence: { stats: { median: 1, mad: 0.5 }, samples: [{ step: 5, group: 'g', reward: 9, components: { a: 9 }, length: 3, response: 'x', score: 8 }] },
  state: 'onset',
  tag: 'math',
  t: 12,
};

describe('decodeAlert', () => {
  it('decodes a full alert', () => {
    expect(right(decodeAlert(JSON.parse(JSON.stringify(validAlert))))).toEqual(validAlert);
  });

  it('reads a null value or threshold (NaN written by JSON.stringify) as NaN', () => {
    const decoded = right(decodeAlert(JSON.parse(JSON.stringify({ ...validAlert, value: NaN, threshold: NaN }))));
    expect(decoded.value).toBeNaN();
    expect(decoded.threshold).toBeNaN();
  });

  it.each<[string, Partial<Record<keyof Alert, unknown>>, Omit<DecodeError, 'message'>]>([
    ['bad severity', { severity: 'fatal' }, { field: 'severity', expected: '"info" | "warning" | "critical"', got: 'string "fatal"' }],
    ['bad signal', { signal: 'x' }, { field: 'signal', expected: '"proxy-rise" | "exploit" | "collapse" | "instability" | "info"', got: 'string "x"' }],
    ['bad state', { state: 1 }, { field: 'state', expected: '"onset" | "ongoing" | "resolved"', got: 'number 1' }],
    ['missing id', { id: undefined }, { field: 'id', expected: 'a string', got: 'nothing' }],
    ['string value', { value: '9' }, { field: 'value', expected: 'a number or null', got: 'string "9"' }],
    ['bad since', { since: -3 }, { field: 'since', expected: 'a non-negative integer', got: 'number -3' }],
    ['no evidence', { evidence: undefined }, { field: 'evidence', expected: 'a JSON object', got: 'nothing' }],
    ['no stats', { evidence: {} }, { field: 'evidence.stats', expected: 'an object of numbers', got: 'nothing' }],
    ['bad sample step', { evidence: { stats: {}, samples: [{ step: 1 }, { step: 'x' }] } }, { field: 'evidence.samples[1].step', expected: 'a non-negative integer', got: 'string "x"' }],
    ['bad samples', { evidence: { stats: {}, samples: {} } }, { field: 'evidence.samples', expected: 'an array of samples', got: 'an object' }],
  ])('rejects %s', (_name, patch, error) => {
    expect(left(decodeAlert({ ...validAlert, ...patch }))).toMatchObject(error);
  });
});

const validVerdict: Verdict = {
  status: 'hacking',
  reasons: [{ detector: 'formatGaming', metric: 'response', severity: 'critical', signal: 'exploit', since: 40, message: 'tags without content' }],
  firstFlaggedStep: 40,
  step: 100,
};

describe('decodeVerdict', () => {
  it('decodes a verdict', () => {
    expect(right(decodeVerdict(validVerdict))).toEqual(validVerdict);
  });

  it('decodes the whole-run fields: current state, its reasons, and when the worst state began', () => {
    const recovered: Verdict = { ...validVerdict, current: 'healthy', currentReasons: [], worstSince: 40 };
    expect(right(decodeVerdict(recovered))).toEqual(recovered);
    expect(left(decodeVerdict({ ...validVerdict, current: 'fine' }))).toMatchObject({ field: 'current' });
    expect(left(decodeVerdict({ ...validVerdict, currentReasons: {} }))).toMatchObject({ field: 'currentReasons' });
    expect(left(decodeVerdict({ ...validVerdict, worstSince: -1 }))).toMatchObject({ field: 'worstSince' });
  });

  it.each<[string, Partial<Record<keyof Verdict, unknown>>, Omit<DecodeError, 'message'>]>([
    ['bad status', { status: 'ok' }, { field: 'status', expected: '"healthy" | "warning" | "hacking" | "collapse"', got: 'string "ok"' }],
    ['no reasons', { reasons: undefined }, { field: 'reasons', expected: 'an array of reasons', got: 'nothing' }],
    ['bad reason', { reasons: [{ ...validVerdict.reasons[0], since: 0.5 }] }, { field: 'reasons[0].since', expected: 'a non-negative integer', got: 'number 0.5' }],
    ['bad reason tag', { reasons: [{ ...validVerdict.reasons[0], tag: 7 }] }, { field: 'reasons[0].tag', expected: 'a string', got: 'number 7' }],
    ['bad firstFlaggedStep', { firstFlaggedStep: 'x' }, { field: 'firstFlaggedStep', expected: 'a non-negative integer', got: 'string "x"' }],
  ])('rejects %s', (_name, patch, error) => {
    expect(left(decodeVerdict({ ...validVerdict, ...patch }))).toMatchObject(error);
  });
});

describe('decodeRecord', () => {
  it('follows the type field', () => {
    expect(right(decodeRecord({ type: 'event', step: 1, metrics: 'ignored as meta' }))).toMatchObject({ type: 'event', event: { meta: { metrics: 'ignored as meta' } } });
    expect(right(decodeRecord({ type: 'alert', ...validAlert }))).toEqual({ type: 'alert', alert: validAlert });
    expect(right(decodeRecord({ type: 'verdict', v: 1, ...validVerdict }))).toEqual({ type: 'verdict', verdict: validVerdict });
  });

  it('infers the type when absent', () => {
    expect(recordTypeOf({ step: 1, metrics: {} })).toBe('step');
    expect(recordTypeOf({ step: 1, reward: 1 })).toBe('event');
    expect(recordTypeOf({ step: 1, response: 'x' })).toBe('event');
    expect(recordTypeOf({ ...validAlert })).toBe('alert');
    expect(recordTypeOf({ ...validVerdict })).toBe('verdict');
  });

  it('rejects an unknown type', () => {
    expect(left(decodeRecord({ type: 'sample', step: 1 }))).toEqual({
      field: 'type',
      expected: '"event" | "step" | "alert" | "verdict"',
      got: 'string "sample"',
      message: 'field "type": expected "event" | "step" | "alert" | "verdict", got string "sample"',
    });
  });
});

// ------------------------------------------------------------------------------------------
// Round trip: any valid record, written as JSON, decodes back to itself.

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const stepNumber = fc.nat({ max: 1e9 });
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const numbers = fc.dictionary(name, finite, { maxKeys: 4 });

const eventArb: fc.Arbitrary<RewardEvent> = fc.record(
  {
    step: stepNumber,
    reward: finite,
    components: numbers,
    group: fc.string(),
    response: fc.string({ unit: 'binary' }),
    prompt: fc.string(),
    length: nonNegative,
    kl: finite,
    logprob: finite,
    run: fc.string(),
    t: finite,
    meta: fc.dictionary(name, fc.jsonValue()).map((meta) => JSON.parse(JSON.stringify(meta)) as Record<string, unknown>),
  },
  { requiredKeys: ['step'] },
);

const canonicalName = fc.oneof(
  fc.constantFrom(...Object.values(METRIC)),
  name.map((component) => `reward/${component}/mean`),
  name.map((custom) => `x_${custom}`),
);

const stepArb: fc.Arbitrary<StepRecord> = fc.record(
  {
    step: stepNumber,
    metrics: fc.dictionary(canonicalName, finite, { maxKeys: 6 }),
    raw: numbers,
    missing: fc.nat({ max: 100 }),
    phase: fc.constantFrom('train' as const, 'eval' as const),
    run: fc.string(),
    t: finite,
  },
  { requiredKeys: ['step', 'metrics'] },
);

const severity = fc.constantFrom('info' as const, 'warning' as const, 'critical' as const);
const signal = fc.constantFrom('proxy-rise' as const, 'exploit' as const, 'collapse' as const, 'instability' as const, 'info' as const);

const alertArb: fc.Arbitrary<Alert> = fc.record(
  {
    id: fc.string(),
    detector: fc.string(),
    metric: fc.string(),
    severity,
    signal,
    step: stepNumber,
    message: fc.string(),
    value: finite,
    threshold: finite,
    since: stepNumber,
    evidence: fc.record(
      {
        stats: numbers,
        samples: fc.array(
          fc.record(
            { step: stepNumber, group: fc.string(), reward: finite, components: numbers, length: nonNegative, response: fc.string(), score: finite },
            { requiredKeys: ['step'] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ['stats'] },
    ),
    state: fc.constantFrom('onset' as const, 'ongoing' as const, 'resolved' as const),
    tag: fc.string(),
    t: finite,
  },
  { requiredKeys: ['id', 'detector', 'metric', 'severity', 'signal', 'step', 'message', 'value', 'threshold', 'since', 'evidence', 'state'] },
);

const verdictArb: fc.Arbitrary<Verdict> = fc.record(
  {
    status: fc.constantFrom('healthy' as const, 'warning' as const, 'hacking' as const, 'collapse' as const),
    reasons: fc.array(
      fc.record(
        { detector: fc.string(), metric: fc.string(), severity, signal, since: stepNumber, message: fc.string(), tag: fc.string() },
        { requiredKeys: ['detector', 'metric', 'severity', 'signal', 'since', 'message'] },
      ),
      { maxLength: 3 },
    ),
    firstFlaggedStep: stepNumber,
    step: stepNumber,
  },
  { requiredKeys: ['status', 'reasons', 'step'] },
);

const roundTrip = (type: string, record: object) => {
  const parsed = parseJsonLine(JSON.stringify({ type, ...record }));
  expect(parsed.ok).toBe(true);
  return parsed.ok ? right(decodeRecord(parsed.value)) : undefined;
};

describe('round trip through JSON', () => {
  it('events', () => {
    fc.assert(fc.property(eventArb, (event) => {
      expect(roundTrip('event', event)).toEqual({ type: 'event', event, missing: 0 });
    }));
  });

  it('step records', () => {
    fc.assert(fc.property(stepArb, (record) => {
      expect(roundTrip('step', record)).toEqual({ type: 'step', record });
    }));
  });

  it('alerts', () => {
    fc.assert(fc.property(alertArb, (alert) => {
      expect(roundTrip('alert', alert)).toEqual({ type: 'alert', alert });
    }));
  });

  it('verdicts', () => {
    fc.assert(fc.property(verdictArb, (verdict) => {
      expect(roundTrip('verdict', verdict)).toEqual({ type: 'verdict', verdict });
    }));
  });

  it('events with every number replaced by NaN keep the rest and count each as missing', () => {
    fc.assert(fc.property(eventArb, (event) => {
      const numericFields = (['reward', 'length', 'kl', 'logprob', 't'] as const).filter((field) => event[field] !== undefined);
      const components = Object.keys(event.components ?? {});
      const line = JSON.stringify({ ...event, ...Object.fromEntries(numericFields.map((f) => [f, '@NaN@'])), ...(event.components === undefined ? {} : { components: Object.fromEntries(components.map((c) => [c, '@NaN@'])) }) }).replaceAll('"@NaN@"', 'NaN');
      const parsed = parseJsonLine(line);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const decoded = right(decodeRewardEvent(parsed.value));
      expect(decoded.missing).toBe(numericFields.length + components.length);
      for (const field of numericFields) expect(decoded.event[field]).toBeUndefined();
      expect(decoded.event.response).toBe(event.response);
    }));
  });
});

// ------------------------------------------------------------------------------------------
// The fast path for ordinary event lines: same result as decodeRecord, or undefined.

/** Parses a line as the JSONL reader does (Python tokens allowed). */
const parsedLine = (text: string): unknown => {
  const parsed = parseJsonLine(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
};

describe('decodeOrdinaryEvent', () => {
  it('decodes an ordinary event line as decodeRecord does, key order included', () => {
    const text = '{"kl":0.01,"step":5.0,"group":7,"reward":1.5,"components":{"format":0.5,"correct":1},"length":12,"type":"event","v":1}';
    const event = decodeOrdinaryEvent(parsedLine(text));
    expect(event).toEqual({ step: 5, reward: 1.5, components: { format: 0.5, correct: 1 }, group: '7', length: 12, kl: 0.01 });
    expect(Object.keys(event ?? {})).toEqual(['step', 'reward', 'components', 'group', 'length', 'kl']);
    expect(right(line(text))).toEqual({ type: 'event', event, missing: 0 });
  });

  it('keeps every string field and a component named __proto__ as an own key', () => {
    const event = decodeOrdinaryEvent(parsedLine('{"step":1,"response":"r","prompt":"p","run":"x","t":2,"logprob":-1,"components":{"__proto__":3}}'));
    expect(event).toEqual({ step: 1, components: JSON.parse('{"__proto__":3}') as Record<string, number>, response: 'r', prompt: 'p', logprob: -1, run: 'x', t: 2 });
    expect(Object.getPrototypeOf(event?.components)).toBe(Object.prototype);
    expect(Object.keys(event?.components ?? {})).toEqual(['__proto__']);
  });

  it.each([
    ['a missing value to count', '{"step":1,"reward":null}'],
    ['a Python NaN', '{"step":1,"kl":NaN}'],
    ['a null component', '{"step":1,"components":{"a":null}}'],
    ['a field bound for meta', '{"step":1,"reward":1,"advantage":0.3}'],
    ['a field named with the empty string', '{"step":1,"":0}'],
    ['an explicit meta', '{"step":1,"meta":{}}'],
    ['a string reward (an error)', '{"step":1,"reward":"1"}'],
    ['a negative length (an error)', '{"step":1,"length":-1}'],
    ['a fractional group (an error)', '{"step":1,"group":1.5}'],
    ['a fractional step (an error)', '{"step":1.5}'],
    ['no step (an error)', '{"reward":1}'],
    ['an unknown schema version', '{"step":1,"v":2}'],
    ['a step record', '{"step":1,"metrics":{}}'],
    ['a declared step type', '{"step":1,"type":"step"}'],
    ['an array', '[1]'],
    ['null', 'null'],
  ])('leaves %s to the precise decoder', (_case, text) => {
    expect(decodeOrdinaryEvent(parsedLine(text))).toBeUndefined();
  });

  it('takes every valid event without meta', () => {
    fc.assert(fc.property(eventArb, (event) => {
      const { meta: _meta, ...ordinary } = event;
      expect(decodeOrdinaryEvent(parsedLine(JSON.stringify(ordinary)))).toEqual(ordinary);
    }));
  });

  /** Values that are sometimes right for a field and often wrong in some way. */
  const messy = fc.oneof(
    finite,
    fc.constant(null),
    fc.constant('@NaN@'),
    fc.constant('@-Infinity@'),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom(0.5, -0.5, 1e20, 2),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', '__proto__', ''), fc.oneof(finite, fc.constant(null), fc.constant('@NaN@'), fc.string({ maxLength: 2 }))),
  );
  const sometimes = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: messy, weight: 1 });
  const fieldKey = fc.constantFrom('step', 'reward', 'components', 'group', 'length', 'kl', 'type', 'v', 'meta', 'metrics', 'detector', 'severity', 'status', 'reasons', 'advantage', '', '__proto__');
  const messyLine = fc
    .tuple(
      fc.record(
        {
          step: sometimes(stepNumber),
          type: sometimes(fc.constant('event')),
          v: sometimes(fc.constant(1)),
          reward: sometimes(finite),
          components: sometimes(numbers),
          group: sometimes(fc.oneof(fc.string({ maxLength: 3 }), fc.nat())),
          response: sometimes(fc.string({ maxLength: 3 })),
          prompt: sometimes(fc.string({ maxLength: 3 })),
          length: sometimes(nonNegative),
          kl: sometimes(finite),
          logprob: sometimes(finite),
          run: sometimes(fc.string({ maxLength: 3 })),
          t: sometimes(finite),
        },
        { requiredKeys: [] },
      ),
      fc.array(fc.tuple(fieldKey, messy), { maxLength: 2 }),
    )
    .map(([fields, extra]) => {
      const entries = [...Object.entries(fields), ...extra].map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
      return `{${entries.join(',')}}`.replaceAll('"@NaN@"', 'NaN').replaceAll('"@-Infinity@"', '-Infinity');
    });

  it('returns an event exactly when decodeRecord finds an event with nothing missing and no meta, and the same event', () => {
    fc.assert(
      fc.property(messyLine, (text) => {
        const value = parsedLine(text);
        const fast = decodeOrdinaryEvent(value);
        const precise = decodeRecord(value);
        const ordinary = E.isRight(precise) && precise.right.type === 'event' && precise.right.missing === 0 && precise.right.event.meta === undefined;
        expect(fast !== undefined).toBe(ordinary);
        if (fast !== undefined && E.isRight(precise) && precise.right.type === 'event') {
          expect(fast).toEqual(precise.right.event);
          // Same keys in the same order, components included (JSON.stringify lists own keys in order).
          expect(JSON.stringify(fast)).toBe(JSON.stringify(precise.right.event));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
