// goodhart: the library entry point. Explicit re-exports only.
export { SCHEMA_VERSION, severityRank } from './core/types.js';
export type {
  Alert,
  AlertSignal,
  AlertState,
  Evidence,
  InputProblem,
  Phase,
  RewardEvent,
  SampleRef,
  Severity,
  StepRecord,
  Verdict,
  VerdictReason,
  VerdictStatus,
} from './core/types.js';
