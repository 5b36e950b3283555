export { EXPECTED_VERDICT, HACK_PATTERNS, simulate } from './simulate.js';
export type { HackPattern, RewardKind, SimulationConfig } from './simulate.js';
export { Random } from './random.js';
