import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromFile } from '../../../src/sources/from-file.js';
import { realdata } from '../../support/paths.js';
import { eventsOf, problemsOf, stepsOf } from './run-format.js';

// Every real file in ../shared/realdata through the file source with format detection: it
// must parse completely, with zero problems, into the counts read out with Python.
const CASES: readonly (readonly [string, { steps: number; events: number }])[] = [
  ['trl-grpo_multicomponent_trainer_state.json', { steps: 40, events: 0 }],
  ['trl-grpo_qwen35_collapse_step_logs.json', { steps: 40, events: 0 }],
  ['trl-grpo_qwen35_saturation_step_logs.json', { steps: 40, events: 0 }],
  ['trl-grpo_stdout_rho0.10_seed42.log', { steps: 40, events: 0 }],
  ['verl-gpg_qwen2-7b_math_length_explosion.log', { steps: 211, events: 0 }],
  ['verl-ppo_gemma-2-2b_gsm8k_healthy.log', { steps: 107, events: 0 }],
  ['verl-rollout_sdpo_step1_head.jsonl', { steps: 0, events: 29 }],
  ['trl-grpo_completions_5components.jsonl', { steps: 0, events: 16 }],
];

describe('every real file, detected and read by fromFile', () => {
  for (const [file, expected] of CASES) {
    it(`${file}: ${String(expected.steps)} step records, ${String(expected.events)} events, no problems`, async () => {
      const items = await lastValueFrom(fromFile(realdata(file)).pipe(toArray()));
      expect(problemsOf(items)).toEqual([]);
      expect(stepsOf(items)).toHaveLength(expected.steps);
      expect(eventsOf(items)).toHaveLength(expected.events);
    });
  }
});
