/**
 * Everything a verb may touch outside itself, passed in so every verb runs in tests without a
 * terminal, a real clock or a signal handler. `main.ts` wires the process; tests pass fakes.
 */
import type { Observable } from 'rxjs';
import type { AnalysisItem } from './analyze.js';

/** Where a verb writes, and what it may ask of the world around it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Environment variables (`NO_COLOR`...). Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Whether stdout is a terminal (colour). Default false. */
  readonly stdoutIsTTY?: boolean;
  /** Whether stderr is a terminal (colour, progress). Default false. */
  readonly stderrIsTTY?: boolean;
  /** Wall clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Waits `ms` (demo pacing); resolves early when `signal` aborts. Default: a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted when the user asks to stop (Ctrl-C): `watch` and `demo` then finish cleanly. */
  readonly signal?: AbortSignal;
  /**
   * Seam for the live dashboard: when present, `demo` and `watch` call it with the alert and
   * record streams and print the URL it returns. Absent until the dashboard exists.
   */
  readonly serveDashboard?: DashboardSeam;
}

/** What a dashboard server receives from `demo`/`watch` (see `CliIo.serveDashboard`). */
export type DashboardSeam = (feed: DashboardFeed) => Promise<{ readonly url: string; readonly close: () => Promise<void> }>;

/** The live streams a dashboard shows (the same items the console prints), and where to serve them. */
export interface DashboardFeed {
  readonly items: Observable<AnalysisItem>;
  /** `--port`; absent: any free port. */
  readonly port?: number;
  /** Completion length cap for the length chart (the config's `maxLength`). */
  readonly lengthCap?: number;
}

/** `io` with every optional field filled in. */
export interface ResolvedIo extends Required<Omit<CliIo, 'serveDashboard' | 'signal'>> {
  readonly signal: AbortSignal | undefined;
  readonly serveDashboard: DashboardSeam | undefined;
}

export function resolveIo(io: CliIo): ResolvedIo {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env ?? {},
    cwd: io.cwd ?? process.cwd(),
    stdoutIsTTY: io.stdoutIsTTY ?? false,
    stderrIsTTY: io.stderrIsTTY ?? false,
    now: io.now ?? Date.now,
    sleep: io.sleep ?? realSleep,
    signal: io.signal,
    serveDashboard: io.serveDashboard,
  };
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
