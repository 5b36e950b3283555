import { defer, distinctUntilChanged, map, type OperatorFunction } from 'rxjs';
import type { Alert, Verdict, VerdictReason } from '../src/core/types.js';
import { resolveVerdictConfig, VerdictJudge, type VerdictConfig } from '../src/core/verdict.js';

export type { VerdictConfig } from '../src/core/verdict.js';

/**
 * Fuses an alert stream into `Verdict`s (healthy | warning | collapse | hacking), emitting a new
 * verdict whenever the judgement changes.
 *
 * Like `scan` with `distinctUntilChanged`: it folds every alert into the same judge that
 * `judge()` runs over a finished run (src/core/verdict.ts documents the rules), and emits only
 * when the worst status, the current status, the first flagged step or a reason (detector, metric,
 * severity, signal, onset, tag) changes; a changed message or a later step alone emits nothing.
 * `status` is the worst state reached (sticky, for gating), `current` the state now (for a live
 * banner: "current healthy, was hacking since step 140"). Nothing is emitted for an empty stream:
 * a run without alerts is healthy. Feed it `hysteresis()` output, before any rate limiting.
 *
 * ```
 * source:  -p----e-------r----|     p = proxy-rise onset (info), e = exploit onset (warning),
 *          verdict()                 r = exploit resolved
 * output:  -g----h-------c----|     g = { status: healthy } (the first alert always emits),
 *                                    h = { status: hacking, current: hacking },
 *                                    c = { status: hacking, current: healthy }
 * ```
 *
 * @example
 * ```ts
 * import { hysteresis, verdict } from 'goodhart/operators';
 * const verdict$ = conditions$.pipe(hysteresis(), verdict({ proxyHorizon: 20 }));
 * verdict$.subscribe((v) => console.log(v.status, v.current, v.reasons[0]?.message));
 * ```
 * @see judge the same rules over a whole run (CLI `summary`, `audit`)
 * @see stopSignal to stop training on a verdict
 */
export function verdict(config: VerdictConfig = {}): OperatorFunction<Alert, Verdict> {
  const resolved = resolveVerdictConfig(config);
  return (source) =>
    defer(() => {
      const judgeRun = new VerdictJudge(resolved);
      return source.pipe(
        map((alert) => {
          judgeRun.add(alert);
          return judgeRun.verdict();
        }),
        distinctUntilChanged(sameJudgement),
      );
    });
}

function sameReasons(a: readonly VerdictReason[] | undefined, b: readonly VerdictReason[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((reason, i) => {
    const other = b[i];
    return (
      other !== undefined &&
      reason.detector === other.detector &&
      reason.metric === other.metric &&
      reason.severity === other.severity &&
      reason.signal === other.signal &&
      reason.since === other.since &&
      reason.tag === other.tag
    );
  });
}

function sameJudgement(a: Verdict, b: Verdict): boolean {
  return (
    a.status === b.status &&
    a.current === b.current &&
    a.firstFlaggedStep === b.firstFlaggedStep &&
    sameReasons(a.reasons, b.reasons) &&
    sameReasons(a.currentReasons, b.currentReasons)
  );
}
