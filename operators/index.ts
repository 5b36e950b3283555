// goodhart/operators: one public operator per file, re-exported explicitly, alphabetically.
export { aggregateAlerts } from './aggregate-alerts.js';
export type { AggregateAlertsConfig } from './aggregate-alerts.js';
export { hysteresis } from './hysteresis.js';
export type { HysteresisConfig } from './hysteresis.js';
export { meanShift, meanShiftConditions, MEAN_SHIFT_DEFAULTS } from './mean-shift.js';
export type { Granularity, MeanShiftConfig, ShiftDirection } from './mean-shift.js';
export { minSeverity } from './min-severity.js';
export { onAlert } from './on-alert.js';
export { onVerdict } from './on-verdict.js';
export { rateLimitAlerts } from './rate-limit-alerts.js';
export type { RateLimitAlertsConfig } from './rate-limit-alerts.js';
export { stopSignal } from './stop-signal.js';
export type { StopSignalConfig } from './stop-signal.js';
export { LATE_METRIC, summarizeSteps } from './summarize-steps.js';
export type { SummarizeInput, SummarizeStepsConfig } from './summarize-steps.js';
export { tag } from './tag.js';
export { verdict } from './verdict.js';
export type { VerdictConfig } from './verdict.js';
