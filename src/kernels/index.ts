// goodhart/kernels: pure streaming statistics (no rxjs, no I/O). Explicit re-exports only.
export type { CusumSide, TabularCusumConfig } from './cusum.js';
export { PageHinkley } from './page-hinkley.js';
export type { PageHinkleyConfig, PageHinkleyMode } from './page-hinkley.js';
export { TabularCusum } from './cusum.js';
