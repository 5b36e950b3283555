// Fuzzing every input decoder: generated valid lines and real trainer logs (../shared/realdata),
// mutated (bytes flipped, truncated, garbage spliced, lines duplicated, NUL / invalid UTF-8 /
// huge numbers / deep nesting / very long lines injected, value types swapped), run through each
// adapter beside a known-good line. Shared by test/hardening/fuzz.test.ts (a few hundred cases per
// adapter) and benchmarks/fuzz.ts (100,000 per adapter).
//
// Invariants checked on every case:
// - no exception escapes the adapter;
// - every item is well-formed: finite numbers only in events and step records, and every problem
//   names the source, the line it came from (0 for whole documents) and a non-empty reason, with
//   an excerpt free of control characters;
// - no good record lost: the known-good line (or row, or frame element) still yields exactly the
//   records it yields on its own.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { LineFormat, WholeFileFormat } from '../../src/sources/format.js';
import { goodhartJsonl } from '../../src/sources/formats/goodhart-jsonl.js';
import { sampleComponents } from '../../src/sources/formats/sample-components-jsonl.js';
import { trlLogHistory } from '../../src/sources/formats/trl-log-history.js';
import { trlStdout } from '../../src/sources/formats/trl-stdout.js';
import { trlTrainerState } from '../../src/sources/formats/trl-trainer-state.js';
import { verlConsole } from '../../src/sources/formats/verl-console.js';
import { verlFileJsonl } from '../../src/sources/formats/verl-file-jsonl.js';
import { verlRollout } from '../../src/sources/formats/verl-rollout-jsonl.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { decodeFrame } from '../../src/sources/ws-frame.js';
import { realdata } from '../support/paths.js';

export const SOURCE = 'fuzz://input';

// ---------------------------------------------------------------------------------------------
// Mutations

/** One mutation, drawn by fast-check; positions are fractions of the text so they always land. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly char: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'splice'; readonly at: number; readonly garbage: string }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'nul'; readonly at: number }
  | { readonly kind: 'invalid-utf8'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'number'; readonly nth: number; readonly replacement: string }
  | { readonly kind: 'swap-type'; readonly nth: number; readonly replacement: string }
  | { readonly kind: 'nest'; readonly at: number; readonly open: string; readonly depth: number }
  | { readonly kind: 'long'; readonly times: number };

const HUGE_NUMBERS = [
  '1e999', '-1e999', '1e308', '-1e308', '5e-324', '-0', '-0.0', '1e-300', '1e300',
  '123456789012345678901234567890', '9'.repeat(400), '9007199254740993', '0x10', '1_000', '.5', '1.', '+1', '00', '1e', '-',
  'NaN', 'Infinity', '-Infinity', 'nan', 'inf', '-inf',
] as const;
const SWAPPED_VALUES = ['"x"', 'null', '[]', '{}', 'true', '"NaN"', 'None', '[1,2]', '{"a":1}', "'s'", '""', '"1e999"'] as const;
const SPECIAL_CHARS = ['\u0000', '\u001b[31m', '\u009b', '\ud800', '\udc00', '\ufffd', '\u202e', '"', "'", '\\', '{', '}', '[', ']', ':', ',', '\r', '\n', ' ', '\t'] as const;

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fraction, char: fc.oneof(fc.constantFrom(...SPECIAL_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fraction }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fraction, garbage: fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom(...SPECIAL_CHARS, ...HUGE_NUMBERS, ...SWAPPED_VALUES)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fraction, length: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nul' as const), at: fraction }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalid-utf8' as const), at: fraction, bytes: fc.array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xff), { minLength: 1, maxLength: 4 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('number' as const), nth: fc.nat(60), replacement: fc.constantFrom(...HUGE_NUMBERS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('swap-type' as const), nth: fc.nat(60), replacement: fc.constantFrom(...SWAPPED_VALUES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at: fraction, open: fc.constantFrom('[', '{"a":', '(', "{'a': ", '[{"step":'), depth: fc.constantFrom(2, 999, 1000, 1001, 20_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('long' as const), times: fc.integer({ min: 2, max: 60 }) }) },
);

/** Longest text a 'long' mutation makes: 256 K characters. */
const MAX_LONG = 1 << 18;

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;
const VALUE_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\btrue\b|\bfalse\b|\bnull\b|\bNone\b/g;

/** Replaces the nth match of `pattern` (modulo the match count); the text unchanged if none. */
function replaceNth(text: string, pattern: RegExp, nth: number, replacement: string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const match = matches[nth % matches.length]!;
  return text.slice(0, match.index) + replacement + text.slice(match.index + match[0].length);
}

const cut = (text: string, at: number): number => Math.floor(at * (text.length + 1));

/** Applies one mutation to a text (a line, a document, a frame). */
export function mutate(text: string, mutation: Mutation): string {
  switch (mutation.kind) {
    case 'flip': {
      const i = cut(text, mutation.at);
      return text.slice(0, i) + mutation.char + text.slice(i + 1);
    }
    case 'truncate':
      return text.slice(0, cut(text, mutation.at));
    case 'splice': {
      const i = cut(text, mutation.at);
      return text.slice(0, i) + mutation.garbage + text.slice(i);
    }
    case 'duplicate': {
      const i = cut(text, mutation.at);
      return text.slice(0, i) + text.slice(i, i + mutation.length) + text.slice(i);
    }
    case 'nul': {
      const i = cut(text, mutation.at);
      return `${text.slice(0, i)}\u0000${text.slice(i)}`;
    }
    case 'invalid-utf8': {
      // Bytes that are not UTF-8, decoded the way the file and socket sources decode (U+FFFD).
      const bytes = Buffer.from(text, 'utf8');
      const i = Math.floor(mutation.at * (bytes.length + 1));
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(mutation.bytes), bytes.subarray(i)]).toString('utf8');
    }
    case 'number':
      return replaceNth(text, NUMBER_TOKEN, mutation.nth, mutation.replacement);
    case 'swap-type':
      return replaceNth(text, VALUE_TOKEN, mutation.nth, mutation.replacement);
    case 'nest': {
      const i = cut(text, mutation.at);
      return text.slice(0, i) + mutation.open.repeat(mutation.depth) + text.slice(i);
    }
    case 'long':
      // Very long, yet bounded: repeated long mutations would otherwise compound to gigabytes.
      return text.repeat(Math.max(1, Math.min(mutation.times, Math.floor(MAX_LONG / Math.max(text.length, 1)))));
  }
}

export const mutateAll = (text: string, mutations: readonly Mutation[]): string => mutations.reduce(mutate, text);

// ---------------------------------------------------------------------------------------------
// Well-formedness

const finiteOrAbsent = (value: number | undefined): boolean => value === undefined || Number.isFinite(value);
const allFinite = (values: Readonly<Record<string, number>> | undefined): boolean =>
  values === undefined || Object.values(values).every((value) => typeof value === 'number' && Number.isFinite(value));
// eslint-disable-next-line no-control-regex -- control characters are what an excerpt must not carry
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A reason is one readable line, whatever the input: V8's JSON message, a field path, five names. */
const MAX_REASON = 1000;
/** 80 characters, each escaped to at most 6 (`\u0000`), and the ellipsis. */
const MAX_EXCERPT = 80 * 6 + 1;

/**
 * What is wrong with one item, or undefined. `line` is the line the item came from (the
 * argument of the parser call that returned it); undefined accepts any line from 0 up.
 */
export function violation(item: Ingested, line: number | undefined): string | undefined {
  switch (item.kind) {
    case 'event': {
      const event = item.event;
      if (!Number.isFinite(event.step)) return `event step ${String(event.step)}`;
      if (![event.reward, event.length, event.kl, event.logprob, event.t].every(finiteOrAbsent)) return 'event with a non-finite number';
      if (event.length !== undefined && event.length < 0) return 'event with a negative length';
      if (!allFinite(event.components)) return 'event with a non-finite component';
      return undefined;
    }
    case 'step': {
      const record = item.record;
      if (!Number.isFinite(record.step)) return `step record step ${String(record.step)}`;
      if (!allFinite(record.metrics) || !allFinite(record.raw)) return 'step record with a non-finite metric';
      if (record.missing !== undefined && !(Number.isInteger(record.missing) && record.missing >= 0)) return `step record missing ${String(record.missing)}`;
      return undefined;
    }
    case 'problem': {
      const problem = item.problem;
      if (problem.source !== SOURCE) return `problem source ${JSON.stringify(problem.source)}`;
      if (!Number.isInteger(problem.line) || problem.line < 0) return `problem line ${String(problem.line)}`;
      if (line !== undefined && problem.line !== line) return `problem at line ${String(problem.line)}, reported for line ${String(line)}`;
      if (typeof problem.reason !== 'string' || problem.reason.trim() === '') return 'problem without a reason';
      if (problem.reason.length > MAX_REASON) return `problem reason of ${String(problem.reason.length)} characters`;
      if (typeof problem.excerpt !== 'string' || CONTROL.test(problem.excerpt) || problem.excerpt.length > MAX_EXCERPT) return `problem excerpt ${JSON.stringify(problem.excerpt)}`;
      return undefined;
    }
  }
}

const records = (items: readonly Ingested[]): Ingested[] => items.filter((item) => item.kind !== 'problem');

// ---------------------------------------------------------------------------------------------
// Adapters under fuzz

/** One fuzz case: the text (or texts) to feed, and what the good part must still yield. */
export interface FuzzCase {
  readonly size: number;
  readonly run: () => string | undefined;
}

export interface FuzzTarget {
  readonly name: string;
  readonly cases: fc.Arbitrary<FuzzCase>;
  /** Garbage of about `bytes` characters of several shapes, for the time-budget checks. */
  readonly garbage: (bytes: number) => readonly Garbage[];
}

/** One garbage input: its shape, its text, and a run of the adapter over it. */
export interface Garbage {
  readonly shape: string;
  readonly text: string;
  readonly run: () => void;
}

/** The fastest of `repeats` runs, in ms: noise from a busy machine only ever adds time. */
export function fastest(run: () => void, repeats = 3): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * What reading `text` costs the platform, the yardstick for an adapter's time on it: the slower
 * of JSON.parse on that very text (V8 pays for deep nesting too) and JSON.parse on a valid JSON
 * line of the same length (an array of numbers).
 */
export function jsonParseBaseline(text: string): number {
  // An array of numbers: JSON.parse allocates per value, so its time carries the collector's
  // growth on big inputs, as the adapters' does (a line of a million NaNs builds a million pieces).
  const valid = `[${'0.5,'.repeat(Math.floor(text.length / 4))}0]`;
  const attempt = (json: string) => (): void => {
    try {
      JSON.parse(json);
    } catch {
      // garbage is expected not to parse
    }
  };
  return Math.max(fastest(attempt(text)), fastest(attempt(valid)));
}

const linesOfFile = (file: string): string[] =>
  readFileSync(realdata(file), 'utf8')
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
    .filter((line) => line.trim() !== '');

/** Runs a line format over lines and checks every invariant; the good line sits at `goodAt`. */
function checkLines(format: LineFormat, lines: readonly string[], goodAt: number, ignoreStep: boolean): string | undefined {
  const good = lines[goodAt]!;
  const reference = records(format.createParser(SOURCE).line(good, 1));
  if (reference.length === 0) return `the good line yields no record on its own: ${good.slice(0, 120)}`;
  const parser = format.createParser(SOURCE);
  for (let index = 0; index < lines.length; index++) {
    const items = parser.line(lines[index]!, index + 1);
    for (const item of items) {
      const wrong = violation(item, index + 1);
      if (wrong !== undefined) return `line ${String(index + 1)}: ${wrong}`;
    }
    if (index === goodAt && !sameRecords(records(items), reference, ignoreStep)) return `good line ${String(index + 1)} lost or changed`;
  }
  for (const item of parser.end()) {
    const wrong = violation(item, undefined);
    if (wrong !== undefined) return `end: ${wrong}`;
  }
  return undefined;
}

const withoutStep = (item: Ingested): unknown =>
  item.kind === 'step' ? { ...item, record: { ...item.record, step: 0 } } : item;

function sameRecords(actual: readonly Ingested[], expected: readonly Ingested[], ignoreStep: boolean): boolean {
  return ignoreStep ? isDeepStrictEqual(actual.map(withoutStep), expected.map(withoutStep)) : isDeepStrictEqual(actual, expected);
}

/**
 * Cases for a line format: 0-3 mutated lines before and after a good line (real or generated);
 * each mutated line starts from a real line or a generated valid one and takes 1-3 mutations.
 */
function lineCases(format: LineFormat, real: readonly string[], good: fc.Arbitrary<string>, valid: fc.Arbitrary<string>, ignoreStep: boolean): fc.Arbitrary<FuzzCase> {
  const base = fc.oneof(fc.constantFrom(...real), valid);
  const mutated = fc.tuple(base, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([line, mutations]) => mutateAll(line, mutations));
  // A mutated line may hold newlines: a file source would split it, so split it here too.
  const noisy = fc.array(mutated, { maxLength: 3 }).map((texts) => texts.flatMap((line) => line.split('\n')));
  return fc.tuple(noisy, good, noisy).map(([before, goodLine, after]): FuzzCase => {
    const lines = [...before, goodLine, ...after];
    return { size: lines.reduce((sum, line) => sum + line.length + 1, 0), run: () => checkLines(format, lines, before.length, ignoreStep) };
  });
}

/** Garbage lines of several shapes and about `bytes` characters, fed as one line. */
function garbageLines(bytes: number, prefix: string): string[] {
  const fill = (unit: string): string => prefix + unit.repeat(Math.ceil((bytes - prefix.length) / unit.length));
  return [fill('['), fill('{"a":'), fill('"'), fill('1,'), fill('NaN,'), fill("{'a': "), fill('('), fill("'x"), fill('\\'), fill('a - b:c '), fill('\u0000\ud800\u001b[')];
}

const GARBAGE_NAMES = ['[ nesting', '{ nesting', 'open string', 'numbers', 'NaN tokens', 'dict nesting', '( nesting', 'quotes', 'backslashes', 'pairs', 'control bytes'];

function lineGarbage(format: LineFormat, prefix: string): FuzzTarget['garbage'] {
  return (bytes) =>
    garbageLines(bytes, prefix).map((line, index) => ({
      shape: GARBAGE_NAMES[index]!,
      text: line,
      run: () => {
        const parser = format.createParser(SOURCE);
        parser.line(line, 1);
        parser.end();
      },
    }));
}

// Generated valid values.
const finiteNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
);
const stepNumber = fc.nat(1_000_000);
const metricKey = fc.oneof(
  fc.constantFrom('loss', 'reward', 'reward_std', 'kl', 'grad_norm', 'learning_rate', 'completions/mean_length', 'critic/score/mean', 'actor/entropy', 'response_length/mean', 'rewards/format/mean'),
  fc.stringMatching(/^[a-z][a-z0-9_/@.-]{0,20}$/),
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
const numbers = fc.dictionary(metricKey, finiteNumber, { minKeys: 1, maxKeys: 6 });

const goodhartEvent = fc
  .record(
    { step: stepNumber, reward: finiteNumber, components: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), finiteNumber, { maxKeys: 4 }), group: text, response: text, length: fc.nat(10_000) },
    { requiredKeys: ['step', 'reward'] },
  )
  .map((event) => JSON.stringify(event));
const goodhartStep = fc.record({ step: stepNumber, metrics: numbers }).map((record) => JSON.stringify(record));
const goodhartLine = fc.oneof(goodhartEvent, goodhartStep);

/** Python's repr of a finite float (JS prints exponents as 1e-7, which Python reads too). */
const pyNumber = (value: number): string => (Object.is(value, -0) ? '-0.0' : String(value));
const pyString = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`;
const trlDict = fc
  .record({ loss: finiteNumber, reward: finiteNumber, extra: numbers })
  .map(({ loss, reward, extra }) => `{${[['loss', loss] as const, ['reward', reward] as const, ...Object.entries(extra)].map(([key, value]) => `${pyString(key)}: ${pyNumber(value)}`).join(', ')}}`);
const consoleKey = fc.stringMatching(/^[a-z][a-z0-9_/@().-]{0,24}$/);
const verlLine = fc
  .tuple(stepNumber, fc.dictionary(consoleKey, finiteNumber, { minKeys: 1, maxKeys: 8 }))
  .map(([step, pairs]) => `step:${String(step)} - ${Object.entries(pairs).map(([key, value]) => `${key}:${String(value)}`).join(' - ')}`);
const verlFileLine = fc.record({ step: stepNumber, data: numbers }).map((row) => JSON.stringify(row));
const rolloutLine = fc
  .record({ input: text, output: text, gts: text, score: finiteNumber, step: stepNumber, acc: fc.boolean() })
  .map((row) => JSON.stringify(row));
const componentsLine = fc
  .record({ problem_id: text, prompt_hash: text, scalar_reward: finiteNumber, format_component: finiteNumber, correctness_component: finiteNumber, decoded_completion: text, step: stepNumber, completion_ids: fc.array(fc.nat(200_000), { maxLength: 20 }) })
  .map((row) => JSON.stringify(row));

/** Real records turned into goodhart JSONL lines: events from the real completions, steps from verl. */
function realGoodhartLines(): string[] {
  const events = linesOfFile('trl-grpo_completions_5components.jsonl').flatMap((line) => sampleComponents.createParser('real').line(line, 1));
  const steps = linesOfFile('verl-ppo_gemma-2-2b_gsm8k_healthy.log').flatMap((line) => verlConsole.createParser('real').line(line, 1)).slice(0, 40);
  return [...events, ...steps].flatMap((item) =>
    item.kind === 'event' ? [JSON.stringify(item.event)] : item.kind === 'step' ? [JSON.stringify({ step: item.record.step, metrics: item.record.raw ?? item.record.metrics })] : [],
  );
}

function realVerlFileLines(): string[] {
  return linesOfFile('verl-gpg_qwen2-7b_math_length_explosion.log')
    .flatMap((line) => verlConsole.createParser('real').line(line, 1))
    .flatMap((item) => (item.kind === 'step' ? [JSON.stringify({ step: item.record.step, data: item.record.raw ?? item.record.metrics })] : []))
    .slice(0, 200);
}

// ---------------------------------------------------------------------------------------------
// Whole documents: trainer_state.json and bare log_history

/** Runs a whole-file format (synchronous for the JSON formats) over a text. */
function parseWhole(format: WholeFileFormat, content: string | Uint8Array): readonly Ingested[] {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const result = format.parse(bytes, SOURCE);
  if (result instanceof Promise) throw new TypeError(`${format.name} parsed asynchronously; the fuzz harness expects JSON formats`);
  return result;
}

const realRows = (): unknown[] => {
  const state = JSON.parse(readFileSync(realdata('trl-grpo_multicomponent_trainer_state.json'), 'utf8')) as { log_history: unknown[] };
  const collapse = JSON.parse(readFileSync(realdata('trl-grpo_qwen35_collapse_step_logs.json'), 'utf8')) as unknown[];
  // The end-of-training summary row (train_runtime...) yields no record on its own: not a good row.
  return [...state.log_history, ...collapse].filter((row) => typeof row === 'object' && row !== null && !('train_runtime' in row));
};

const generatedRow = fc.record({ step: stepNumber, loss: finiteNumber, reward: finiteNumber, extra: numbers }).map(({ extra, ...row }) => ({ ...extra, ...row }));

/**
 * A log_history document: good rows (real or generated) beside mutated rows (each a row
 * rendered as JSON, mutated, kept only if still JSON: the document must stay parseable for
 * the row-level check), or the whole document text mutated.
 */
function historyCases(format: WholeFileFormat, wrap: (rows: string) => string): fc.Arbitrary<FuzzCase> {
  const real = realRows();
  const goodRow = fc.oneof(fc.constantFrom(...real), generatedRow);
  const badRow = fc.tuple(goodRow, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([row, mutations]) => mutateAll(JSON.stringify(row), mutations));
  const rowLevel = fc.tuple(fc.array(badRow, { maxLength: 3 }), goodRow, fc.array(badRow, { maxLength: 3 })).map(([before, good, after]): FuzzCase => {
    const keep = (texts: readonly string[]): string[] => texts.filter((row) => parses(row));
    const rows = [...keep(before), JSON.stringify(good), ...keep(after)];
    const document = wrap(rows.join(',\n'));
    return {
      size: document.length,
      run: () => {
        const reference = records(parseWhole(format, wrap(JSON.stringify(good))));
        const items = parseWhole(format, document);
        for (const item of items) {
          const wrong = violation(item, 0);
          if (wrong !== undefined) return wrong;
        }
        // The good row's records appear, in order, among the document's records.
        const all = records(items);
        return containsInOrder(all, reference) ? undefined : 'good row lost or changed';
      },
    };
  });
  const textLevel = fc
    .tuple(fc.array(goodRow, { minLength: 1, maxLength: 4 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([rows, mutations, bytes]): FuzzCase => {
      const document = mutateAll(wrap(rows.map((row) => JSON.stringify(row)).join(',\n')), mutations);
      return {
        size: document.length,
        run: () => {
          const items = parseWhole(format, bytes ? Buffer.from(document, 'utf8') : document);
          for (const item of items) {
            const wrong = violation(item, 0);
            if (wrong !== undefined) return wrong;
          }
          if (!parses(document)) {
            const problems = items.filter((item) => item.kind === 'problem');
            if (items.length !== 1 || problems.length !== 1) return 'a document that is not JSON must be exactly one problem';
          }
          return undefined;
        },
      };
    });
  return fc.oneof(rowLevel, textLevel);
}

/** JSON, Python's bare NaN/Infinity tokens allowed (what the decoders accept). */
function parses(json: string): boolean {
  try {
    JSON.parse(json.replace(/(?<![\w."])(?:-?Infinity|NaN)(?![\w.])/g, 'null'));
    return true;
  } catch {
    return false;
  }
}

function containsInOrder(all: readonly Ingested[], wanted: readonly Ingested[]): boolean {
  if (wanted.length === 0) return false;
  return all.some((_, start) => wanted.every((item, offset) => isDeepStrictEqual(all[start + offset], item)));
}

function wholeGarbage(format: WholeFileFormat, prefix: string): FuzzTarget['garbage'] {
  return (bytes) => garbageLines(bytes, prefix).map((line, index) => ({ shape: GARBAGE_NAMES[index]!, text: line, run: () => void parseWhole(format, line) }));
}

// ---------------------------------------------------------------------------------------------
// Websocket frames

/** A frame's items one per element: a problem naming infinite values comes beside its element's record. */
const perElement = (items: readonly Ingested[]): Ingested[] =>
  items.filter((item) => item.kind !== 'problem' || !item.problem.reason.endsWith('(not finite); treated as missing'));

/** Frames: an array of good and mutated elements, or a whole frame mutated. */
function frameCases(): fc.Arbitrary<FuzzCase> {
  const real = realGoodhartLines();
  const goodLine = fc.oneof(fc.constantFrom(...real), goodhartLine);
  const badLine = fc.tuple(goodLine, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([line, mutations]) => mutateAll(line, mutations));
  const elementLevel = fc.tuple(fc.array(badLine, { maxLength: 3 }), goodLine, fc.array(badLine, { maxLength: 3 })).map(([before, good, after]): FuzzCase => {
    const kept = (texts: readonly string[]): string[] => texts.filter((element) => parses(element) && !element.trim().startsWith('['));
    const elements = [...kept(before), good, ...kept(after)];
    const frame = `[${elements.join(',')}]`;
    const goodIndex = kept(before).length;
    return {
      size: frame.length,
      run: () => {
        const reference = perElement(decodeFrame(good, SOURCE, 1));
        const all = decodeFrame(frame, SOURCE, 7);
        for (const item of all) {
          const wrong = violation(item, 7);
          if (wrong !== undefined) return wrong;
        }
        const items = perElement(all);
        if (items.length !== elements.length) return `${String(elements.length)} elements gave ${String(items.length)} items`;
        return isDeepStrictEqual(items[goodIndex], reference[0]) ? undefined : 'good element lost or changed';
      },
    };
  });
  const frameLevel = fc.tuple(fc.array(goodLine, { minLength: 1, maxLength: 4 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([lines, mutations]): FuzzCase => {
    const frame = mutateAll(lines.length === 1 ? lines[0]! : `[${lines.join(',')}]`, mutations);
    return {
      size: frame.length,
      run: () => {
        for (const item of decodeFrame(frame, SOURCE, 3)) {
          const wrong = violation(item, 3);
          if (wrong !== undefined) return wrong;
        }
        return undefined;
      },
    };
  });
  return fc.oneof(elementLevel, frameLevel);
}

// ---------------------------------------------------------------------------------------------

/** Every adapter under fuzz, built lazily (reading the real files once). */
export function fuzzTargets(): FuzzTarget[] {
  const real = {
    goodhart: realGoodhartLines(),
    stdout: linesOfFile('trl-grpo_stdout_rho0.10_seed42.log'),
    console: [...linesOfFile('verl-ppo_gemma-2-2b_gsm8k_healthy.log'), ...linesOfFile('verl-gpg_qwen2-7b_math_length_explosion.log').slice(0, 400)],
    file: realVerlFileLines(),
    rollout: linesOfFile('verl-rollout_sdpo_step1_head.jsonl'),
    components: linesOfFile('trl-grpo_completions_5components.jsonl'),
  };
  // Good lines must yield a record on their own: noise lines of the console logs are mutation bases only.
  const yields = (format: LineFormat) => (line: string): boolean => records(format.createParser(SOURCE).line(line, 1)).length > 0;
  const lineTarget = (name: string, format: LineFormat, realLines: readonly string[], valid: fc.Arbitrary<string>, prefix: string, ignoreStep = false): FuzzTarget => {
    const goodReal = realLines.filter(yields(format));
    const good = goodReal.length > 0 ? fc.oneof(fc.constantFrom(...goodReal), valid) : valid;
    return { name, cases: lineCases(format, realLines, good, valid, ignoreStep), garbage: lineGarbage(format, prefix) };
  };
  return [
    lineTarget('goodhart-jsonl', goodhartJsonl, real.goodhart, goodhartLine, '{"step":1,"reward":'),
    { name: 'trl-trainer-state', cases: historyCases(trlTrainerState, (rows) => `{"global_step": 3, "log_history": [${rows}]}`), garbage: wholeGarbage(trlTrainerState, '{"log_history": [') },
    { name: 'trl-log-history', cases: historyCases(trlLogHistory, (rows) => `[${rows}]`), garbage: wholeGarbage(trlLogHistory, '[{"step": 1, "loss": ') },
    lineTarget('trl-stdout', trlStdout, real.stdout, trlDict, "{'loss': ", true),
    lineTarget('verl-console', verlConsole, real.console, verlLine, 'step:1 - a:'),
    lineTarget('verl-file-jsonl', verlFileJsonl, real.file, verlFileLine, '{"step": 1, "data": '),
    lineTarget('verl-rollout-jsonl', verlRollout, real.rollout, rolloutLine, '{"input": "x", "output": '),
    lineTarget('sample-components-jsonl', sampleComponents, real.components, componentsLine, '{"scalar_reward": '),
    { name: 'ws-frame', cases: frameCases(), garbage: (bytes) => garbageLines(bytes, '[{"step":1,"reward":').map((line, index) => ({ shape: GARBAGE_NAMES[index]!, text: line, run: () => void decodeFrame(line, SOURCE, 1) })) },
  ];
}
