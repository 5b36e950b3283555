// parallelDetect: the text detectors on a worker thread (here run from source through tsx) must
// raise exactly the alerts of sampleDetectors on one thread, in the same order.
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sampleDetectorLists, sampleDetectors, type SampleDetectorsConfig } from '../../operators/sample-detectors.js';
import type { Alert } from '../../src/core/types.js';
import { parallelDetect } from '../../src/cli/parallel-detect.js';
import { splitConfig, TEXT_DETECTOR_SLOTS } from '../../src/cli/text-split.js';
import { HACK_PATTERNS, simulate } from '../../src/sim/index.js';
import { fromFile } from '../../src/sources/from-file.js';
import type { Ingested } from '../../src/sources/ingested.js';
import { realdata } from '../support/paths.js';

/** Both ways, as JSON (what every sink sees) so the field order counts too. */
async function both(items: readonly Ingested[], config: SampleDetectorsConfig = {}): Promise<{ one: string[]; two: string[] }> {
  const json = (alerts: Alert[]): string[] => alerts.map((alert) => JSON.stringify(alert));
  const one = json(await lastValueFrom(from(items).pipe(sampleDetectors(config), toArray())));
  const two = json(await lastValueFrom(from(items).pipe(parallelDetect(config), toArray())));
  return { one, two };
}

describe('parallelDetect', () => {
  it('splits off the detectors that lead the default order, so the merge (text first per item) keeps that order', () => {
    expect(TEXT_DETECTOR_SLOTS).toEqual(['repetition', 'diversityCollapse', 'formatGaming', 'degenerateOutputs']);
    const whole = sampleDetectorLists({}).sample.map((spec) => spec.slot);
    const { text, rest } = splitConfig({});
    const textSlots = sampleDetectorLists(text!).sample.map((spec) => spec.slot);
    const restSlots = sampleDetectorLists(rest).sample.map((spec) => spec.slot);
    expect(textSlots).toEqual(TEXT_DETECTOR_SLOTS);
    expect([...textSlots, ...restSlots]).toEqual(whole);
    expect(sampleDetectorLists(text!).step).toBeUndefined();
    expect(splitConfig({ repetition: false, diversityCollapse: false, formatGaming: false, degenerateOutputs: false }).text).toBeUndefined();
  });

  it.each(['healthy', ...HACK_PATTERNS] as const)('raises the alerts of one thread, in order, on a simulated %s run ', async (pattern) => {
    const items = [...simulate({ seed: 7, steps: 60, ...(pattern === 'healthy' ? {} : { hack: { pattern, atStep: 25 } }) })];
    const { one, two } = await both(items, { maxLength: 1024 });
    expect(one.length).toBeGreaterThan(pattern === 'healthy' ? -1 : 0);
    expect(two).toEqual(one);
  });

  it('raises the same alerts on events without text', async () => {
    const items = [...simulate({ seed: 3, steps: 60, hack: { pattern: 'exploit', atStep: 20 } })].map((item): Ingested => {
      if (item.kind !== 'event') return item;
      const { response: _response, prompt: _prompt, ...numeric } = item.event;
      return { kind: 'event', event: numeric };
    });
    const { one, two } = await both(items);
    expect(one.length).toBeGreaterThan(0);
    expect(two).toEqual(one);
  });

  it('ends on an empty source, and passes step records alone through the step detectors', async () => {
    const records = [...simulate({ seed: 4, steps: 40, hack: { pattern: 'kl-blowup', atStep: 15 } })].filter((item) => item.kind === 'step');
    expect(await both([])).toEqual({ one: [], two: [] });
    const { one, two } = await both(records);
    expect(one.length).toBeGreaterThan(0);
    expect(two).toEqual(one);
  });

  it('matches on real trainer data: TRL completions with five components, a verl log of step records', async () => {
    const completions = await both(await lastValueFrom(fromFile(realdata('trl-grpo_completions_5components.jsonl')).pipe(toArray())));
    expect(completions.two).toEqual(completions.one);
    const verl = await both(await lastValueFrom(fromFile(realdata('verl-gpg_qwen2-7b_math_length_explosion.log')).pipe(toArray())));
    expect(verl.one.length).toBeGreaterThan(0);
    expect(verl.two).toEqual(verl.one);
  });

  it('applies the config to both halves and rejects a bad one on the calling thread', async () => {
    const items = [...simulate({ seed: 5, steps: 50, hack: { pattern: 'repetition', atStep: 20 } })];
    const { one, two } = await both(items, { sensitivity: 'high', repetition: { threshold: 0.3 }, groupCollapse: false });
    expect(one.some((alert) => alert.includes('"detector":"repetition"'))).toBe(true);
    expect(two).toEqual(one);
    expect(() => parallelDetect({ repetition: { threshold: 7 } })).toThrow(/repetition/);
  });
});
