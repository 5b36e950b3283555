// Simulated runs for the numeric detector specs: per-sample reward events and per-step records.
import type { RewardEvent, StepRecord } from '../../src/core/types.js';
import { simulate, type SimulationConfig } from '../../src/sim/simulate.js';

export function simEvents(config: SimulationConfig): RewardEvent[] {
  const out: RewardEvent[] = [];
  for (const item of simulate({ ...config, policyMetrics: false })) if (item.kind === 'event') out.push(item.event);
  return out;
}

/** The simulator's policy StepRecords (kl, entropy, grad_norm, loss). */
export function simPolicySteps(config: SimulationConfig): StepRecord[] {
  const out: StepRecord[] = [];
  for (const item of simulate(config)) if (item.kind === 'step') out.push(item.record);
  return out;
}
