/**
 * Live console output for `watch` and `demo`: alerts when they open, escalate, de-escalate or
 * resolve (not every `ongoing` repeat), verdict changes, input problems on stderr; and the seam
 * where the dashboard plugs in.
 */
import { Subject } from 'rxjs';
import type { Verdict } from '../core/types.js';
import { ConsoleSink, formatVerdict } from '../sinks/console.js';
import type { AnalysisItem } from './analyze.js';
import type { Shared, VerbContext } from './options.js';

export class LivePrinter {
  private readonly out: ConsoleSink;
  private readonly err: ConsoleSink;
  /** Last severity printed per open episode. */
  private readonly printed = new Map<string, string>();
  private lastVerdict: Verdict | undefined;

  constructor(
    private readonly context: VerbContext,
    private readonly shared: Shared,
  ) {
    this.out = new ConsoleSink({ write: context.io.stdout, color: shared.colorOut });
    this.err = new ConsoleSink({ write: context.io.stderr, color: shared.colorErr });
  }

  item(item: AnalysisItem): void {
    switch (item.kind) {
      case 'problem':
        if (!this.shared.quiet) this.err.problem(item.problem);
        return;
      case 'alert': {
        const alert = item.alert;
        const key = `${alert.tag ?? ''}|${alert.id}`;
        if (alert.state === 'resolved') {
          if (this.printed.delete(key) && !this.shared.quiet) this.out.alert(alert);
          return;
        }
        if (this.printed.get(key) === alert.severity) return;
        this.printed.set(key, alert.severity);
        if (!this.shared.quiet) this.out.alert(alert);
        return;
      }
      case 'verdict':
        this.lastVerdict = item.verdict;
        this.context.io.stdout(formatVerdict(item.verdict, { color: this.shared.colorOut }));
        return;
      default:
        return;
    }
  }

  get verdict(): Verdict | undefined {
    return this.lastVerdict;
  }
}

/**
 * Starts the dashboard when one is plugged in (`CliIo.serveDashboard`), feeding it every item;
 * returns the function that feeds it and closes it at the end.
 */
export async function startDashboard(context: VerbContext): Promise<{ readonly feed: (item: AnalysisItem) => void; readonly close: () => Promise<void> }> {
  const serve = context.io.serveDashboard;
  if (serve === undefined) return { feed: () => undefined, close: () => Promise.resolve() };
  const items = new Subject<AnalysisItem>();
  const server = await serve({ items: items.asObservable() });
  context.io.stdout(`dashboard: ${server.url}\n`);
  return {
    feed: (item) => {
      items.next(item);
    },
    close: async () => {
      items.complete();
      await server.close();
    },
  };
}
