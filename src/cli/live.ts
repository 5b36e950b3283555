/**
 * Live console output for `watch` and `demo`: alerts when they open, escalate, de-escalate or
 * resolve (not every `ongoing` repeat), verdict changes, input problems on stderr; and the seam
 * where the dashboard plugs in.
 */
import type { Command } from 'commander';
import { Subject } from 'rxjs';
import type { Verdict } from '../core/types.js';
import { ConsoleSink, formatVerdict } from '../sinks/console.js';
import { JsonlSink } from '../sinks/jsonl.js';
import type { AnalysisItem } from './analyze.js';
import { positiveInt, type Shared, type VerbContext } from './options.js';

export class LivePrinter {
  private readonly out: ConsoleSink;
  private readonly err: ConsoleSink;
  /** Last severity printed per open episode. */
  private readonly printed = new Map<string, string>();
  private lastVerdict: Verdict | undefined;
  /** `io.stdout`, after `beforePrint`. */
  private readonly stdout: (text: string) => void;

  constructor(
    context: VerbContext,
    private readonly shared: Shared,
    /** Called before anything is printed (`watch` clears its progress line). */
    beforePrint: () => void = () => undefined,
  ) {
    const printing =
      (write: (text: string) => void) =>
      (text: string): void => {
        beforePrint();
        write(text);
      };
    this.stdout = printing(context.io.stdout);
    this.out = new ConsoleSink({ write: this.stdout, color: shared.colorOut });
    this.err = new ConsoleSink({ write: printing(context.io.stderr), color: shared.colorErr });
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
        this.stdout(formatVerdict(item.verdict, { color: this.shared.colorOut }));
        return;
      default:
        return;
    }
  }

  get verdict(): Verdict | undefined {
    return this.lastVerdict;
  }
}

/** Adds `--no-dashboard` and `--port` to a verb. */
export function dashboardOptions(command: Command): Command {
  return command
    .option('--no-dashboard', 'do not serve the live dashboard')
    .option('--port <n>', 'dashboard port on 127.0.0.1 (default: any free port)', positiveInt('--port'));
}

/**
 * Starts the dashboard when one is plugged in (`CliIo.serveDashboard`), feeding it every item;
 * returns the function that feeds it and closes it at the end.
 */
export interface LiveDashboard {
  /** The page's address, when one is served. */
  readonly url: string | undefined;
  readonly feed: (item: AnalysisItem) => void;
  readonly close: () => Promise<void>;
}

/** `--no-dashboard` and `--port`, shared by `demo` and `watch`. */
export interface DashboardFlags {
  readonly dashboard?: boolean;
  readonly port?: number;
}

export async function startDashboard(context: VerbContext, flags: DashboardFlags, shared: Shared): Promise<LiveDashboard> {
  const serve = context.io.serveDashboard;
  if (serve === undefined || flags.dashboard === false) return { url: undefined, feed: () => undefined, close: () => Promise.resolve() };
  const items = new Subject<AnalysisItem>();
  const maxLength = shared.config.maxLength;
  const server = await serve({
    items: items.asObservable(),
    ...(flags.port === undefined ? {} : { port: flags.port }),
    ...(maxLength === undefined ? {} : { lengthCap: maxLength }),
  });
  context.io.stdout(`dashboard: ${server.url}\n`);
  return {
    url: server.url,
    feed: (item) => {
      items.next(item);
    },
    close: async () => {
      items.complete();
      await server.close();
    },
  };
}

/**
 * `--jsonl <file>`: alerts and verdicts as goodhart JSONL (docs/schema.md) beside the console
 * output. A write error (a full disk) is reported once on stderr and the run goes on.
 */
export class AlertLog {
  private readonly sink: JsonlSink | undefined;

  constructor(path: string | undefined, context: VerbContext) {
    this.sink =
      path === undefined
        ? undefined
        : new JsonlSink(path, {
            onError: (error) => {
              context.io.stderr(`goodhart: cannot write ${path}: ${error.message}; alerts are no longer logged there\n`);
            },
          });
  }

  item(item: AnalysisItem): void {
    if (item.kind === 'alert') this.sink?.write({ type: 'alert', record: item.alert });
    else if (item.kind === 'verdict') this.sink?.write({ type: 'verdict', record: item.verdict });
  }

  /** Writes the final verdict and closes the file. */
  async close(verdict: Verdict): Promise<void> {
    if (this.sink === undefined) return;
    this.sink.write({ type: 'verdict', record: verdict });
    await this.sink.close();
  }
}
