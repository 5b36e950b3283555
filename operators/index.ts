// goodhart/operators: one public operator per file, re-exported explicitly, alphabetically.
export { hysteresis } from './hysteresis.js';
export type { HysteresisConfig } from './hysteresis.js';
export { rateLimitAlerts } from './rate-limit-alerts.js';
export type { RateLimitAlertsConfig } from './rate-limit-alerts.js';
export { verdict } from './verdict.js';
export type { VerdictConfig } from './verdict.js';
