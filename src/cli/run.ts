import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { resolveIo, type CliIo } from './io.js';
import { isUsageOrInputError, type VerbContext } from './options.js';
import { defaultDetect } from './detect.js';

export type { CliIo, DashboardFeed, DashboardSeam } from './io.js';

/** The package version, from the package.json above this file (src/cli or dist/src/cli). */
function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'goodhart' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not this level
    }
  }
  return 'unknown';
}

type Register = (program: Command, context: VerbContext) => void;

/**
 * The verbs in the order `--help` lists them, each module loaded only when needed: a command
 * line naming a verb loads that verb alone (`audit` needs neither the simulator of `demo` nor
 * the statistics of `summary`), anything else (`--help`, `help audit`, a typo commander should
 * answer with "did you mean") loads them all.
 */
const VERBS: readonly (readonly [string, () => Promise<Register>])[] = [
  ['demo', async () => (await import('./verbs/demo.js')).registerDemo],
  ['watch', async () => (await import('./verbs/watch.js')).registerWatch],
  ['summary', async () => (await import('./verbs/summary.js')).registerSummary],
  ['audit', async () => (await import('./verbs/audit.js')).registerAudit],
  ['export', async () => (await import('./verbs/export.js')).registerExport],
  ['probe', async () => (await import('./verbs/probe.js')).registerProbe],
  ['report', async () => (await import('./verbs/report.js')).registerReport],
];

/** The verbs `argv` needs: the one it names first, else all of them. */
function verbsFor(argv: readonly string[]): Promise<Register[]> {
  const named = VERBS.filter(([name]) => name === argv[0]);
  return Promise.all((named.length > 0 ? named : VERBS).map(([, load]) => load()));
}

/** Test seams of `runCli` beyond the I/O. */
export interface RunCliOptions {
  /** Replaces the default detector set (tests). */
  readonly detect?: VerbContext['detect'];
  /** Threads replays use by default (`--threads` overrides). Default 1; the CLI entry passes 2 on a machine with two cores or more. */
  readonly threads?: number;
}

/**
 * Runs the CLI with `argv` (without node and script) and resolves to the exit code: 0 success,
 * 1 the run was flagged (`audit`) or a probe case failed, 2 bad usage, unreadable input (a
 * finished file with no record in it included) or an unwritable `--out` file, 130 an `audit`
 * interrupted by SIGINT (what it read so far is reported).
 */
export async function runCli(argv: readonly string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const resolved = resolveIo(io);
  let code = 0;
  const context: VerbContext = {
    io: resolved,
    exit: (next) => {
      code = Math.max(code, next);
    },
    detect: options.detect ?? defaultDetect,
    threads: options.threads ?? 1,
  };
  const program = new Command('goodhart')
    .description('Catch reward hacking and training pathologies in RL runs of language models.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: resolved.stdout, writeErr: resolved.stderr })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 flagged run (audit) or failed probe, 2 bad usage, unreadable input (also a file with no record in it) or an unwritable --out file, 130 audit interrupted (Ctrl-C).\n' +
        'Start with:  goodhart demo --fast\n',
    );
  for (const register of await verbsFor(argv)) register(program, context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isUsageOrInputError(error)) {
      resolved.stderr(`goodhart: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
