// Second step of `npm run build`, after tsc: bundles the CLI's two entry points (the command and
// its text worker) in place, each into one file, and marks every bin of package.json executable.
//
// Why: unbundled, `goodhart audit` opens ~350 modules before its first line of work (rxjs's
// CommonJS build alone is ~220, and Node scans each for its exports); its start-up took ~0.29 s
// against ~0.17 s bundled on the same machine. The library entries (dist/src/index.js, the
// operators, the kernels) stay tsc's output; only the files node runs as a program are replaced.
// The bundles stay where tsc wrote them, so the paths they resolve from their own location still
// hold: the package.json two levels up, `./text-worker.js` beside the command, uPlot in
// node_modules.
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = ['dist/src/cli/main.js', 'dist/src/cli/text-worker.js'];
const banner = "import { createRequire as __goodhartRequire } from 'node:module'; const require = __goodhartRequire(import.meta.url);";

// A bundle bundled again would declare `require` twice: the input must be fresh tsc output.
for (const entry of entries) {
  if (readFileSync(join(root, entry), 'utf8').includes(banner)) throw new Error(`${entry} is already bundled: run tsc -p tsconfig.build.json first (npm run build does both)`);
}

await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist/src/cli',
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

const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
for (const path of Object.values(bin)) chmodSync(join(root, path), 0o755);
