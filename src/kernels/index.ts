// goodhart/kernels: pure streaming statistics (no rxjs, no I/O). Explicit re-exports only.
export type { CusumSide, TabularCusumConfig } from './cusum.js';
export type { IncrementalKs, SlidingKsWindowsConfig } from './ks-sliding-windows.js';
export { IntegerKsTree } from './ks-integer-tree.js';
export type { IntegerKsTreeConfig } from './ks-integer-tree.js';
export type { KsStatistics } from './ks-statistic.js';
export { ksStatistics, ksStatisticsSorted } from './ks-statistic.js';
export { PageHinkley } from './page-hinkley.js';
export type { PageHinkleyConfig, PageHinkleyMode } from './page-hinkley.js';
export { SlidingKsWindows } from './ks-sliding-windows.js';
export { TabularCusum } from './cusum.js';
export { ValueKsTreap } from './ks-value-treap.js';
