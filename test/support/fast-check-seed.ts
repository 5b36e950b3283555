/**
 * One seed for the fast-check properties of a test run (vitest `setupFiles`). By default a fixed
 * one, so `npm test` checks the same cases on every machine and every run, and a red CI run is
 * a change's doing, not the draw's; a failure reproduces as it is. `GOODHART_FC_SEED=<integer>`
 * runs another draw, `GOODHART_FC_SEED=random` a fresh one for each property (fast-check prints
 * the seed and the shrunk counterexample of a failure): the way to look for cases the fixed draw
 * misses. A property that sets its own `seed` keeps it.
 */
import fc from 'fast-check';

const FIXED_SEED = 20261208;

function seedFromEnvironment(): number | undefined {
  const value = process.env.GOODHART_FC_SEED;
  if (value === undefined || value === '') return FIXED_SEED;
  if (value === 'random') return undefined;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`GOODHART_FC_SEED must be unset, "random" or an integer, got ${JSON.stringify(value)}`);
  return seed;
}

const seed = seedFromEnvironment();
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
