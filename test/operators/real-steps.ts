// Helpers shared by the detector specs: a real trainer log's step records, and the alerts that
// matter (warning or worse).
import { filter, lastValueFrom, map, toArray } from 'rxjs';
import type { Alert, StepRecord } from '../../src/core/types.js';
import { fromFile } from '../../src/sources/from-file.js';
import { realdata } from '../support/paths.js';

/** The step records of ../shared/realdata/<file>, through the format detection a user gets. */
export async function realSteps(file: string): Promise<StepRecord[]> {
  return lastValueFrom(
    fromFile(realdata(file)).pipe(
      filter((item) => item.kind === 'step'),
      map((item) => (item as { readonly record: StepRecord }).record),
      toArray(),
    ),
  );
}

/** The alerts of warning severity or worse. */
export const warnings = (alerts: readonly Alert[]): Alert[] => alerts.filter((alert) => alert.severity !== 'info');
