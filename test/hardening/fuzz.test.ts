// Fuzzing the input decoders (test/hardening/fuzz-harness.ts): the regressions the fuzzer found,
// a few hundred generated and mutated cases per adapter, and a time budget on 256 KB garbage
// lines against JSON.parse. `npx tsx benchmarks/fuzz.ts` runs 100,000 cases per adapter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLine } from '../../src/core/json-line.js';
import { goodhartJsonl } from '../../src/sources/formats/goodhart-jsonl.js';
import { parsePythonLiteral } from '../../src/sources/formats/python-literal.js';
import { trlLogHistory } from '../../src/sources/formats/trl-log-history.js';
import { trlStdout } from '../../src/sources/formats/trl-stdout.js';
import { trlTrainerState } from '../../src/sources/formats/trl-trainer-state.js';
import { verlConsole } from '../../src/sources/formats/verl-console.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { decodeFrame } from '../../src/sources/ws-frame.js';
import { runLines, runWhole } from '../sources/formats/run-format.js';
import { fastest, fuzzTargets, jsonParseBaseline, mutate, SOURCE, violation } from './fuzz-harness.js';

const CASES = 300;
/**
 * Time budget against JSON.parse reading as much (an array of numbers, see jsonParseBaseline).
 * Measured worst: about 4x on 1 MB garbage on a quiet run, up to 21x at 256 KB with the machine
 * busy (trainer_state full of numbers); a quadratic reader is a thousand times over at 256 KB.
 */
const BUDGET = 40;
const targets = fuzzTargets();

const kinds = (items: readonly Ingested[]): string[] => items.map((item) => item.kind);
const reasons = (items: readonly Ingested[]): string[] => items.flatMap((item) => (item.kind === 'problem' ? [item.problem.reason] : []));

/** Runs `body` under `frames` extra stack frames, as a parser deep inside a pipeline runs. */
const underStack = <T>(frames: number, body: () => T): T => (frames === 0 ? body() : underStack(frames - 1, body));

describe('regressions found by fuzzing', () => {
  it('a Python literal nested deeper than CPython prints is a problem, not a stack overflow', () => {
    const deep = parsePythonLiteral(`{'a': ${'['.repeat(100_000)}`);
    expect(deep).toMatchObject({ ok: false, reason: 'nested deeper than 1000 levels' });
    // 999 levels inside the dict still read.
    const fine = parsePythonLiteral(`{'a': ${'['.repeat(999)}${']'.repeat(999)}}`);
    expect(fine.ok).toBe(true);
    const items = runLines(trlStdout, `{'loss': 0.5}\n{'a': ${'('.repeat(50_000)}\n{'loss': 0.25}`, SOURCE);
    expect(kinds(items)).toEqual(['step', 'problem', 'step']);
  });

  it('a \\U escape beyond U+10FFFF is a problem (String.fromCodePoint threw)', () => {
    expect(parsePythonLiteral("{'a': '\\U99999999'}")).toMatchObject({ ok: false, reason: '\\U escape beyond U+10FFFF in a string' });
    expect(parsePythonLiteral("{'a': '\\U0001F600'}")).toEqual({ ok: true, value: { a: '😀' } });
    expect(kinds(runLines(trlStdout, "{'loss': 0.5, 'x': '\\U00110000'}", SOURCE))).toEqual(['problem']);
  });

  it('locating the error in deeply nested invalid JSON does not overflow a stack already 1,000 frames deep', () => {
    const result = underStack(1000, () => parseJsonLine('['.repeat(20_000)));
    expect(result).toMatchObject({ ok: false, position: 1001 });
  });

  it('a websocket frame with a deeply nested bad record is a problem with an excerpt (JSON.stringify overflowed)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const items = decodeFrame(`[{"step":1,"reward":0.5},{"step":"x","a":${deep}},{"step":2,"reward":1}]`, SOURCE, 4);
    expect(kinds(items)).toEqual(['event', 'problem', 'event']);
    expect(items[1]).toMatchObject({ problem: { line: 4, excerpt: '(a value nested too deeply to show)' } });
    expect(kinds(decodeFrame(`{"step":"x","a":${deep}}`, SOURCE, 1))).toEqual(['problem']);
  });

  it('a log_history row or trainer state nested too deeply to show is still one problem and the good rows stay', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const history = await runWhole(trlLogHistory, `[{"step": 1, "loss": 0.5}, ${deep}, {"step": 2, "loss": 0.25}]`, SOURCE);
    expect(kinds(history)).toEqual(['step', 'problem', 'step']);
    expect(reasons(history)).toEqual(['log_history[1] is not an object']);
    expect(kinds(await runWhole(trlTrainerState, `{"log_history": 1, "x": ${deep}}`, SOURCE))).toEqual(['problem']);
  });

  it('a verl console step number beyond 2^53 is a problem, not a record at step Infinity', () => {
    const items = runLines(verlConsole, `step:${'9'.repeat(400)} - a:1\nstep:9007199254740993 - a:1\nstep:3 - a:1`, SOURCE);
    expect(kinds(items)).toEqual(['problem', 'problem', 'step']);
    expect(reasons(items)[0]).toBe('step number too large (400 digits)');
  });
});

describe('regressions found by reading the decoders', () => {
  it('a problem reason stays one readable line however many bad pairs or however long a key (it held megabytes)', async () => {
    const pairs = runLines(verlConsole, `step:3 - a:1 - ${'b:x - '.repeat(10_000)}c:2`, SOURCE);
    expect(kinds(pairs)).toEqual(['problem', 'step']);
    expect(reasons(pairs)[0]).toBe('step 3: malformed key:value pairs "b:x", "b:x", "b:x", "b:x", "b:x" and 9995 more');
    const key = 'k'.repeat(100_000);
    const [metric] = reasons(runLines(goodhartJsonl, JSON.stringify({ step: 1, metrics: { [key]: 'x' } }), SOURCE));
    expect(metric).toBe(`field "metrics.${'k'.repeat(60)}…": expected a finite number or null, got string "x"`);
    const [component] = reasons(runLines(goodhartJsonl, JSON.stringify({ step: 1, components: { [key]: 'x' } }), SOURCE));
    expect(component!.length).toBeLessThan(200);
    const row = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`key${String(i)}`, 'x']));
    const history = await runWhole(trlLogHistory, JSON.stringify([{ step: 1, loss: 0.5, ...row }]), SOURCE);
    expect(reasons(history)[0]).toBe('log_history[0] (step 1) has non-numeric values for key0, key1, key2, key3, key4 and 995 more');
  });

  it('a goodhart step record keeps metrics named like Object.prototype members', () => {
    const items = runLines(goodhartJsonl, '{"step":1,"metrics":{"constructor":1,"toString":2,"loss":4}}', SOURCE);
    expect(items).toEqual([{ kind: 'step', record: { step: 1, metrics: { constructor: 1, toString: 2, loss: 4 } } }]);
  });
});

describe('values survive decoding', () => {
  const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
  const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('constructor', 'toString', 'valueOf', 'hasOwnProperty')).filter((key) => key !== '__proto__');

  it('a generated goodhart event line decodes to exactly its values', () => {
    fc.assert(
      fc.property(
        fc.record({ step: fc.nat(1_000_000), reward: number, components: fc.dictionary(name, number, { maxKeys: 5 }), group: fc.string({ unit: 'binary' }), response: fc.string({ unit: 'binary' }), length: fc.nat() }),
        (event) => {
          expect(runLines(goodhartJsonl, JSON.stringify(event), SOURCE)).toEqual([{ kind: 'event', event }]);
          // The same record inside a websocket frame, beside a bad element.
          expect(decodeFrame(`[${JSON.stringify(event)},{"step":-1}]`, SOURCE, 1)[0]).toEqual({ kind: 'event', event });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a generated goodhart step record keeps every metric it can (canonical or its own name)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.dictionary(name.filter((key) => !key.includes('/') && !/^[a-z_]+$/.test(key)), number, { minKeys: 1, maxKeys: 6 }), (step, metrics) => {
        const items = runLines(goodhartJsonl, JSON.stringify({ step, metrics }), SOURCE);
        expect(items).toEqual([{ kind: 'step', record: { step, metrics } }]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mutations', () => {
  it('do what they say', () => {
    expect(mutate('abcd', { kind: 'truncate', at: 0.5 })).toBe('ab');
    expect(mutate('{"a":1}', { kind: 'number', nth: 0, replacement: '1e999' })).toBe('{"a":1e999}');
    expect(mutate('{"a":1,"b":"x"}', { kind: 'swap-type', nth: 3, replacement: 'null' })).toBe('{"a":1,"b":null}');
    expect(mutate('ab', { kind: 'invalid-utf8', at: 0.5, bytes: [0xff] })).toBe('a\ufffdb');
    expect(mutate('ab', { kind: 'nest', at: 0, open: '[', depth: 3 })).toBe('[[[ab');
    expect(mutate('ab', { kind: 'long', times: 3 })).toBe('ababab');
  });
});

describe('invariants', () => {
  it('catch a non-finite number, a problem without a reason or line, and a control character in an excerpt', () => {
    expect(violation({ kind: 'event', event: { step: 1, reward: Number.NaN } }, 1)).toBeDefined();
    expect(violation({ kind: 'step', record: { step: Infinity, metrics: {} } }, 1)).toBeDefined();
    expect(violation({ kind: 'problem', problem: { source: SOURCE, line: 1, reason: ' ', excerpt: '' } }, 1)).toBeDefined();
    expect(violation({ kind: 'problem', problem: { source: SOURCE, line: 2, reason: 'bad', excerpt: '' } }, 1)).toBeDefined();
    expect(violation({ kind: 'problem', problem: { source: SOURCE, line: 1, reason: 'bad', excerpt: '\u001b[2J' } }, 1)).toBeDefined();
    expect(violation({ kind: 'problem', problem: { source: SOURCE, line: 1, reason: 'bad', excerpt: 'x' } }, 1)).toBeUndefined();
  });
});

describe.each(targets.map((target) => [target.name, target] as const))('%s under fuzz', (_name, target) => {
  it(`${String(CASES)} generated and mutated cases: no exception, well-formed items, the good record kept`, () => {
    fc.assert(
      fc.property(target.cases, (fuzzCase) => {
        expect(fuzzCase.run()).toBeUndefined();
      }),
      { numRuns: CASES },
    );
  });

  it(`a 256 KB garbage line costs at most ${String(BUDGET)}x what JSON.parse pays to read that much`, () => {
    for (const garbage of target.garbage(1 << 18)) {
      const ms = fastest(garbage.run);
      const baseline = Math.max(jsonParseBaseline(garbage.text), 1);
      expect(ms / baseline, `${garbage.shape}: ${ms.toFixed(1)} ms vs JSON.parse ${baseline.toFixed(1)} ms`).toBeLessThan(BUDGET);
    }
  });
});
