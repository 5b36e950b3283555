/**
 * TRL completions parquet (v0.28+, `log_completions=True`): `<output_dir>/completions/
 * completions_<step:05d>.parquet`, one row per completion with columns `step`, `prompt`,
 * `completion`, one column per reward function (named after it), user extra columns, and
 * `advantage` (some trainers add `mode`, and VLM runs `image`).
 *
 * Mapping to RewardEvent: step = `step`; prompt = `prompt`; response = `completion`; group =
 * a stable 16-hex id of the prompt text (rows from one prompt form one GRPO group); length =
 * the completion's length in code points (the file holds no token count); meta.advantage =
 * `advantage`. Components are the reward-function columns: by default every numeric column
 * other than step/advantage (TRL gives the reward functions no marker of their own, so numeric
 * user extra columns count too; pass `rewardColumns` to name them exactly). The reward is a
 * `reward` column when the file has one, else the sum of the finite components (TRL's total
 * with the default weights of 1: the file does not record reward_weights). NaN components (a
 * reward function that returned None) are left out of the sum, as TRL's nansum does; infinite
 * ones are left out too, and reported; a row whose components are all missing has no reward. Non-numeric, non-text columns go to meta.
 */
import type { RewardEvent } from '../../core/types.js';
import type { WholeFileFormat } from '../format.js';
import type { Ingested } from '../ingested.js';
import { asNumber, groupIdOf, infinityReason, messageOf, problem } from './adapter-kit.js';
import { setOwn } from '../../core/own-key.js';

export interface TrlCompletionsConfig {
  /** Names of the reward-function columns. Default: every numeric column but step/advantage. */
  readonly rewardColumns?: readonly string[];
}

const STRUCTURE = new Set(['step', 'prompt', 'completion', 'advantage', 'reward', 'mode', 'image']);

const isNumeric = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';

const codePoints = (text: string): number => text.length - (text.match(/[\uDC00-\uDFFF]/g)?.length ?? 0);

/** Rows of a TRL completions table (already decoded) as items. */
export const completionRowsToItems = (
  rows: readonly Readonly<Record<string, unknown>>[],
  source: string,
  rewardColumns: readonly string[] | undefined,
): Ingested[] => {
  const columns = rewardColumns ?? inferRewardColumns(rows);
  const items: Ingested[] = [];
  rows.forEach((row, index) => {
    const at = `row ${String(index)}`;
    const step = asNumber(row['step']);
    if (step === undefined) {
      items.push(problem(source, 0, `${at} has no numeric "step"`, describe(row)));
      return;
    }
    const components: Record<string, number> = {};
    let sum = 0;
    let counted = 0;
    for (const column of columns) {
      const value = asNumber(row[column]);
      if (value === undefined) continue;
      setOwn(components, column, value);
      sum += value;
      counted += 1;
    }
    const total = 'reward' in row ? asNumber(row['reward']) : counted > 0 ? sum : undefined;
    const prompt = typeof row['prompt'] === 'string' ? row['prompt'] : undefined;
    const completion = typeof row['completion'] === 'string' ? row['completion'] : undefined;
    const meta: Record<string, unknown> = {};
    const advantage = asNumber(row['advantage']);
    if (advantage !== undefined) meta['advantage'] = advantage;
    for (const [key, value] of Object.entries(row)) {
      if (STRUCTURE.has(key) || columns.includes(key)) continue;
      setOwn(meta, key, typeof value === 'bigint' ? Number(value) : value);
    }
    const event: RewardEvent = {
      step,
      ...(total === undefined ? {} : { reward: total }),
      ...(columns.length > 0 ? { components } : {}),
      ...(prompt === undefined ? {} : { prompt, group: groupIdOf(prompt) }),
      ...(completion === undefined ? {} : { response: completion, length: codePoints(completion) }),
      meta,
    };
    const infinite = infinityReason(row);
    if (infinite !== undefined) items.push(problem(source, 0, `${at}: ${infinite}`, describe(row)));
    items.push({ kind: 'event', event });
  });
  return items;
};

/** Numeric columns (in any row) that are not structural: the reward functions' columns. */
const inferRewardColumns = (rows: readonly Readonly<Record<string, unknown>>[]): string[] => {
  const names = new Set<string>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (!STRUCTURE.has(key) && isNumeric(value)) names.add(key);
    }
  }
  return [...names];
};

const describe = (row: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));

/** TRL completions parquet read with the given reward columns. */
export const trlCompletionsParquetFormat = (config: TrlCompletionsConfig = {}): WholeFileFormat => {
  const rewardColumns = config.rewardColumns;
  if (rewardColumns?.some((column) => STRUCTURE.has(column)) === true) {
    throw new RangeError(`trlCompletionsParquet rewardColumns may not name ${[...STRUCTURE].join('/')}`);
  }
  return {
    kind: 'whole-file',
    name: 'trl-completions-parquet',
    detect: (head) => head.startsWith('PAR1'),
    parse: async (content, source) => {
      // hyparquet reads from an ArrayBuffer; copy out exactly this view's bytes.
      const buffer = content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength);
      try {
        // Loaded on first use: the parquet reader is ~70 modules every JSONL run would pay for.
        const { parquetReadObjects } = await import('hyparquet');
        const rows = await parquetReadObjects({ file: buffer as ArrayBuffer });
        return completionRowsToItems(rows, source, rewardColumns);
      } catch (error) {
        return [problem(source, 0, `unreadable parquet: ${messageOf(error)}`, new TextDecoder().decode(content.subarray(0, 64)))];
      }
    },
  };
};

/** TRL completions parquet, reward columns inferred. */
export const trlCompletionsParquet: WholeFileFormat = trlCompletionsParquetFormat();
