import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { DashboardItem } from './dashboard-state.js';
import type { DashboardSink } from './serve-dashboard.js';

export interface ToWebSocketConfig {
  /**
   * The dashboard panel (a run) the items appear in. Default: the item's own `tag` (alerts) or
   * `run` (step records, samples), else `'run'`.
   */
  readonly channel?: string;
  /**
   * Pipeline name stamped on alerts that carry no `tag`, so two pipelines sharing a channel keep
   * separate alert episodes (as `tag()` does). Default: none.
   */
  readonly tag?: string;
}

/**
 * Mirrors a stream into the live dashboard: every step record, alert, verdict or flagged sample
 * is published to `server` (see `serveDashboard`) and passed on unchanged.
 *
 * Like `tap`, so it can sit anywhere in a pipeline; publishing never waits for a browser (the
 * server queues per client with a bounded, coalescing policy), so a slow page never slows the
 * stream. An error thrown by `publish` reaches the error channel.
 *
 * ```
 * source:  -s--a--v--|      s = StepRecord, a = Alert, v = Verdict
 *          toWebSocket(dashboard, { channel: 'run-a' })
 * output:  -s--a--v--|      (each also sent to the page's 'run-a' panel)
 * ```
 *
 * @example
 * ```ts
 * import { merge } from 'rxjs';
 * import { serveDashboard, toWebSocket } from 'goodhart';
 * const dashboard = await serveDashboard({ port: 7777 });
 * merge(steps$, alerts$, verdict$).pipe(toWebSocket(dashboard, { channel: 'run-a' })).subscribe();
 * ```
 * @see serveDashboard
 */
export function toWebSocket<T extends DashboardItem>(server: DashboardSink, config: ToWebSocketConfig = {}): MonoTypeOperatorFunction<T> {
  if (typeof server !== 'object' || typeof (server as Partial<DashboardSink>).publish !== 'function') {
    throw new TypeError('toWebSocket requires a dashboard server (from serveDashboard)');
  }
  if (typeof config !== 'object') throw new TypeError('toWebSocket config must be an object');
  for (const field of ['channel', 'tag'] as const) {
    const value: unknown = config[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new TypeError(`toWebSocket ${field} must be a string, got ${typeof value}`);
    if (value.trim() === '') throw new RangeError(`toWebSocket ${field} must not be empty`);
  }
  const route = {
    ...(config.channel === undefined ? {} : { channel: config.channel }),
    ...(config.tag === undefined ? {} : { tag: config.tag }),
  };
  return tap((item) => {
    server.publish(item, route);
  });
}
