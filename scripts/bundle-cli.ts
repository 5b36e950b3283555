// Second step of `npm run build`, after tsc: bundles the CLI's two entry points (the command and
// its text worker) in place, with the modules they share and the verbs the command loads on
// demand as chunks beside them; gives the bundles back their top-level `const`
// (restore-const.ts); and marks the command executable.
//
// Why: unbundled, `goodhart audit` opens ~350 modules before its first line of work (rxjs's
// CommonJS build alone is ~220, and Node scans each for its exports); its start-up took
// 0.27-0.32 s against 0.16-0.19 s bundled, measured side by side. The library entries
// (dist/src/index.js, the operators, the kernels) stay tsc's output; only the files node runs as
// a program are replaced. The bundles stay where tsc wrote them, so the paths they resolve from
// their own location still hold: the package.json two levels up, `./text-worker.js` beside the
// command, uPlot in node_modules.
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { restoreTopLevelConst } from './restore-const.js';

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

// The shared chunks of an earlier build (their names carry a content hash, so they do not overwrite).
const outdir = join(root, dirname(command));
for (const name of readdirSync(outdir)) if (name.startsWith('chunk-')) rmSync(join(outdir, name));

const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: entries,
  // Each bundle replaces its entry.
  outdir: dirname(command),
  allowOverwrite: true,
  bundle: true,
  // A verb the command imports on demand becomes a chunk of its own, loaded when it runs, and
  // so do the modules the command and the worker share. In one file esbuild would wrap every
  // module a dynamic import reaches in a lazy initializer, whose bindings are assigned inside
  // it and so stay `var` (see restore-const.ts); in chunks they are declared with their values.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  metafile: true,
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

// esbuild declares every top-level binding with `var`; the hot loops want their `const` back.
for (const output of Object.keys(metafile.outputs)) {
  if (!output.endsWith('.js')) continue;
  const path = join(root, output);
  writeFileSync(path, restoreTopLevelConst(readFileSync(path, 'utf8')).code);
}

chmodSync(join(root, command), 0o755);
