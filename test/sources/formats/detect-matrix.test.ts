import { openSync, readSync, closeSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import type { InputFormat } from '../../../src/sources/format.js';
import { sampleComponents } from '../../../src/sources/formats/sample-components-jsonl.js';
import { trlCompletionsParquet } from '../../../src/sources/formats/trl-completions-parquet.js';
import { trlLogHistory } from '../../../src/sources/formats/trl-log-history.js';
import { trlStdout } from '../../../src/sources/formats/trl-stdout.js';
import { trlTrainerState } from '../../../src/sources/formats/trl-trainer-state.js';
import { verlConsole } from '../../../src/sources/formats/verl-console.js';
import { verlFileJsonl } from '../../../src/sources/formats/verl-file-jsonl.js';
import { verlRollout } from '../../../src/sources/formats/verl-rollout-jsonl.js';
import { realdata } from '../../support/paths.js';

const FORMATS: readonly InputFormat[] = [
  trlTrainerState,
  trlLogHistory,
  trlStdout,
  trlCompletionsParquet,
  verlConsole,
  verlFileJsonl,
  verlRollout,
  sampleComponents,
];

const headOf = (path: string, bytes: number): string => {
  const buffer = new Uint8Array(bytes);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, bytes, 0);
    return new TextDecoder().decode(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
};

// Each real file (or, where none exists, a file written the way the trainer writes it) and
// the one format that must claim it.
const REAL: readonly (readonly [string, InputFormat['name']])[] = [
  ['trl-grpo_multicomponent_trainer_state.json', 'trl-trainer-state'],
  ['trl-grpo_qwen35_collapse_step_logs.json', 'trl-log-history'],
  ['trl-grpo_qwen35_saturation_step_logs.json', 'trl-log-history'],
  ['trl-grpo_stdout_rho0.10_seed42.log', 'trl-stdout'],
  ['verl-gpg_qwen2-7b_math_length_explosion.log', 'verl-console'],
  ['verl-ppo_gemma-2-2b_gsm8k_healthy.log', 'verl-console'],
  ['verl-rollout_sdpo_step1_head.jsonl', 'verl-rollout-jsonl'],
  ['trl-grpo_completions_5components.jsonl', 'sample-components-jsonl'],
];

const SYNTHETIC: readonly (readonly [string, string, InputFormat['name']])[] = [
  ['verl file logger', '{"step": 1, "data": {"critic/score/mean": 0.5}}\n{"step": 2, "data": {}}\n', 'verl-file-jsonl'],
  [
    'TRL completions parquet',
    new TextDecoder().decode(
      new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'step', data: [1n], type: 'INT64' }, { name: 'prompt', data: ['p'], type: 'STRING' }] })),
    ),
    'trl-completions-parquet',
  ],
];

describe('format detection: each format claims its own files and no other format does', () => {
  for (const bytes of [4096, 65536]) {
    for (const [file, owner] of REAL) {
      it(`${file} (first ${String(bytes)} bytes) is ${owner} only`, () => {
        const head = headOf(realdata(file), bytes);
        expect(FORMATS.filter((format) => format.detect(head)).map((format) => format.name)).toEqual([owner]);
      });
    }
  }
  for (const [label, head, owner] of SYNTHETIC) {
    it(`${label} is ${owner} only`, () => {
      expect(FORMATS.filter((format) => format.detect(head)).map((format) => format.name)).toEqual([owner]);
    });
  }
  it('plain text, an empty file and unrelated JSON are nobody', () => {
    for (const head of ['', 'hello world\n', '{"name": "x", "version": "1.0.0"}\n', '[1, 2, 3]']) {
      expect(FORMATS.filter((format) => format.detect(head)).map((format) => format.name)).toEqual([]);
    }
  });
});
