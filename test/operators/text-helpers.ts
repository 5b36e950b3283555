// Shared by the text detector specs: prose and looping responses, per-step event builders, the
// real response files, and the marble checklist adapted to detectors whose input accessor (the
// event's `response`) is the callback that may throw.
import { from as rxFrom, lastValueFrom, map, toArray, type OperatorFunction } from 'rxjs';
import type { Alert, RewardEvent } from '../../src/core/types.js';
import { Random } from '../../src/sim/random.js';
import { reasoning } from '../../src/sim/text.js';
import { fromFile } from '../../src/sources/from-file.js';
import { realdata } from '../support/paths.js';
import { checklist } from './numeric-checklist.js';

const rng = new Random(99);
/** Fresh ordinary prose of about `chars` characters (simulator vocabulary). */
export const prose = (chars = 300): string => reasoning(rng, chars);
/** A response that loops one phrase. */
export const loop = (phrase = 'Yes yes yes, great answer!', times = 20): string => `${phrase} `.repeat(times).trim();

/** `perStep` events per step for each response maker, in order; groups `s<step>-p<i>`. */
export function stepsOf(makers: readonly ((i: number) => Partial<RewardEvent>)[], perStep: number, firstStep = 0): RewardEvent[] {
  const out: RewardEvent[] = [];
  makers.forEach((make, s) => {
    for (let i = 0; i < perStep; i++) out.push({ step: firstStep + s, reward: 0.5, group: `s${s}-p${i}`, ...make(i) });
  });
  return out;
}

export const runAlerts = (events: readonly RewardEvent[], op: OperatorFunction<RewardEvent, Alert>): Promise<Alert[]> =>
  lastValueFrom(rxFrom(events).pipe(op, toArray()));


/** Every response event of a real file, through the project's own adapters. */
export async function realEvents(file: string): Promise<RewardEvent[]> {
  const items = await lastValueFrom(fromFile(realdata(file)).pipe(toArray()));
  return items.flatMap((item) => (item.kind === 'event' && item.event.response !== undefined ? [item.event] : []));
}

/** Replaces each event by one whose `response` getter throws `error`. */
const poisoned = (error: Error): OperatorFunction<RewardEvent, RewardEvent> =>
  map((event) => ({
    ...event,
    get response(): string {
      throw error;
    },
  }));

export interface TextChecklistConfig<C> {
  readonly config: C;
  readonly poison?: Error;
}

/** The STYLE.md checklist for a text detector; the "throwing callback" is the response accessor. */
export function textChecklist<C>(
  name: string,
  operator: (config: C) => OperatorFunction<RewardEvent, unknown>,
  config: C,
  items: readonly RewardEvent[],
  badConfigs: readonly (readonly [C, ErrorConstructor, string])[],
): void {
  checklist<RewardEvent, TextChecklistConfig<C>>(name, {
    operator: ({ config: c, poison }) => {
      const op = operator(c);
      return poison === undefined ? op : (source) => source.pipe(poisoned(poison), op);
    },
    config: { config },
    items,
    throwingSelect: (error) => ({ config, poison: error }),
    badConfigs: badConfigs.map(([c, type, fragment]) => [{ config: c }, type, fragment] as const),
  });
}
