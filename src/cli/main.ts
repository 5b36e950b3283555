#!/usr/bin/env node
// The goodhart command line. Verbs live in src/cli/verbs; this file only wires process I/O.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { CLI_V8_FLAGS } from './gc-setting.js';
import { runCli } from './run.js';

// Before any work: see gc-setting.ts for why.
for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);

// A closed pipe (`goodhart summary run.jsonl | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const stop = new AbortController();
// First Ctrl-C stops `watch`/`demo` cleanly (final verdict printed); a second one exits at once.
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
});

// Node ends a process whose top-level await can never finish (a promise nothing will settle, no
// timer or I/O left to settle it) with code 13 and no word: say so, and fail with code 1 instead.
let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write('goodhart: stopped: the command was waiting on a promise that nothing will ever settle\n');
  process.exit(1);
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTTY: process.stdout.isTTY,
  stderrIsTTY: process.stderr.isTTY,
  signal: stop.signal,
  // The live dashboard of `demo` and `watch` (127.0.0.1 only; the feed carries --port and the
  // length cap; `--no-dashboard` skips it). Loaded on first use: the server, ws and the page cost
  // ~13 MB of resident memory that `audit`, `summary` and `export` never need.
  serveDashboard: async (feed) => {
    const { dashboardSeam } = await import('../server/dashboard-seam.js');
    return dashboardSeam()(feed);
  },
}, {
  // A replay with text runs its text detectors on a worker thread when there is a core for it.
  threads: availableParallelism() >= 2 ? 2 : 1,
});
finished = true;
process.exitCode = code;
