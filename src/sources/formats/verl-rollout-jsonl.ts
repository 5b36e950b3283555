/**
 * verl rollout dumps (`trainer.rollout_data_dir`, `<global_step>.jsonl`): one sample per line
 * with `input` (decoded prompt), `output` (decoded response), `gts`, `score`, `step`, and every
 * `reward_extra_info` key (`acc`, `pred`, `incorrect_format`, `feedback`...).
 *
 * Mapping to RewardEvent: reward = `score`; prompt = `input`; response = `output`; length =
 * the output's length in characters (Unicode code points: the dump holds no token count);
 * group = a stable 16-hex id of the `input` text (verl does not write the GRPO `uid`, so groups
 * are re-formed from identical prompts; with `step`, the id names one GRPO group). The other
 * keys (`gts` and the reward_extra_info keys) go to `meta` as written: they are the reward
 * function's diagnostics (`acc` repeats the score), not parts of a sum. `components` lists
 * extra keys to read as reward components instead (finite numbers only).
 */
import type { RewardEvent } from '../../core/types.js';
import type { LineFormat, LineParser } from '../format.js';
import { finite, groupIdOf, infinityReason, isRecord, messageOf, parseJsonLenient, problem, stepProblem } from './adapter-kit.js';
import { setOwn } from '../../core/own-key.js';

export interface VerlRolloutConfig {
  /** reward_extra_info keys to read as reward components rather than meta. Default none. */
  readonly components?: readonly string[];
}

const MAPPED = new Set(['input', 'output', 'score', 'step']);

/** verl rollout JSONL read with the given component keys. */
export const verlRolloutFormat = (config: VerlRolloutConfig = {}): LineFormat => {
  const componentKeys = new Set(config.components ?? []);
  for (const key of componentKeys) {
    if (MAPPED.has(key)) throw new RangeError(`verlRollout component "${key}" is a mapped field, not a reward_extra_info key`);
  }
  const createParser = (source: string): LineParser => ({
    line: (text, line) => {
      if (text.trim() === '') return [];
      let value: unknown;
      try {
        value = parseJsonLenient(text);
      } catch (error) {
        return [problem(source, line, `not valid JSON: ${messageOf(error)}`, text)];
      }
      if (!isRecord(value)) return [problem(source, line, 'expected a JSON object (one rollout sample)', text)];
      const step = finite(value['step']);
      if (step === undefined) return [problem(source, line, 'no numeric "step"', text)];
      const badStep = stepProblem(step);
      if (badStep !== undefined) return [problem(source, line, badStep, text)];
      const input = value['input'];
      const output = value['output'];
      if (typeof input !== 'string' || typeof output !== 'string') {
        return [problem(source, line, '"input" and "output" must be strings', text)];
      }
      const components: Record<string, number> = {};
      const meta: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(value)) {
        if (MAPPED.has(key)) continue;
        if (!componentKeys.has(key)) setOwn(meta, key, field);
        else {
          const number = finite(field);
          if (number !== undefined) setOwn(components, key, number);
        }
      }
      const score = value['score'];
      const reward = finite(score);
      const event: RewardEvent = {
        step,
        ...(reward === undefined ? {} : { reward }),
        ...(componentKeys.size > 0 ? { components } : {}),
        group: groupIdOf(input),
        prompt: input,
        response: output,
        length: codePoints(output),
        meta,
      };
      if (score !== null && score !== undefined && typeof score !== 'number') {
        return [problem(source, line, `non-numeric "score" (the sample is kept without a reward)`, text), { kind: 'event', event }];
      }
      const infinite = infinityReason(value);
      if (infinite !== undefined) return [problem(source, line, infinite, text), { kind: 'event', event }];
      return [{ kind: 'event', event }];
    },
    end: () => [],
  });
  return {
    kind: 'lines',
    name: 'verl-rollout-jsonl',
    // verl writes the keys in this order: {"input": ..., "output": ..., "gts": ..., "score": ..., "step": ...}.
    detect: (head) => /^\s*\{\s*"input"\s*:\s*"/.test(head),
    createParser,
  };
};

/** verl rollout JSONL with every reward_extra_info key in `meta`. */
export const verlRollout: LineFormat = verlRolloutFormat();

/** Length in Unicode code points: UTF-16 units minus the second half of each surrogate pair. */
const codePoints = (text: string): number => text.length - (text.match(/[\uDC00-\uDFFF]/g)?.length ?? 0);
