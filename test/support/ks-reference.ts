// Loads ../shared/references/ks_two_sample.json (scipy 1.17.1) and rebuilds the inputs of scipy's
// TestKSTwoSamples vectors that the file stores only as formulas.
import { readFileSync } from 'node:fs';
import { LegacyGauss, MersenneTwister } from './mersenne-twister.js';
import { reference } from './paths.js';

export interface KsSuiteCase {
  readonly name: string;
  readonly alternative: 'two-sided' | 'greater' | 'less';
  readonly mode: 'auto' | 'exact' | 'asymp';
  readonly expected_statistic: number;
  readonly expected_pvalue: number;
  readonly scipy_now_statistic: number;
  readonly scipy_now_pvalue: number;
  readonly n1: number;
  readonly n2: number;
  readonly inputs: string;
  readonly note?: string;
}

export const ksReference = JSON.parse(readFileSync(reference('ks_two_sample.json'), 'utf8'));
export const suiteCases: readonly KsSuiteCase[] = ksReference.scipy_test_suite.cases;

/** np.linspace(a, b, n)[i] = i*((b-a)/(n-1)) + a, last element forced to b (the file's linspace_note). */
export function linspace(start: number, stop: number, count: number): number[] {
  const step = (stop - start) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? stop : i * step + start));
}

function offsetLinspaces(n1: number, n2: number, yStop: number): { x: number[]; y: number[] } {
  const delta = 1 / n1 / n2 / 4;
  return { x: linspace(1, 200, n1).map((v) => v - delta), y: linspace(2, yStop, n2) };
}

const cache = new Map<string, { x: number[]; y: number[] }>();

/** The two samples of one suite input key ("testLarge:0", ...), stored or regenerated. */
export function suiteInputs(key: string): { x: number[]; y: number[] } {
  const cached = cache.get(key);
  if (cached) return cached;
  const stored = ksReference.scipy_test_suite.inputs[key];
  let result: { x: number[]; y: number[] };
  if (stored.x && stored.y) result = { x: stored.x, y: stored.y };
  else if (key === 'testLarge:0') result = offsetLinspaces(10000, 110, 100);
  else if (key === 'testLargeBoth:0') result = offsetLinspaces(10000, 11000, 200);
  else if (key === 'test_gh11184:0') {
    // np.random.seed(123456); x = np.random.normal(size=3000); y = np.random.normal(size=3001) * 1.5
    const gauss = new LegacyGauss(MersenneTwister.fromSeed(123456));
    result = { x: gauss.fill(3000), y: gauss.fill(3001).map((v) => v * 1.5) };
  } else throw new Error(`no recipe for scipy suite input ${key}: ${stored.formula}`);
  cache.set(key, result);
  return result;
}

/** scipy.stats.ks_2samp's definition, literally: searchsorted(side='right') at every pooled value. */
export function scipyStatistics(x: readonly number[], y: readonly number[]): { statistic: number; greater: number; less: number } {
  const a = [...x].sort((p, q) => p - q);
  const b = [...y].sort((p, q) => p - q);
  const countAtMost = (sorted: number[], v: number): number => sorted.filter((s) => s <= v).length;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const v of [...a, ...b]) {
    const diff = countAtMost(a, v) / a.length - countAtMost(b, v) / b.length;
    max = Math.max(max, diff);
    min = Math.min(min, diff);
  }
  const less = Math.min(Math.max(-min, 0), 1);
  return { statistic: Math.max(max, less), greater: max, less };
}
