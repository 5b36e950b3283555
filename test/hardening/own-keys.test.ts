// Input files name their own components, metrics and meta fields. A key `__proto__` written with
// `record[key] = value` is lost, and with an object value it replaces the record's prototype:
// every decoder and adapter must keep it as an ordinary own key (src/core/own-key.ts).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeRewardEvent, decodeStepRecord } from '../../src/core/decode.js';
import { setOwn } from '../../src/core/own-key.js';
import { sampleComponents } from '../../src/sources/formats/sample-components-jsonl.js';
import { verlFileJsonl } from '../../src/sources/formats/verl-file-jsonl.js';
import { verlRollout } from '../../src/sources/formats/verl-rollout-jsonl.js';
import { eventsOf, runLines, stepsOf } from '../sources/formats/run-format.js';

const ownProto = (record: object | undefined): unknown => (record !== undefined && Object.hasOwn(record, '__proto__') ? (record as Record<string, unknown>)['__proto__'] : 'missing');

describe('__proto__ as a key of untrusted input', () => {
  it('setOwn keeps __proto__ as an own enumerable key and leaves the prototype alone', () => {
    const record: Record<string, unknown> = {};
    setOwn(record, '__proto__', { polluted: true });
    setOwn(record, 'a', 1);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__', 'a']);
    expect((record as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('decodeRewardEvent keeps a component and meta keys named __proto__ (top-level and explicit meta)', () => {
    const decoded = decodeRewardEvent(JSON.parse('{"step": 1, "reward": 1, "components": {"__proto__": 0.5, "ok": 0.5}, "__proto__": {"x": 1}, "meta": {"__proto__": {"y": 2}}}'));
    if (E.isLeft(decoded)) throw new Error(decoded.left.message);
    const { event } = decoded.right;
    expect(ownProto(event.components)).toBe(0.5);
    expect(Object.keys(event.components!)).toEqual(['__proto__', 'ok']);
    // The explicit meta entry wins over the top-level field of the same name; no prototype was set.
    expect(ownProto(event.meta)).toEqual({ y: 2 });
    expect(Object.getPrototypeOf(event.meta)).toBe(Object.prototype);
    expect((event.meta as { x?: unknown; y?: unknown }).y).toBeUndefined();
  });

  it('decodeStepRecord keeps a metric named __proto__', () => {
    const decoded = decodeStepRecord(JSON.parse('{"step": 1, "metrics": {"__proto__": 3, "kl": 0.1}}'));
    if (E.isLeft(decoded)) throw new Error(decoded.left.message);
    expect(ownProto(decoded.right.metrics)).toBe(3);
    expect(decoded.right.metrics['kl']).toBe(0.1);
  });

  it('the adapters keep __proto__ components, meta fields and raw trainer keys', () => {
    const [sample] = eventsOf(runLines(sampleComponents, '{"scalar_reward": 1, "__proto___component": 0.5, "__proto__": {"p": 1}}'));
    expect(ownProto(sample!.components)).toBe(0.5);
    expect(ownProto(sample!.meta)).toEqual({ p: 1 });
    expect(Object.getPrototypeOf(sample!.meta)).toBe(Object.prototype);
    const [rollout] = eventsOf(runLines(verlRollout, '{"input": "q", "output": "a", "score": 1, "step": 1, "__proto__": {"p": 1}}'));
    expect(ownProto(rollout!.meta)).toEqual({ p: 1 });
    const [record] = stepsOf(runLines(verlFileJsonl, '{"step": 1, "data": {"__proto__": 2, "critic/score/mean": 0.5}}'));
    // Unknown trainer keys stay in `raw` (the metrics hold canonical names only).
    expect(ownProto(record!.raw)).toBe(2);
    expect(record!.metrics['reward/mean']).toBe(0.5);
  });
});
