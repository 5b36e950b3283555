import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PlainPipeline } from '../../benchmarks/plain-pipeline.js';
import { sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert } from '../../src/core/types.js';
import { simulate, type HackPattern } from '../../src/sim/index.js';
import type { Ingested } from '../../src/sources/ingested.js';

async function both(items: readonly Ingested[], config: SampleDetectorsConfig): Promise<{ rx: Alert[]; plain: Alert[] }> {
  const rx = await lastValueFrom(from(items).pipe(sampleDetectors(config), toArray()));
  const plain: Alert[] = [];
  const pipeline = new PlainPipeline(config, (alert) => plain.push(alert));
  for (const item of items) pipeline.push(item);
  pipeline.finish();
  return { rx, plain };
}

describe('PlainPipeline (the benchmark baseline)', () => {
  it.each<HackPattern | 'healthy'>(['healthy', 'verbosity', 'repetition', 'truncation', 'kl-blowup'])(
    'should emit exactly the alerts of sampleDetectors, in order (%s run)',
    async (pattern) => {
      const items = [...simulate({ seed: 9, steps: 90, ...(pattern === 'healthy' ? {} : { hack: { pattern, atStep: 50 } }) })];
      const { rx, plain } = await both(items, { maxLength: 1024 });
      expect(rx.length).toBeGreaterThan(0);
      expect(plain).toEqual(rx);
    },
  );

  it('should follow the same config: switched-off detectors, sensitivity, no step pipeline', async () => {
    const items = [...simulate({ seed: 9, steps: 80, hack: { pattern: 'format-gaming', atStep: 50 } })];
    for (const config of [{ sensitivity: 'high', formatGaming: false }, { steps: false }, { sensitivity: 'low', repetition: { threshold: 0.3 } }] as const) {
      const { rx, plain } = await both(items, config);
      expect(plain).toEqual(rx);
    }
  });

  it('should refuse a custom operator it cannot run without RxJS', () => {
    expect(() => new PlainPipeline({ extra: [map((): Alert => { throw new Error('never'); })] }, () => undefined)).toThrow(/no plain state machine/);
  });
});
