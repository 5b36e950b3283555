/**
 * Per-sample JSONL with named reward components: one scored completion per line carrying a
 * total (`scalar_reward`) and its parts as `<name>_component` fields, as some GRPO projects
 * write beside TRL (e.g. `scalar_reward` + `answer_block_component` + `correctness_component`).
 *
 * Mapping to RewardEvent: reward = `scalar_reward` (else `reward`); components = every finite
 * `<name>_component` under `<name>`; response = `decoded_completion` (else `completion`, else
 * `response`); prompt = `prompt` when given; length = `exact_token_count` (tokens; else the
 * response's code points); group = `prompt_hash` (else `problem_id`, else a hash of `prompt`);
 * step = `step` (else `global_step`, else `defaultStep`: such files are often written for one
 * step and carry none). Remaining scalar fields (ids, statuses, verifier detail) and objects
 * go to `meta`; arrays (token ids, masks) are left out: large, and not read by any detector.
 *
 * A line is a sample only when it carries a reward, a component or a response; any other JSON
 * object (`{"x": 1}`, a stray config dump) is reported and skipped, never read as an empty
 * sample at the default step.
 */
import type { RewardEvent } from '../../core/types.js';
import type { LineFormat, LineParser } from '../format.js';
import { finite, firstLineObject, groupIdOf, infinityReason, isRecord, messageOf, parseJsonLenient, problem, stepProblem } from './adapter-kit.js';
import { setOwn } from '../../core/own-key.js';

export interface SampleComponentsConfig {
  /** Step given to samples whose line has no `step`/`global_step`. Default 0. */
  readonly defaultStep?: number;
}

const COMPONENT_SUFFIX = '_component';
const REWARD_KEYS = ['scalar_reward', 'reward'] as const;
const RESPONSE_KEYS = ['decoded_completion', 'completion', 'response'] as const;
const STEP_KEYS = ['step', 'global_step'] as const;
const MAPPED = new Set<string>([...REWARD_KEYS, ...RESPONSE_KEYS, ...STEP_KEYS, 'prompt', 'prompt_hash', 'exact_token_count']);

const firstString = (row: Readonly<Record<string, unknown>>, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    const value = row[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
};

const firstPresent = (row: Readonly<Record<string, unknown>>, keys: readonly string[]): unknown => {
  for (const key of keys) if (key in row) return row[key];
  return undefined;
};

const isComponentKey = (key: string): boolean => key.endsWith(COMPONENT_SUFFIX) && key.length > COMPONENT_SUFFIX.length;

const SAMPLE_KEYS = new Set<string>([...REWARD_KEYS, ...RESPONSE_KEYS]);
const NOT_A_SAMPLE = `not a scored sample: none of ${[...REWARD_KEYS, `<name>${COMPONENT_SUFFIX}`, ...RESPONSE_KEYS].join(', ')}`;

/** Whether a row holds any field that makes a sample: a reward, a component or a response. */
const isSample = (row: Readonly<Record<string, unknown>>): boolean => {
  for (const key in row) {
    if (SAMPLE_KEYS.has(key) || isComponentKey(key)) return true;
  }
  return false;
};

const codePoints = (text: string): number => text.length - (text.match(/[\uDC00-\uDFFF]/g)?.length ?? 0);

/** Per-sample components JSONL. Throws RangeError on a default step that is not a non-negative integer. */
export const sampleComponentsFormat = (config: SampleComponentsConfig = {}): LineFormat => {
  const defaultStep = config.defaultStep ?? 0;
  if (!Number.isSafeInteger(defaultStep) || defaultStep < 0) {
    throw new RangeError(`sampleComponents defaultStep must be a non-negative integer, got ${String(defaultStep)}`);
  }
  const createParser = (source: string): LineParser => ({
    line: (text, line) => {
      if (text.trim() === '') return [];
      let row: unknown;
      try {
        row = parseJsonLenient(text);
      } catch (error) {
        return [problem(source, line, `not valid JSON: ${messageOf(error)}`, text)];
      }
      if (!isRecord(row)) return [problem(source, line, 'expected a JSON object (one scored sample)', text)];
      if (!isSample(row)) return [problem(source, line, NOT_A_SAMPLE, text)];
      const stepField = firstPresent(row, STEP_KEYS);
      const step = stepField === undefined ? defaultStep : finite(stepField);
      if (step === undefined) return [problem(source, line, 'non-numeric "step"', text)];
      const badStep = stepProblem(step);
      if (badStep !== undefined) return [problem(source, line, badStep, text)];
      const rewardField = firstPresent(row, REWARD_KEYS);
      if (rewardField !== undefined && rewardField !== null && typeof rewardField !== 'number') {
        return [problem(source, line, 'non-numeric reward', text)];
      }
      const reward = finite(rewardField);
      const response = firstString(row, RESPONSE_KEYS);
      const components: Record<string, number> = {};
      const meta: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) {
        if (isComponentKey(key)) {
          const number = finite(value);
          if (number !== undefined) setOwn(components, key.slice(0, -COMPONENT_SUFFIX.length), number);
        } else if (!MAPPED.has(key) && !Array.isArray(value) && value !== response) {
          setOwn(meta, key, value);
        }
      }
      const prompt = firstString(row, ['prompt']);
      const tokens = finite(row['exact_token_count']);
      const length = tokens ?? (response === undefined ? undefined : codePoints(response));
      const groupField = firstString(row, ['prompt_hash', 'problem_id']);
      const group = groupField ?? (prompt === undefined ? undefined : groupIdOf(prompt));
      const event: RewardEvent = {
        step,
        ...(reward === undefined ? {} : { reward }),
        ...(Object.keys(components).length > 0 ? { components } : {}),
        ...(group === undefined ? {} : { group }),
        ...(response === undefined ? {} : { response }),
        ...(prompt === undefined ? {} : { prompt }),
        ...(length === undefined ? {} : { length }),
        meta,
      };
      const infinite = infinityReason(row);
      if (infinite !== undefined) return [problem(source, line, infinite, text), { kind: 'event', event }];
      return [{ kind: 'event', event }];
    },
    end: () => [],
  });
  return {
    kind: 'lines',
    name: 'sample-components-jsonl',
    // Top-level keys only: goodhart JSONL may name a component `format_component` inside `components`.
    detect: (head) => {
      const first = firstLineObject(head);
      if (first === undefined || 'components' in first) return false;
      const keys = Object.keys(first);
      return REWARD_KEYS.some((key) => key in first) && keys.some((key) => key.endsWith(COMPONENT_SUFFIX));
    },
    createParser,
  };
};

/** Per-sample components JSONL, samples without a step placed at step 0. */
export const sampleComponents: LineFormat = sampleComponentsFormat();
