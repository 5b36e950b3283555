import type { Observable } from 'rxjs';
import type { DashboardItem } from './dashboard-state.js';
import { serveDashboard, type ServeDashboardConfig } from './serve-dashboard.js';

export interface DashboardSeamConfig extends ServeDashboardConfig {
  /** Panel the run appears in. Default: the items' own run/tag, else `'run'`. */
  readonly channel?: string;
  /** Completion length cap drawn on the length chart (the run's `maxLength`). Default: none. */
  readonly lengthCap?: number;
}

/** What the CLI hands the seam: the run's stream, and per-run settings that override the config. */
export interface DashboardSeamFeed {
  readonly items: Observable<unknown>;
  /** `--port`. */
  readonly port?: number;
  /** The run's completion length cap (config `maxLength`). */
  readonly lengthCap?: number;
}

/** A started dashboard, as the CLI's `demo` and `watch` verbs hold it. */
export interface DashboardHandle {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/**
 * The dashboard as the CLI plugs it in (`CliIo.serveDashboard`): given the stream of a run's
 * analysis items (source items, step summaries, alerts, verdicts), serves the dashboard, mirrors
 * the stream into it until `close`, and returns the URL to print. Items are told apart by shape
 * (`classify`): `{ kind: 'event' }` samples are charted through the step summaries, not listed.
 *
 * @example
 * // src/cli/main.ts
 * await runCli(argv, { ...io, serveDashboard: dashboardSeam() });
 */
export function dashboardSeam(config: DashboardSeamConfig = {}): (feed: DashboardSeamFeed) => Promise<DashboardHandle> {
  const { channel, lengthCap: configCap, ...serverConfig } = config;
  checkCap(configCap);
  return async (feed) => {
    const lengthCap = feed.lengthCap ?? configCap;
    checkCap(lengthCap);
    const server = await serveDashboard(feed.port === undefined ? serverConfig : { ...serverConfig, port: feed.port });
    const route = channel === undefined ? {} : { channel };
    if (lengthCap !== undefined) server.setLengthCap(channel ?? 'run', lengthCap);
    const subscription = feed.items.subscribe({
      next: (item) => {
        server.publish(item as DashboardItem, route);
      },
      // The CLI reports its own errors; the page keeps showing what arrived.
      error: () => undefined,
    });
    return {
      url: server.url,
      close: async () => {
        subscription.unsubscribe();
        await server.close();
      },
    };
  };
}

function checkCap(lengthCap: number | undefined): void {
  if (lengthCap !== undefined && (!(lengthCap > 0) || !Number.isFinite(lengthCap))) {
    throw new RangeError(`dashboardSeam: lengthCap must be a positive finite number, got ${String(lengthCap)}`);
  }
}
