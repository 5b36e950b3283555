import type { Ingested } from './ingested.js';

/** Names of the input formats goodhart reads; `--format` takes one of these. */
export type FormatName =
  | 'goodhart-jsonl'
  | 'trl-trainer-state'
  | 'trl-log-history'
  | 'trl-stdout'
  | 'trl-completions-parquet'
  | 'verl-console'
  | 'verl-file-jsonl'
  | 'verl-rollout-jsonl'
  | 'sample-components-jsonl'
  | 'tensorboard-events';

/**
 * A line-oriented format (one record per line, or noise lines in between): parsing state lives
 * per file (step dedupe, rollout groups), so a format makes a fresh parser per source.
 */
export interface LineFormat {
  readonly kind: 'lines';
  readonly name: FormatName;
  /** True when the first few KB of a file look like this format. */
  readonly detect: (head: string) => boolean;
  /** A parser for one file: called once per complete line (1-based `line`), in order. */
  readonly createParser: (source: string) => LineParser;
}

export interface LineParser {
  /** Items produced by one line: none for noise, a problem for a malformed line. */
  readonly line: (text: string, line: number) => readonly Ingested[];
  /** Items held back until the end of input (e.g. the last rollout groups). */
  readonly end: () => readonly Ingested[];
}

/**
 * A format that is only meaningful as a whole file (JSON documents, parquet). `parse` may be
 * asynchronous: the parquet reader (hyparquet) only offers a Promise-based API.
 */
export interface WholeFileFormat {
  readonly kind: 'whole-file';
  readonly name: FormatName;
  readonly detect: (head: string) => boolean;
  readonly parse: (
    content: Uint8Array,
    source: string,
  ) => readonly Ingested[] | Promise<readonly Ingested[]>;
}

export type InputFormat = LineFormat | WholeFileFormat;
