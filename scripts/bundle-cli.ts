// Second step of `npm run build`, after tsc: bundles the CLI's two entry points (the command and
// its text worker) in place, each into one file, and marks the command executable.
//
// Why: unbundled, `goodhart audit` opens ~350 modules before its first line of work (rxjs's
// CommonJS build alone is ~220, and Node scans each for its exports); its start-up took
// 0.27-0.32 s against 0.16-0.19 s bundled, measured side by side. The library entries
// (dist/src/index.js, the operators, the kernels) stay tsc's output; only the files node runs as
// a program are replaced. The bundles stay where tsc wrote them, so the paths they resolve from
// their own location still hold: the package.json two levels up, `./text-worker.js` beside the
// command, uPlot in node_modules.
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// The command is package.json's bin; the worker is the file parallel-detect.ts starts beside it.
const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { goodhart: string } };
const command = bin.goodhart;
const entries = [command, join(dirname(command), 'text-worker.js')];
const banner = "import { createRequire as __goodhartRequire } from 'node:module'; const require = __goodhartRequire(import.meta.url);";

// A bundle bundled again would declare `require` twice: the input must be fresh tsc output.
for (const entry of entries) {
  if (readFileSync(join(root, entry), 'utf8').includes(banner)) throw new Error(`${entry} is already bundled: run tsc -p tsconfig.build.json first (npm run build does both)`);
}

await build({
  absWorkingDir: root,
  entryPoints: entries,
  // Each bundle replaces its entry.
  outdir: dirname(command),
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Maps back to src/*.ts like tsc's own maps, without a copy of every source inside (~5 MB).
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  // tsx is loaded only by `probe` on a TypeScript module, from the user's installation; ws's
  // optional native helpers are looked up at run time when installed.
  external: ['tsx', 'bufferutil', 'utf-8-validate'],
  // The CommonJS dependencies (commander, ws) call require(), which an ES module lacks.
  banner: { js: banner },
});

chmodSync(join(root, command), 0o755);
