// Where tests and benchmarks find the shared reference values and real trainer logs: ../shared
// beside the checkout (read from there, never copied into the repo), or the directory named by
// GOODHART_SHARED_DIR for a checkout that lives elsewhere.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const sharedDir = process.env.GOODHART_SHARED_DIR ?? join(repoRoot, '..', 'shared');
export const realdataDir = join(sharedDir, 'realdata');
export const referencesDir = join(sharedDir, 'references');

export const realdata = (file: string): string => join(realdataDir, file);
export const reference = (file: string): string => join(referencesDir, file);
