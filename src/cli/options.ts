/**
 * The options every verb shares (`--format`, `--logging-steps`, `--config`, `--quiet`,
 * `--no-color`), the context verbs run in, and the errors that map to exit code 2.
 */
import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import type { FormatName } from '../sources/format.js';
import { formatNames } from '../sources/detect-format.js';
import { UnreadableInputError } from '../sources/line-reader.js';
import { useColor } from '../sinks/terminal.js';
import { CONFIG_FILE, loadConfig, type GoodhartConfig } from './config.js';
import type { Detect } from './analyze.js';
import type { ResolvedIo } from './io.js';

/** Bad usage or unreadable input: printed as `goodhart: <message>`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Whether `error` ends a verb with exit code 2: bad usage (`UsageError`) or input that cannot be read. */
export function isUsageOrInputError(error: unknown): error is UsageError | UnreadableInputError {
  return error instanceof UsageError || error instanceof UnreadableInputError;
}

/** What every verb receives from `runCli`. */
export interface VerbContext {
  readonly io: ResolvedIo;
  /** Sets the exit code the CLI returns (the highest one set wins). */
  readonly exit: (code: number) => void;
  /** Builds the detectors for a config; tests inject small ones. Default: the full default set (cli/detect.ts). */
  readonly detect: (config: GoodhartConfig, threads?: number) => Detect;
  /** Threads a replay uses unless `--threads` says otherwise (the CLI: 2 on a machine with two cores or more). */
  readonly threads: number;
}

/** Parsed shared options, as commander hands them over. */
export interface SharedFlags {
  readonly format?: string;
  readonly loggingSteps?: number;
  readonly config?: string;
  readonly quiet?: boolean;
  readonly color?: boolean;
  /** `--threads`, on the verbs that replay files (`threadsOption`). */
  readonly threads?: number;
}

/** Shared options resolved: the config loaded, colour decided per stream. */
export interface Shared {
  readonly format: FormatName | undefined;
  /** TRL console output's logging interval, for dicts printed without a progress bar (`--logging-steps`, else the config's). */
  readonly loggingSteps: number | undefined;
  readonly config: GoodhartConfig;
  readonly quiet: boolean;
  readonly colorOut: boolean;
  readonly colorErr: boolean;
  /** A path relative to the working directory, made absolute. */
  readonly path: (file: string) => string;
  /** `--threads` when given (replay verbs); else the context's default. */
  readonly threads: number | undefined;
}

/** Adds the shared options to a verb. */
export function sharedOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <name>', 'input format, skipping detection').choices(formatNames()))
    .option(
      '--logging-steps <n>',
      "TRL console logs: the run's logging_steps, to number the metric dicts printed without a progress bar (default 1; with the bar, steps are read off it)",
      positiveInt('--logging-steps'),
    )
    .option('--config <file>', `settings file (thresholds, presets, format tags, true component); default ./${CONFIG_FILE} when present`)
    .option('-q, --quiet', 'print only the result')
    .option('--no-color', 'no ANSI colours (also NO_COLOR=1; colour is used only on a terminal)');
}

/** Adds `--threads` to a verb that replays files (audit, summary, report). */
export function threadsOption(command: Command): Command {
  return command.option(
    '--threads <n>',
    'threads for the replay: 2 runs the text detectors on a worker thread (same alerts, same verdict); default 2 with two or more cores',
    positiveInt('--threads'),
  );
}

/** Resolves the shared flags: loads the config (explicit, else ./goodhart.config.json if present). */
export async function resolveShared(flags: SharedFlags, io: ResolvedIo): Promise<Shared> {
  const path = (file: string): string => (isAbsolute(file) ? file : resolve(io.cwd, file));
  let config: GoodhartConfig = {};
  const explicit = flags.config;
  const configPath = explicit === undefined ? path(CONFIG_FILE) : path(explicit);
  const present = explicit !== undefined || (await exists(configPath));
  if (present) {
    const loaded = await loadConfig(configPath);
    if (E.isLeft(loaded)) throw new UsageError(loaded.left);
    config = loaded.right;
  }
  const color = flags.color ?? true;
  return {
    format: (flags.format as FormatName | undefined) ?? config.inputFormat,
    loggingSteps: flags.loggingSteps ?? config.loggingSteps,
    config,
    quiet: flags.quiet ?? false,
    colorOut: useColor(io.stdoutIsTTY, color, io.env),
    colorErr: useColor(io.stderrIsTTY, color, io.env),
    path,
    threads: flags.threads,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Parses a positive integer option (`--last`); commander reports a bad value as bad usage. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} expects a positive integer.`);
    return n;
  };
}

/** Parses a positive number option (`--speed`); commander reports a bad value as bad usage. */
export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} expects a positive number.`);
    return n;
  };
}

/** Help text listing examples, appended to a verb's `--help`. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
