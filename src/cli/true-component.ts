/**
 * The check on goodhart.config.json's `trueComponent` that can only run once the data is read:
 * reward components are named by the run itself, so a misspelt true component is valid config
 * that quietly matches nothing (component dominance then never sees its true component stall).
 */
import type { RewardEvent, StepRecord } from '../core/types.js';
import { componentOfMetric } from '../detectors/reward-components.js';
import { oneLine } from '../sinks/terminal.js';

/** Components named in the warning (a run may name many; the names come from the input). */
const LISTED = 20;

/** The reward component names a run uses, collected as it is read. */
export class ComponentNames {
  private readonly seen = new Set<string>();

  /** An event's named components. */
  event(event: RewardEvent): void {
    if (event.components !== undefined) for (const name in event.components) this.seen.add(name);
  }

  /** A step record's per-component metrics (`reward/<c>/mean`). */
  record(record: StepRecord): void {
    for (const metric in record.metrics) {
      const component = componentOfMetric(metric);
      if (component !== undefined) this.seen.add(component);
    }
  }

  sorted(): string[] {
    return [...this.seen].sort();
  }
}

/** The reward components step records name (`reward/<c>/mean`), sorted. */
export function componentsOf(records: Iterable<StepRecord>): string[] {
  const names = new ComponentNames();
  for (const record of records) names.record(record);
  return names.sorted();
}

/**
 * A warning line when the configured true component is none of the components the run named,
 * listing those it did (the first 20, made safe for a terminal); undefined when it appeared or
 * none is configured.
 */
export function unseenTrueComponent(trueComponent: string | undefined, seen: readonly string[]): string | undefined {
  if (trueComponent === undefined || seen.includes(trueComponent)) return undefined;
  const listed = seen.slice(0, LISTED).map((name) => oneLine(name, 60));
  const more = seen.length > LISTED ? ` and ${seen.length - LISTED} more` : '';
  return (
    `goodhart: warning: the config's trueComponent "${oneLine(trueComponent, 60)}" never appeared in the run; ` +
    `components seen: ${seen.length === 0 ? 'none' : listed.join(', ') + more}\n`
  );
}
