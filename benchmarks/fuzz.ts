// Fuzzes every input decoder with generated and mutated inputs (test/hardening/fuzz-harness.ts)
// and prints, per adapter: cases run, invariant failures (0 or 1: fast-check stops at the first
// and shrinks it), the slowest case, the worst 1 MB garbage line against JSON.parse reading as
// much, and how that time grows on 16x the garbage.
//
//   npx tsx benchmarks/fuzz.ts [cases per adapter, default 100000] [seed] [adapter name...]
//
// Exits 1 when any invariant failed (the first counterexample per adapter is printed, shrunk)
// or when the time on 16x the garbage grows more than 4x faster than JSON.parse's (16x: quadratic).
import fc from 'fast-check';
import { fastest, fuzzTargets, jsonParseBaseline, type FuzzCase } from '../test/hardening/fuzz-harness.js';

const runs = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const only = process.argv.slice(4);

/**
 * Growth of the time on 16x the garbage, relative to JSON.parse's own growth: 1 is linear like
 * JSON.parse, 16 would be quadratic; above 4 counts as super-linear (room for a busy machine).
 */
const SUPER_LINEAR = 4;

interface Slowest {
  ms: number;
  size: number;
}

let failed = false;
const started = performance.now();
console.log(`fuzz: ${String(runs)} cases per adapter, seed ${String(seed)}`);
console.log('adapter                    cases failures  slowest case          1 MB garbage, worst vs JSON.parse        16x growth  wall');
for (const target of fuzzTargets()) {
  if (only.length > 0 && !only.includes(target.name)) continue;
  const slowest: Slowest = { ms: 0, size: 0 };
  const targetStart = performance.now();
  let problems = 0;
  let counterexample = '';
  const details = fc.check(
    fc.property(target.cases, (fuzzCase: FuzzCase) => {
      const start = performance.now();
      let wrong: string | undefined;
      try {
        wrong = fuzzCase.run();
      } catch (error) {
        wrong = `threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      }
      const ms = performance.now() - start;
      if (ms > slowest.ms) Object.assign(slowest, { ms, size: fuzzCase.size });
      if (wrong !== undefined) throw new Error(wrong);
    }),
    { numRuns: runs, seed, endOnFailure: false },
  );
  if (details.failed) {
    problems = 1;
    failed = true;
    counterexample = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  }
  // Garbage lines of 1 MB: the worst shape against JSON.parse reading as much. Then how its time
  // grows from 256 KB to 4 MB (16x) against how JSON.parse's own time grows: 1 is linear like
  // JSON.parse, 16 would be quadratic.
  const budgets = target.garbage(1 << 20).map((garbage, index) => {
    const ms = fastest(garbage.run);
    return { shape: garbage.shape, ms, times: ms / jsonParseBaseline(garbage.text), index };
  });
  const worst = budgets.reduce((a, b) => (b.times > a.times ? b : a));
  const small = target.garbage(1 << 18)[worst.index]!;
  const large = target.garbage(1 << 22)[worst.index]!;
  const growth = fastest(large.run, 2) / Math.max(fastest(small.run), 1) / (jsonParseBaseline(large.text) / jsonParseBaseline(small.text));
  if (growth > SUPER_LINEAR) failed = true;
  console.log(
    `${target.name.padEnd(24)} ${String(details.numRuns).padStart(7)} ${String(problems).padStart(8)}  ${slowest.ms.toFixed(1).padStart(7)} ms ${String(slowest.size).padStart(8)} ch  ${worst.ms.toFixed(1).padStart(7)} ms ${worst.times.toFixed(1).padStart(5)}x (${worst.shape})`.padEnd(100) +
      `${growth.toFixed(1).padStart(6)}  ${((performance.now() - targetStart) / 1000).toFixed(1).padStart(6)} s`,
  );
  if (counterexample !== '') console.log(`  counterexample (${String(details.counterexample?.length ?? 0)} args, seed ${String(seed)}, path ${details.counterexamplePath ?? ''}): ${counterexample.slice(0, 600)}`);
}
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failed ? 1 : 0;
