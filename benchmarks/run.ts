/**
 * `npm run bench [suite...]`: runs the named benchmark suites (all but cli and detection when none
 * is named) and writes their tables into benchmarks/README.md. Each suite is
 * benchmarks/<suite>.bench.ts and exports `run(): Promise<Table[]> | Table[]`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeTable, type Table } from './harness.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();
// Suites with their own npm script (they build, spawn the CLI or replay millions of simulated
// events) run only when named: `npm run bench:cli`, `npm run bench:detection`.
const ownScript = new Set(['cli', 'detection']);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((suite) => !available.includes(suite));
if (unknown.length > 0) {
  console.error(`unknown benchmark suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
for (const suite of wanted.length > 0 ? wanted : available.filter((name) => !ownScript.has(name))) {
  const module = (await import(`./${suite}.bench.ts`)) as { run: () => Promise<Table[]> | Table[] };
  for (const table of await module.run()) writeTable(table);
}
