/**
 * `goodhart probe module:export -p cases.json`: loads a reward function and scores hand-written
 * cases with it, so a reward can be attacked (empty answers, bare tags, padding) before training.
 * This EXECUTES the module, with the user's rights, like `node module.js` would.
 */
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { max, mean, median, min, standardDeviation } from 'simple-statistics';
import { formatNumber } from '../../sinks/console.js';
import { oneLine } from '../../sinks/terminal.js';
import { examples, positiveNumber, resolveShared, sharedOptions, UsageError, type SharedFlags, type VerbContext } from '../options.js';

interface ProbeFlags extends SharedFlags {
  readonly cases: string;
  readonly json?: boolean;
  readonly timeout: number;
}

/** Seconds a case (and the module's own loading) may take before it counts as hung. */
const DEFAULT_TIMEOUT_SECONDS = 30;

/** One case: the arguments the function is called with, and a label. */
export interface ProbeCase {
  readonly label: string;
  readonly args: readonly unknown[];
}

/** What scoring one case gave. */
export interface ProbeResult {
  readonly label: string;
  readonly score?: number;
  /** Why the case failed: the function threw, or returned something that is not a finite number. */
  readonly error?: string;
}

/** Splits `module:export` (the export defaults to `default`); a Windows drive letter is not an export. */
export function parseTarget(target: string): { readonly module: string; readonly name: string } {
  const colon = target.lastIndexOf(':');
  if (colon <= 1 || /[\\/]/.test(target.slice(colon + 1))) return { module: target, name: 'default' };
  const name = target.slice(colon + 1);
  return { module: target.slice(0, colon), name: name === '' ? 'default' : name };
}

/**
 * Reads cases: a JSON array whose entries are an argument list (`["prompt", "completion"]`), an
 * object with `args` (and optional `label`), or an object with `prompt` and `completion`, called
 * TRL-style as `(prompt, completion)`.
 */
export function decodeCases(value: unknown, source: string): ProbeCase[] {
  if (!Array.isArray(value)) throw new UsageError(`${source}: expected a JSON array of cases`);
  return value.map((entry: unknown, index): ProbeCase => {
    const fallback = `#${index + 1}`;
    if (Array.isArray(entry)) return { label: fallback, args: entry };
    if (typeof entry === 'object' && entry !== null) {
      const object = entry as Record<string, unknown>;
      const label = typeof object['label'] === 'string' ? object['label'] : fallback;
      if (Array.isArray(object['args'])) return { label, args: object['args'] };
      if ('completion' in object) return { label, args: [object['prompt'], object['completion']] };
    }
    throw new UsageError(`${source}: case ${index + 1}: expected an array of arguments, {"args": [...]} or {"prompt", "completion"}`);
  });
}

/**
 * Settles like `work`, or resolves to `'timeout'` when `ms` pass first. The timer keeps the event
 * loop alive meanwhile: a promise nothing will ever settle would otherwise let the loop drain and
 * end the process with Node's code 13 and no word. The timer is cleared as soon as `work` settles.
 */
async function within<T>(work: PromiseLike<T>, ms: number): Promise<{ readonly value: T } | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    // setTimeout fires at once past 2^31 - 1 ms (24.8 days): wait that long at most instead.
    timer = setTimeout(() => {
      resolve('timeout');
    }, Math.min(ms, 2 ** 31 - 1));
  });
  try {
    return await Promise.race([Promise.resolve(work).then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `30 s`, `0.5 s`. */
const seconds = (ms: number): string => `${formatNumber(ms / 1000)} s`;

/** Imports a JS module, or a TS one through tsx when it is installed; gives up after `timeoutMs`. */
async function importModule(path: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const loaded = await within(loadModule(path), timeoutMs);
  if (loaded === 'timeout') throw new UsageError(`${path}: cannot load the module: its top-level code did not finish within ${seconds(timeoutMs)}`);
  return loaded.value;
}

async function loadModule(path: string): Promise<Record<string, unknown>> {
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
      let tsImport: (specifier: string, parent: string) => Promise<unknown>;
      try {
        ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
      } catch {
        throw new UsageError(`${path}: loading TypeScript needs tsx (npm install --save-dev tsx); or compile the module to .js/.mjs`);
      }
      return (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(path)) throw new UsageError(`${path}: no such module`);
    throw new UsageError(`${path}: cannot load the module: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The function a module exports as `name`: a named export, else an own property of the default
 * export. Node's `import()` of a CommonJS module puts `module.exports` on `default` and lifts out
 * only the names its lexer can see (`module.exports = { f: (p, c) => 1 }` has none).
 */
function findExport(namespace: Readonly<Record<string, unknown>>, name: string): unknown {
  if (name in namespace) return namespace[name];
  const fallback = namespace['default'];
  return isObjectLike(fallback) && Object.hasOwn(fallback, name) ? fallback[name] : undefined;
}

/** Every name `findExport` resolves to a function, sorted: the module's own and its default export's. */
function exportedFunctions(namespace: Readonly<Record<string, unknown>>): string[] {
  const names = new Set(Object.keys(namespace).filter((key) => typeof namespace[key] === 'function'));
  const fallback = namespace['default'];
  if (isObjectLike(fallback)) for (const key of Object.keys(fallback)) if (typeof fallback[key] === 'function') names.add(key);
  return [...names].sort();
}

function isObjectLike(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * Scores every case, one after another (async functions are awaited). A case whose result has
 * not settled after `timeoutMs` fails as hung and the next case runs (its work is abandoned, not
 * stopped: JavaScript cannot cancel it).
 */
export async function scoreCases(
  fn: (...args: unknown[]) => unknown,
  cases: readonly ProbeCase[],
  timeoutMs = DEFAULT_TIMEOUT_SECONDS * 1000,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const testCase of cases) {
    try {
      const settled = await within(Promise.resolve(fn(...testCase.args)), timeoutMs);
      if (settled === 'timeout') {
        results.push({ label: testCase.label, error: `timed out: no result within ${seconds(timeoutMs)} (a promise that never settles?)` });
        continue;
      }
      const value = settled.value;
      results.push(
        typeof value === 'number' && Number.isFinite(value)
          ? { label: testCase.label, score: value }
          : { label: testCase.label, error: `returned ${typeof value === 'number' ? String(value) : typeof value}, not a finite number` },
      );
    } catch (error) {
      results.push({ label: testCase.label, error: `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` });
    }
  }
  return results;
}

/** The score distribution (simple-statistics), over the cases that scored. */
export function scoreSummary(results: readonly ProbeResult[]): Record<string, number> {
  const scores = results.flatMap((result) => (result.score === undefined ? [] : [result.score]));
  const summary: Record<string, number> = { cases: results.length, scored: scores.length, failed: results.length - scores.length };
  if (scores.length > 0) {
    Object.assign(summary, { mean: mean(scores), std: standardDeviation(scores), min: min(scores), median: median(scores), max: max(scores) });
  }
  return summary;
}

export function registerProbe(program: Command, context: VerbContext): void {
  sharedOptions(
    program
      .command('probe')
      .description('Load a JS/TS reward function and score hand-written cases with it. This executes the module.')
      .argument('<module:export>', 'module path and export name (default export when omitted)')
      .requiredOption('-p, --cases <file>', 'JSON array of cases: [args...], {"args": [...], "label"}, or {"prompt", "completion"}')
      .option('--json', 'print one JSON object: results and summary')
      .option(
        '--timeout <seconds>',
        'seconds a case may take before it fails as hung (loading the module too)',
        positiveNumber('--timeout'),
        DEFAULT_TIMEOUT_SECONDS,
      ),
  )
    .addHelpText(
      'after',
      examples([
        'goodhart probe ./rewards.mjs:formatReward -p cases.json',
        'goodhart probe ./rewards.ts -p cases.json --json      # .ts needs tsx installed',
      ]) +
        '\nThe module runs with your rights, as `node` would run it: probe only code you trust.\n' +
        'Exit 0 when every case scored, 1 when a case threw, returned a non-number or timed out, 2 for a missing module, export or bad cases file.\n',
    )
    .action(async (target: string, flags: ProbeFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const { module, name } = parseTarget(target);
      const casesPath = shared.path(flags.cases);
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(casesPath, 'utf8'));
      } catch (error) {
        throw new UsageError(`${casesPath}: cannot read cases (${error instanceof Error ? error.message : String(error)})`);
      }
      const cases = decodeCases(parsed, casesPath);
      const modulePath = shared.path(module);
      const timeoutMs = flags.timeout * 1000;
      const namespace = await importModule(modulePath, timeoutMs);
      const fn = findExport(namespace, name);
      if (typeof fn !== 'function') {
        const functions = exportedFunctions(namespace);
        throw new UsageError(
          `${modulePath}: no function exported as "${name}"` +
            (functions.length > 0 ? ` (exported functions: ${functions.join(', ')})` : ' (the module exports no functions)'),
        );
      }
      const results = await scoreCases(fn as (...args: unknown[]) => unknown, cases, timeoutMs);
      const summary = scoreSummary(results);
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ module: modulePath, export: name, results, summary })}\n`);
      } else {
        if (!shared.quiet) {
          for (const [k, result] of results.entries()) {
            const text = cases[k]!.args.length > 1 ? cases[k]!.args[1] : cases[k]!.args[0];
            const shown = typeof text === 'string' ? ` ${JSON.stringify(oneLine(text, 60))}` : '';
            io.stdout(`${oneLine(result.label, 30)}: ${result.score === undefined ? `FAILED ${oneLine(result.error ?? '', 200)}` : formatNumber(result.score)}${shown}\n`);
          }
        }
        io.stdout(`${Object.entries(summary).map(([key, value]) => `${key} ${formatNumber(value)}`).join(', ')}\n`);
      }
      context.exit(summary['failed']! > 0 ? 1 : 0);
    });
}
