/**
 * HF / TRL `trainer_state.json`: a JSON object written at each checkpoint whose `log_history`
 * holds one metric row per logging step (train rows, `eval_*` rows, and a final summary row).
 * Rows are read as in `trl-log-history`; the summary row is skipped, eval rows become
 * StepRecords with phase 'eval'. The other fields (global_step, logging_steps...) are not
 * records and are not read.
 */
import type { WholeFileFormat } from '../format.js';
import { isRecord, jsonText, problem } from './adapter-kit.js';
import { decodeJsonDocument, logHistoryItems } from './trl-log-history.js';

export const trlTrainerState: WholeFileFormat = {
  kind: 'whole-file',
  name: 'trl-trainer-state',
  // HF writes the state with sorted keys, so "log_history" comes within the first few lines.
  detect: (head) => /^\s*\{/.test(head) && /"log_history"\s*:\s*\[/.test(head),
  parse: (content, source) => {
    const decoded = decodeJsonDocument(content, source);
    if (!decoded.ok) return [decoded.item];
    const state = decoded.value;
    if (!isRecord(state) || !Array.isArray(state['log_history'])) {
      return [problem(source, 0, 'expected a JSON object with a "log_history" array', jsonText(state))];
    }
    return logHistoryItems(state['log_history'], source, 'log_history');
  },
};
