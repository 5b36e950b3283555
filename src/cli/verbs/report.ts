/**
 * `goodhart report <files...> -o report.html`: replays a run and writes a self-contained HTML
 * report built from the dashboard's own page code (src/server): verdict, reward and component
 * curves, length and group-health charts, the alert timeline and the flagged samples, all inlined
 * (uPlot included) under a CSP that allows no network. Model text only ever travels as escaped
 * JSON data and is rendered as text.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { formatVerdict } from '../../sinks/console.js';
import { examples, threadsOption, positiveInt, resolveShared, sharedOptions, UsageError, type SharedFlags, type VerbContext } from '../options.js';
import { replay } from '../run-analysis.js';

/** One run, one channel: records, alerts and the verdict of a report are shown together. */
const CHANNEL = 'run';

interface ReportFlags extends SharedFlags {
  readonly output: string;
  readonly title?: string;
  readonly maxSteps: number;
}

export function registerReport(program: Command, context: VerbContext): void {
  threadsOption(
    sharedOptions(
      program
        .command('report')
        .description('Write a self-contained HTML report: verdict, reward/component/length/group-health charts, alert timeline, flagged samples.')
        .argument('<files...>', 'log file(s); several = one per rank, merged by step')
        .requiredOption('-o, --output <file>', 'the HTML file to write')
        .option('--title <text>', 'page title and heading (default: "goodhart report: <file>")')
        .option('--max-steps <n>', 'step rows kept for the charts (the most recent ones)', positiveInt('--max-steps'), 100_000),
    ),
  )
    .addHelpText(
      'after',
      examples(['goodhart report run.jsonl -o report.html', 'goodhart report trainer_state.json -o report.html --title "GRPO seed 42"']) +
        '\nThe page needs no network and runs no code but its own; model output in it is escaped.\n',
    )
    .action(async (files: string[], flags: ReportFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const output = shared.path(flags.output);
      // Loaded here, not at start-up: the server modules (and ws) are dead weight for other verbs.
      const { DashboardState, renderReportHtml } = await import('../../server/index.js');
      const state = new DashboardState({ historySteps: flags.maxSteps, now: io.now });
      if (shared.config.maxLength !== undefined) state.setLengthCap(CHANNEL, shared.config.maxLength);
      const tally = await replay(files.map(shared.path), shared, context, {
        summarize: true,
        onItem: (item) => {
          // Trainer-logged records reach the charts through the summarizer, which merges them.
          if (item.kind !== 'step') state.add(item, { channel: CHANNEL });
        },
      });
      const verdict = tally.verdict();
      state.add(verdict, { channel: CHANNEL });
      const title = flags.title ?? `goodhart report: ${files.map((file) => basename(file)).join(', ')}`;
      try {
        await writeFile(output, renderReportHtml(state.snapshot(), { title }));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new UsageError(`${output}: cannot write (${typeof code === 'string' ? code : String(error)})`);
      }
      if (!shared.quiet) {
        io.stderr(`wrote ${output}: ${tally.events} events, ${tally.steps} step records, ${tally.alertCount} alerts, ${tally.problems} input problems\n`);
      }
      io.stdout(formatVerdict(verdict, { color: shared.colorOut }));
    });
}
