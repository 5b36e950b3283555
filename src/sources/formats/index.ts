/**
 * The registry of input formats, in detection order: binary and whole-document formats first
 * (their signatures are unambiguous), then JSONL formats by how specific their first line is
 * (verl's `{"step","data"}` and rollout `{"input"...}`, per-sample components, then goodhart's
 * own lines), then console logs, whose detectors search the head for tell-tale lines. Add a
 * format here to make `fromFile` and `--format` know it.
 */
import type { InputFormat } from '../format.js';
import { goodhartJsonl } from './goodhart-jsonl.js';
import { sampleComponents } from './sample-components-jsonl.js';
import { tensorboardEvents } from './tensorboard-events.js';
import { trlCompletionsParquet } from './trl-completions-parquet.js';
import { trlLogHistory } from './trl-log-history.js';
import { trlStdout } from './trl-stdout.js';
import { trlTrainerState } from './trl-trainer-state.js';
import { verlConsole } from './verl-console.js';
import { verlFileJsonl } from './verl-file-jsonl.js';
import { verlRollout } from './verl-rollout-jsonl.js';

export const FORMATS: readonly InputFormat[] = [
  tensorboardEvents,
  trlCompletionsParquet,
  trlTrainerState,
  trlLogHistory,
  verlFileJsonl,
  verlRollout,
  sampleComponents,
  goodhartJsonl,
  trlStdout,
  verlConsole,
];
