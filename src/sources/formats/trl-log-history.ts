/**
 * TRL / HF Trainer `log_history`: a JSON array of metric rows, one per logging step, each
 * carrying its `step` (the shape of `trainer_state.json["log_history"]` without the wrapper).
 * Train rows and eval rows (`eval_*` keys) become StepRecords, phase from the alias table; the
 * end-of-training summary row (`train_runtime`, `train_loss`, `total_flos`...) is skipped.
 */
import type { WholeFileFormat } from '../format.js';
import type { Ingested } from '../ingested.js';
import {
  finite,
  infinityReason,
  isRecord,
  isSummaryRow,
  jsonText,
  listNames,
  messageOf,
  nonNumericKeys,
  parseJsonLenient,
  problem,
  stepItem,
  stepProblem,
} from './adapter-kit.js';

/**
 * Items for the rows of a log_history array. `where` names the array in problem reasons
 * (`log_history`); problems have line 0 because a JSON document is not line-oriented, and the
 * reason names the row index instead. A row without a numeric `step` is reported and dropped
 * (it cannot be placed); a row with a non-numeric value is reported and still emitted with its
 * numeric values.
 */
export const logHistoryItems = (rows: readonly unknown[], source: string, where: string): Ingested[] => {
  const items: Ingested[] = [];
  rows.forEach((row, index) => {
    const at = `${where}[${String(index)}]`;
    if (!isRecord(row)) {
      items.push(problem(source, 0, `${at} is not an object`, jsonText(row)));
      return;
    }
    if (isSummaryRow(row)) return;
    const step = finite(row['step']);
    if (step === undefined) {
      items.push(problem(source, 0, `${at} has no numeric "step"`, jsonText(row)));
      return;
    }
    const badStep = stepProblem(step);
    if (badStep !== undefined) {
      items.push(problem(source, 0, `${at}: ${badStep}`, jsonText(row)));
      return;
    }
    const bad = nonNumericKeys(row);
    if (bad.length > 0) {
      items.push(problem(source, 0, `${at} (step ${String(step)}) has non-numeric values for ${listNames(bad)}`, jsonText(row)));
    }
    const infinite = infinityReason(row);
    if (infinite !== undefined) items.push(problem(source, 0, `${at} (step ${String(step)}): ${infinite}`, jsonText(row)));
    items.push(stepItem(step, row));
  });
  return items;
};

/** Decode a whole JSON document, or a single problem item saying why it is not JSON. */
export const decodeJsonDocument = (
  content: Uint8Array,
  source: string,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly item: Ingested } => {
  const text = new TextDecoder().decode(content);
  try {
    return { ok: true, value: parseJsonLenient(text) };
  } catch (error) {
    return { ok: false, item: problem(source, 0, `not valid JSON: ${messageOf(error)}`, text) };
  }
};

/** A TRL log_history array: `[{"loss": ..., "step": 5}, ...]`. */
export const trlLogHistory: WholeFileFormat = {
  kind: 'whole-file',
  name: 'trl-log-history',
  detect: (head) => /^\s*\[\s*\{/.test(head) && /"step"\s*:/.test(head) && TRL_KEY.test(head),
  parse: (content, source) => {
    const decoded = decodeJsonDocument(content, source);
    if (!decoded.ok) return [decoded.item];
    if (!Array.isArray(decoded.value)) {
      return [problem(source, 0, 'expected a JSON array of log_history rows', jsonText(decoded.value))];
    }
    return logHistoryItems(decoded.value, source, 'log_history');
  },
};

/** Keys the HF Trainer puts in every log_history row. */
const TRL_KEY = /"(loss|learning_rate|grad_norm|epoch|reward|eval_loss|train_runtime)"\s*:/;
