/** `goodhart watch <files...>`: follows logs live and prints alerts with their evidence. */
import type { Command } from 'commander';
import { identity } from 'rxjs';
import { formatVerdict } from '../../sinks/console.js';
import { analyze, RunTally } from '../analyze.js';
import { openInput } from '../input.js';
import { AlertLog, dashboardOptions, LivePrinter, startDashboard, type DashboardFlags } from '../live.js';
import { examples, resolveShared, sharedOptions, type SharedFlags, type VerbContext } from '../options.js';
import { replayProgress } from '../progress.js';
import { consume, untilAborted } from '../run-analysis.js';

interface WatchFlags extends SharedFlags, DashboardFlags {
  readonly follow: boolean;
  readonly jsonl?: string;
}

export function registerWatch(program: Command, context: VerbContext): void {
  sharedOptions(
    dashboardOptions(
      program
        .command('watch')
        .description('Follow training logs live (TRL, verl or goodhart JSONL) and print alerts with their evidence as they happen.')
        .argument('<files...>', 'log file(s); several = one per rank, merged by step; files may not exist yet')
        .option('--no-follow', 'read to the end and stop instead of following the files')
        .option('--jsonl <file>', 'also append alerts and verdicts to a goodhart JSONL file'),
    ),
  )
    .addHelpText(
      'after',
      examples([
        'goodhart watch run.jsonl                       # Ctrl-C to stop',
        'goodhart watch logs/rank0.jsonl logs/rank1.jsonl',
        'goodhart watch trainer.log --format verl-console --no-follow',
      ]) +
        '\nFollowing survives truncation and rotation; a partial last line waits for its newline.\n' +
        'Ctrl-C ends the input as its end would: the last step\'s alerts and the final verdict print, exit 0.\n',
    )
    .action(async (files: string[], flags: WatchFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const paths = files.map(shared.path);
      const tally = new RunTally(shared.config.verdict === undefined ? {} : { verdict: shared.config.verdict });
      const dashboard = await startDashboard(context, flags, shared);
      const log = new AlertLog(flags.jsonl === undefined ? undefined : shared.path(flags.jsonl), context);
      // Progress only for a finished file: a followed one has no end to count towards.
      const progress = flags.follow ? undefined : await replayProgress(paths, shared, io);
      // Alerts print as they come: the progress line is cleared first, not written over.
      const printer = new LivePrinter(context, shared, () => progress?.clear());
      if (!shared.quiet) io.stderr(`${flags.follow ? 'following' : 'reading'} ${paths.join(', ')}${flags.follow ? ' (Ctrl-C to stop)' : ''}\n`);
      try {
        await consume(
          openInput(paths, shared, flags.follow).pipe(
            // Ctrl-C ends the input as the end of the file would: the alerts of the last step and
            // the final verdict come out as in a replay of the same file.
            untilAborted(io.signal),
            progress?.track() ?? identity,
            analyze({ detect: context.detect(shared.config), ...(shared.config.verdict === undefined ? {} : { verdict: shared.config.verdict }) }),
          ),
          (item) => {
            tally.add(item);
            printer.item(item);
            log.item(item);
            dashboard.feed(item);
          },
        );
      } finally {
        await dashboard.close();
        await log.close(tally.verdict());
      }
      if (!shared.quiet) io.stdout(`read ${tally.events} events, ${tally.steps} step records, ${tally.problems} input problems; ${tally.alertCount} alerts\n`);
      io.stdout(formatVerdict(tally.verdict(), { color: shared.colorOut }));
    });
}
