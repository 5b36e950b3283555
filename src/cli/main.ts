#!/usr/bin/env node
// The goodhart command line. Verbs live in src/cli/verbs; this file only wires process I/O.
import { setFlagsFromString } from 'node:v8';
import { runCli } from './run.js';

// Let the old generation grow 25% between full collections instead of V8's default 2-4x. The
// analysis keeps a small, flat live heap (~11 MB after GC on a 10^6-event text audit) while
// parsing throws away ~2 KB per line, so the default growth only lets dead samples pile up: peak
// RSS of that audit falls from ~139 MB to ~113 MB for ~1.5% more CPU in full collections
// (benchmarks/README.md, suite cli). The flag is read by V8's heap controller at each collection,
// so setting it at start-up takes effect; the library itself never touches process-wide flags.
setFlagsFromString('--heap-growing-percent=25');

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
});
process.exitCode = code;
