/**
 * How `sensitivity` moves the defaults of the detectors that run in both default pipelines
 * (on samples in `sampleDetectors`, on trainer records in `stepDetectors`): one definition, so
 * the two levels of the same detector can never be tuned apart.
 */
import { scaleDown, scaleUp, shiftCount, type Sensitivity } from '../../src/detectors/pipeline-options.js';
import { COMPONENT_DOMINANCE_DEFAULTS } from '../component-dominance.js';
import { DISTRIBUTION_DRIFT_DEFAULTS } from '../distribution-drift.js';
import { GROUP_COLLAPSE_DEFAULTS } from '../group-collapse.js';

/** Group collapse: persistence by 2 steps per sensitivity level. */
export const groupCollapseTuning = (sensitivity: Sensitivity): { readonly persistence: number } => ({
  persistence: shiftCount(GROUP_COLLAPSE_DEFAULTS.persistence, sensitivity, 2),
});

/** Length drift: the KS alpha by a factor of 10 per level. */
export const lengthDriftTuning = (sensitivity: Sensitivity): { readonly alpha: number } => ({
  alpha: scaleDown(DISTRIBUTION_DRIFT_DEFAULTS.alpha, sensitivity, 10),
});

/** Component dominance: the Welch t by 1.25 and persistence by one step per level. */
export const componentDominanceTuning = (sensitivity: Sensitivity): { readonly tCritical: number; readonly persistence: number } => ({
  tCritical: scaleUp(COMPONENT_DOMINANCE_DEFAULTS.tCritical, sensitivity, 1.25),
  persistence: shiftCount(COMPONENT_DOMINANCE_DEFAULTS.persistence, sensitivity, 1),
});
