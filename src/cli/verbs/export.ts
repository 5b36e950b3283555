/** `goodhart export <files...> -o out.csv|out.parquet`: events or step records as a table. */
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import { EMPTY, type Observable } from 'rxjs';
import type { TableColumn, TableSink } from '../../sinks/table.js';
import { formatProblem } from '../../sinks/console.js';
import { analyze, type AnalysisItem } from '../analyze.js';
import { defaultSummarize } from '../detect.js';
import { alertRow, eventRow, InputShape, recordRow } from '../export-rows.js';
import { openInput } from '../input.js';
import { examples, positiveInt, resolveShared, sharedOptions, UsageError, type SharedFlags, type VerbContext } from '../options.js';
import { replayProgress } from '../progress.js';
import { consume } from '../run-analysis.js';

interface ExportFlags extends SharedFlags {
  readonly output: string;
  readonly records?: 'events' | 'steps';
  readonly alerts?: boolean;
  readonly last?: number;
}

type TableKind = 'csv' | 'parquet';

function tableKind(path: string): TableKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new UsageError(`cannot tell the output format of "${path}": name it .csv or .parquet`);
}

/** The table sinks are loaded on first use: the parquet writer is ~50 modules no other verb needs. */
async function openSink(kind: TableKind, path: string, columns: readonly TableColumn[]): Promise<TableSink> {
  const { csvSink, parquetSink } = await import('../../sinks/table.js');
  return kind === 'csv' ? csvSink(path, columns) : parquetSink(path, columns);
}

/** `out.csv` -> `out.alerts.csv`. */
export function alertsPath(path: string): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.alerts${ext}`;
}

async function closeSink(sink: TableSink, path: string): Promise<{ readonly rows: number }> {
  try {
    return await sink.close();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`${path}: cannot write (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)})`);
  }
}

export function registerExport(program: Command, context: VerbContext): void {
  sharedOptions(
    program
      .command('export')
      .description('Write events or step records as CSV or Parquet, reward components and metrics as columns.')
      .argument('<files...>', 'log file(s); several = one per rank, merged by step')
      .requiredOption('-o, --output <file>', 'output file: .csv (RFC 4180) or .parquet')
      .addOption(new Option('--records <kind>', 'what to export: events, or steps (one row per step, summarized from the samples when there are any); default events when the input has any, else steps').choices(['events', 'steps']))
      .option('--alerts', "also run the detectors and write their alerts beside the output (out.alerts.csv)")
      .option('--last <n>', 'only the last N steps', positiveInt('--last')),
  )
    .addHelpText(
      'after',
      examples([
        'goodhart export run.jsonl -o run.csv',
        'goodhart export trainer_state.json -o steps.parquet --records steps',
        'goodhart export run.jsonl -o tail.csv --last 20 --alerts   # also tail.alerts.csv',
      ]),
    )
    .action(async (files: string[], flags: ExportFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const output = shared.path(flags.output);
      const kind = tableKind(output);
      const paths = files.map(shared.path);

      // The input is read twice (the column set first, then the rows): one progress line over both.
      const progress = await replayProgress(paths, shared, io, 2);
      // Step records of an input with samples are the step summarizer's (reward, length and group
      // statistics beside the trainer's metrics), so the first pass summarizes too, for the columns.
      const summarize = flags.records === 'steps' ? defaultSummarize(shared.config) : undefined;
      const shape = new InputShape();
      const summarized = new InputShape();
      let problems = 0;
      const firstPass = openInput(paths, shared).pipe(progress.track());
      const firstItems: Observable<AnalysisItem> = summarize === undefined ? firstPass : firstPass.pipe(analyze({ detect: () => EMPTY, summarize }));
      await consume(firstItems, (item) => {
        if (item.kind === 'event') shape.event(item.event);
        else if (item.kind === 'step') shape.record(item.record);
        else if (item.kind === 'summary') summarized.record(item.record);
        else if (item.kind === 'problem') {
          problems++;
          if (!shared.quiet && problems <= 20) {
            progress.clear();
            io.stderr(`input problem: ${formatProblem(item.problem)}`);
          }
        }
      });
      progress.nextPass();
      const records = flags.records ?? (shape.events > 0 ? 'events' : 'steps');
      const fromSummaries = summarize !== undefined && shape.events > 0;
      const steps = fromSummaries ? summarized : shape;
      const first = InputShape.firstOfLast(records === 'events' ? shape.eventSteps : steps.recordSteps, flags.last);
      const sink = await openSink(kind, output, records === 'events' ? shape.eventColumns() : steps.recordColumns());
      const alertSink = flags.alerts === true ? await openSink(kind, alertsPath(output), shape.alertColumns()) : undefined;

      const source = openInput(paths, shared).pipe(progress.track());
      const detect = alertSink === undefined ? () => EMPTY : context.detect(shared.config);
      const items: Observable<AnalysisItem> =
        alertSink === undefined && !fromSummaries ? source : source.pipe(analyze({ detect, ...(fromSummaries ? { summarize } : {}) }));
      await consume(items, (item) => {
        if (item.kind === 'event') {
          if (records === 'events' && item.event.step >= first) sink.row(eventRow(item.event));
        } else if (item.kind === 'step' || item.kind === 'summary') {
          if (records === 'steps' && (item.kind === 'summary') === fromSummaries && item.record.step >= first) sink.row(recordRow(item.record));
        } else if (item.kind === 'alert' && item.alert.step >= first) {
          alertSink?.row(alertRow(item.alert));
        }
      });
      const written = await closeSink(sink, output);
      const alertsWritten = alertSink === undefined ? undefined : await closeSink(alertSink, alertsPath(output));
      if (!shared.quiet) {
        io.stderr(
          `wrote ${written.rows} ${records === 'events' ? 'events' : 'step records'} to ${output}` +
            (alertsWritten === undefined ? '' : `, ${alertsWritten.rows} alerts to ${alertsPath(output)}`) +
            `${problems > 0 ? ` (${problems} input problems skipped)` : ''}\n`,
        );
      }
    });
}
