// Test doubles for the CLI: an in-memory CliIo and a small, fully predictable detector, so the
// verbs are tested on their own (the real detectors have their own tests).
import { filter, map, mergeMap, from } from 'rxjs';
import type { Alert, AlertSignal, Severity } from '../../src/core/types.js';
import type { Detect } from '../../src/cli/analyze.js';
import type { Ingested } from '../../src/sources/ingested.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export function alert(detector: string, signal: AlertSignal, severity: Severity, step: number, message: string, extra: Partial<Alert> = {}): Alert {
  return {
    id: `${detector}:reward:${step}`,
    detector,
    metric: 'reward',
    severity,
    signal,
    step,
    message,
    value: 1,
    threshold: 0.5,
    since: step,
    evidence: { stats: { share: 0.75 } },
    state: 'onset',
    ...extra,
  };
}

/**
 * Fake detectors: an event whose response contains `HACK` opens an exploit episode and a proxy-rise
 * episode (verdict hacking); `COLLAPSE` opens a collapse episode; `WARN` an instability warning.
 * Each opens at most once per marker.
 */
export const fakeDetect = (): Detect => (source) => {
  const seen = new Set<string>();
  return source.pipe(
    filter((item): item is Extract<Ingested, { kind: 'event' }> => item.kind === 'event'),
    map((item) => item.event),
    mergeMap((event) => {
      const out: Alert[] = [];
      const text = event.response ?? '';
      const once = (marker: string, alerts: () => Alert[]): void => {
        if (text.includes(marker) && !seen.has(marker)) {
          seen.add(marker);
          out.push(...alerts());
        }
      };
      once('HACK', () => [
        alert('formatGaming', 'exploit', 'critical', event.step, `tags without content in ${text}`, {
          evidence: { stats: { share: 0.75 }, samples: [{ step: event.step, response: text, ...(event.reward === undefined ? {} : { reward: event.reward }) }] },
        }),
        alert('meanShift', 'proxy-rise', 'info', event.step, 'reward rose 0.2 -> 0.9'),
      ]);
      once('COLLAPSE', () => [alert('groupCollapse', 'collapse', 'warning', event.step, 'all groups have zero spread')]);
      once('WARN', () => [alert('spike', 'instability', 'warning', event.step, 'kl spiked')]);
      return from(out);
    }),
  );
};

export function memoryIo(extra: Partial<CliIo> = {}): CliIo & { readonly out: () => string; readonly err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    sleep: () => Promise.resolve(),
    ...extra,
    out: () => out,
    err: () => err,
  };
}

/** Runs the CLI in-process with the fake detectors and captures its output. */
export async function run(argv: readonly string[], extra: Partial<CliIo> = {}): Promise<Captured> {
  const io = memoryIo(extra);
  const code = await runCli(argv, io, { detect: fakeDetect });
  return { code, out: io.out(), err: io.err() };
}
