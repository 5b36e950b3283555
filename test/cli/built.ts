// Runs the BUILT CLI (dist/src/cli/main.js, bundled by scripts/bundle-cli.ts) as a child process,
// building it first when dist is missing or older than any source file (CI builds before
// `npm test`, so this is a no-op there).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths.js';

export const builtCli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist when it is missing or stale. */
export function ensureBuilt(): void {
  const sources = Math.max(newestSource(join(repoRoot, 'src')), newestSource(join(repoRoot, 'operators')));
  if (existsSync(builtCli) && statSync(builtCli).mtimeMs >= sources) return;
  try {
    // The package's own build (tsc, then scripts/bundle-cli.ts), so the tests run the bundled
    // command users run.
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'pipe' });
  } catch (error) {
    // tsc still emits when some file has a type error (the bundle step is then skipped and the
    // tests run tsc's unbundled command); the CLI tests judge what was built.
    if (!existsSync(builtCli)) throw error;
  }
}

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `node dist/src/cli/main.js ...args` and resolves with its exit code and output. */
export function cli(args: readonly string[], options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [builtCli, ...args],
      { cwd: options.cwd ?? repoRoot, env: { ...process.env, NO_COLOR: '1', ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

/** A running built CLI: the child, its output so far, and how it ended. */
export interface Started {
  readonly child: ChildProcess;
  readonly output: { out: string; err: string };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The built CLI as a child process whose output can be read while it runs (to send it signals). */
export function start(args: readonly string[]): Started {
  const child = spawn(process.execPath, [builtCli, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, output, exited };
}
