/**
 * `npm run bench [suite...]`: runs the named benchmark suites (all when none is named) and
 * writes their tables into benchmarks/README.md. Each suite is benchmarks/<suite>.bench.ts and
 * exports `run(): Promise<Table[]> | Table[]`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeTable, type Table } from './harness.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((suite) => !available.includes(suite));
if (unknown.length > 0) {
  console.error(`unknown benchmark suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
for (const suite of wanted.length > 0 ? wanted : available) {
  const module = (await import(`./${suite}.bench.ts`)) as { run: () => Promise<Table[]> | Table[] };
  for (const table of await module.run()) writeTable(table);
}
