/**
 * `--json` on exit code 2: a verb that judged nothing (bad usage, an unreadable input, a file with
 * no record in it) still prints its one object, so a CI script parsing stdout gets the reason
 * instead of an empty string.
 */
import { NoRecordsError } from './require-records.js';
import { isUsageOrInputError } from './options.js';
import type { ResolvedIo } from './io.js';

/** The object printed: why nothing was judged, and the input problems of the file that yielded no record. */
function unjudgedJson(error: Error): Record<string, unknown> {
  return {
    verdict: null,
    error: error.message,
    problems: error instanceof NoRecordsError ? error.problems : 0,
    firstProblems: error instanceof NoRecordsError ? error.firstProblems : [],
    failed: true,
  };
}

/** Runs a verb's body; with `--json`, an exit-2 error also prints `unjudgedJson` before it is rethrown. */
export async function withUnjudgedJson(json: boolean | undefined, io: ResolvedIo, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (json === true && isUsageOrInputError(error)) io.stdout(`${JSON.stringify(unjudgedJson(error))}\n`);
    throw error;
  }
}
