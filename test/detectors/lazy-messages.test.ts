import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sampleDetectorLists } from '../../operators/sample-detectors.js';
import { summarizeSteps } from '../../operators/summarize-steps.js';
import type { Condition } from '../../src/core/condition.js';
import { simulate, type HackPattern } from '../../src/sim/index.js';

/** Each condition with its message and evidence as JSON, read at once when it is emitted. */
function atEmission<T>(items: readonly T[], conditions: (source: Observable<T>) => Observable<Condition>): Promise<{ condition: Condition; seen: string }[]> {
  return lastValueFrom(from(items).pipe(conditions, map((condition) => ({ condition, seen: JSON.stringify(condition) })), toArray()));
}

// Detectors build the message of a condition only when it is read (most never become alerts);
// it must still describe the state at that condition, not the detector's state when read later.
describe('condition messages built on read', () => {
  it.each<HackPattern>(['verbosity', 'kl-blowup', 'truncation'])('should say later exactly what they said when emitted (%s run)', async (pattern) => {
    const items = [...simulate({ seed: 3, steps: 90, hack: { pattern, atStep: 50 } })];
    const events = items.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
    const records = await lastValueFrom(from(items).pipe(summarizeSteps({ maxLength: 1024 }), toArray()));
    const { sample, step } = sampleDetectorLists({ maxLength: 1024 });
    const specs = [
      ...sample.map((spec) => ({ spec, input: events })),
      ...(step ?? []).map((spec) => ({ spec, input: records })),
    ];
    let checked = 0;
    const messages = new Set<string>();
    for (const { spec, input } of specs) {
      if (spec.conditions === undefined) continue;
      const seen = await atEmission(input, spec.conditions as (source: Observable<unknown>) => Observable<Condition>);
      for (const { condition, seen: then } of seen) {
        expect(JSON.stringify(condition), spec.slot).toBe(then);
        expect(typeof condition.message).toBe('string');
        messages.add(condition.message);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Messages carry the numbers of their own observation, so they differ from step to step.
    expect(messages.size).toBeGreaterThan(checked / 10);
  });
});
