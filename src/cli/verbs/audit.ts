/** `goodhart audit <files...>`: replays a whole run, judges all of it, exits non-zero when flagged. */
import { Option, type Command } from 'commander';
import { verdictAtLeast } from '../../core/verdict.js';
import type { VerdictStatus } from '../../core/types.js';
import { formatProblem, formatVerdict } from '../../sinks/console.js';
import { FAIL_ON, type FailOn } from '../config.js';
import { examples, threadsOption, resolveShared, sharedOptions, type SharedFlags, type VerbContext } from '../options.js';
import { replay } from '../run-analysis.js';
import { AlertLog } from '../live.js';
import { ComponentNames, unseenTrueComponent } from '../true-component.js';
import { withUnjudgedJson } from '../unjudged-json.js';

/** Exit code of an audit stopped by SIGINT (Ctrl-C) before the end of its input: 128 + 2, as shells report it. */
export const INTERRUPTED = 130;

interface AuditFlags extends SharedFlags {
  readonly failOn?: FailOn;
  readonly json?: boolean;
  readonly jsonl?: string;
}

/** Whether a verdict fails the audit (see `FailOn`): collapse fails at either level. */
export function fails(status: VerdictStatus, failOn: FailOn): boolean {
  return failOn === 'warning' ? verdictAtLeast(status, 'warning') : verdictAtLeast(status, 'collapse');
}

export function registerAudit(program: Command, context: VerbContext): void {
  threadsOption(
    sharedOptions(
      program
        .command('audit')
        .description('Replay a finished run, judge all of it (not only its end) and exit non-zero when it is flagged.')
        .argument('<files...>', 'log file(s): goodhart JSONL, TRL or verl logs; several = one per rank, merged by step')
        .addOption(
          new Option('--fail-on <level>', 'exit 1 at: hacking = hacking or collapse; warning = any verdict but healthy').choices(FAIL_ON),
        )
        .option('--json', 'print one JSON object: verdict, firstFlaggedStep, reasons, events, steps, problems (on exit 2: verdict null, error)')
        .option('--jsonl <file>', 'also write every alert and the verdicts to a goodhart JSONL file'),
    ),
  )
    .addHelpText(
      'after',
      examples([
        'goodhart audit run.jsonl                      # exit 0 healthy/warning, 1 hacking/collapse, 2 unreadable, 130 interrupted',
        'goodhart audit trainer_state.json --fail-on warning',
        'goodhart audit rank0.jsonl rank1.jsonl --json | jq .verdict',
      ]) +
        '\nMalformed lines are counted and reported as problems (file:line: reason), never fatal; a file with no record\n' +
        'in it at all (empty, cut short, read as the wrong --format) is unreadable: exit 2 (--json: "verdict": null, "error").\n' +
        'Ctrl-C stops the replay: what was read so far is reported (--json: "interrupted": true) and the exit code is 130.\n',
    )
    .action(async (files: string[], flags: AuditFlags) => {
      await withUnjudgedJson(flags.json, context.io, () => audit(files, flags, context));
    });
}

/** The audit proper: replays `files`, judges them, prints the result and sets the exit code. */
async function audit(files: readonly string[], flags: AuditFlags, context: VerbContext): Promise<void> {
  const { io } = context;
  const shared = await resolveShared(flags, io);
  const failOn = flags.failOn ?? shared.config.failOn ?? 'hacking';
  const log = new AlertLog(flags.jsonl === undefined ? undefined : shared.path(flags.jsonl), context);
  // A configured true component is checked against the components the run names (only then: it
  // costs a look at every record).
  const trueComponent = shared.config.trueComponent;
  const components = trueComponent === undefined ? undefined : new ComponentNames();
  const tally = await replay(files.map(shared.path), shared, context, {
    onItem: (item) => {
      log.item(item);
      if (item.kind === 'event') components?.event(item.event);
      else if (item.kind === 'step') components?.record(item.record);
    },
  });
  const unseen = components === undefined ? undefined : unseenTrueComponent(trueComponent, components.sorted());
  if (unseen !== undefined) io.stderr(unseen);
  // Ctrl-C stops the replay (run-analysis `consume`): report what was read, but never let a
  // partial run pass for a judged one in CI.
  const interrupted = io.signal?.aborted === true;
  const verdict = tally.verdict();
  await log.close(verdict);
  const failed = fails(verdict.status, failOn);
  if (flags.json === true) {
    io.stdout(
      `${JSON.stringify({
        verdict: verdict.status,
        firstFlaggedStep: verdict.firstFlaggedStep ?? null,
        worstSince: verdict.worstSince ?? null,
        current: verdict.current ?? verdict.status,
        reasons: verdict.reasons.map((reason) => ({
          detector: reason.detector,
          metric: reason.metric,
          severity: reason.severity,
          signal: reason.signal,
          since: reason.since,
          message: reason.message,
          ...(reason.tag === undefined ? {} : { tag: reason.tag }),
        })),
        events: tally.events,
        steps: tally.steps,
        lastStep: tally.lastStep ?? null,
        alerts: tally.alertCount,
        problems: tally.problems,
        firstProblems: tally.firstProblems,
        failOn,
        failed,
        interrupted,
      })}\n`,
    );
  } else {
    if (!shared.quiet) {
      for (const problem of tally.firstProblems) io.stderr(`input problem: ${formatProblem(problem)}`);
      if (tally.problems > tally.firstProblems.length) {
        io.stderr(`... and ${tally.problems - tally.firstProblems.length} more input problems\n`);
      }
      io.stdout(
        `read ${tally.events} events, ${tally.steps} step records` +
          `${tally.problems > 0 ? `, ${tally.problems} input problems` : ''}; ${tally.alertCount} alerts\n`,
      );
    }
    io.stdout(formatVerdict(verdict, { color: shared.colorOut }));
  }
  if (interrupted) {
    io.stderr(`goodhart: interrupted: the verdict covers only the ${tally.events} events and ${tally.steps} step records read so far\n`);
  }
  context.exit(interrupted ? INTERRUPTED : failed ? 1 : 0);
}
