#!/usr/bin/env node
// The goodhart command line. Verbs live in src/cli; this file only wires process I/O.
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
