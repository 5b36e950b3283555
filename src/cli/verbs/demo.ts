/**
 * `goodhart demo`: a simulated GRPO run, healthy first, then a hack, with the alerts and the
 * verdict printed as they happen, paced in real time (one step per second at `--speed 1`) or
 * replayed at once with `--fast`. The dashboard plugs in through `CliIo.serveDashboard`.
 */
import { Option, type Command } from 'commander';
import { concatMap, defer, from, type Observable } from 'rxjs';
import { EXPECTED_VERDICT, HACK_PATTERNS, simulate, type HackPattern } from '../../sim/index.js';
import type { Ingested } from '../../sources/ingested.js';
import { formatNumber, formatVerdict } from '../../sinks/console.js';
import { ingestedRecord, JsonlSink, type JsonlSinkResult } from '../../sinks/jsonl.js';
import { analyze, RunTally } from '../analyze.js';
import { defaultSummarize } from '../detect.js';
import { dashboardOptions, LivePrinter, startDashboard, type DashboardFlags } from '../live.js';
import { examples, positiveInt, positiveNumber, resolveShared, sharedOptions, UsageError, type SharedFlags, type VerbContext } from '../options.js';
import { consume } from '../run-analysis.js';
import type { ResolvedIo } from '../io.js';

interface DemoFlags extends SharedFlags, DashboardFlags {
  readonly pattern: HackPattern;
  readonly steps: number;
  readonly hackAt?: number;
  readonly seed: number;
  readonly speed: number;
  readonly fast?: boolean;
  readonly out?: string;
}

/** Items grouped by trainer step, lazily (the simulator yields a step's events, then its record). */
export function* byStep(items: Iterable<Ingested>): Generator<Ingested[]> {
  let batch: Ingested[] = [];
  let step: number | undefined;
  for (const item of items) {
    const itemStep = item.kind === 'event' ? item.event.step : item.kind === 'step' ? item.record.step : step;
    if (step !== undefined && itemStep !== step && batch.length > 0) {
      yield batch;
      batch = [];
    }
    step = itemStep;
    batch.push(item);
  }
  if (batch.length > 0) yield batch;
}

/** The simulated run, one step every `stepMs` of wall time (all at once when `stepMs` is 0). */
export function pacedRun(items: Iterable<Ingested>, stepMs: number, io: ResolvedIo): Observable<Ingested> {
  return from(byStep(items)).pipe(
    concatMap((batch, index) =>
      index === 0 || stepMs === 0 ? from(batch) : defer(() => io.sleep(stepMs, io.signal)).pipe(concatMap(() => batch)),
    ),
  );
}

export function registerDemo(program: Command, context: VerbContext): void {
  sharedOptions(
    dashboardOptions(
      program
        .command('demo')
        .description('Simulate a GRPO run that turns to reward hacking and watch goodhart catch it live.')
        .addOption(new Option('--pattern <hack>', 'the hack to inject').choices(HACK_PATTERNS).default('format-gaming'))
        .option('--steps <n>', 'trainer steps (64 samples each)', positiveInt('--steps'), 150)
        .option('--hack-at <step>', 'step at which the hack starts (default: 60% of the run)', positiveInt('--hack-at'))
        .option('--seed <n>', 'simulator seed', positiveInt('--seed'), 1)
        .option('--speed <x>', 'steps per second', positiveNumber('--speed'), 1)
        .option('--fast', 'no pacing: replay the whole run at once')
        .option('--out <file.jsonl>', 'also write the simulated run as goodhart JSONL (then try `goodhart audit <file>`)'),
    ),
  )
    .addHelpText(
      'after',
      examples([
        'goodhart demo                                  # about 2.5 minutes, one step per second',
        'goodhart demo --fast --pattern verbosity',
        'goodhart demo --speed 5 --pattern repetition',
        'goodhart demo --fast --out run.jsonl && goodhart audit run.jsonl',
      ]) + `\nPatterns: ${HACK_PATTERNS.join(', ')}.\n`,
    )
    .action(async (flags: DemoFlags) => {
      const { io } = context;
      const shared = await resolveShared(flags, io);
      const hackAt = flags.hackAt ?? Math.round(flags.steps * 0.6);
      if (hackAt >= flags.steps) throw new UsageError(`--hack-at ${hackAt} must be before the last step (${flags.steps - 1})`);
      const simulation = { seed: flags.seed, steps: flags.steps, hack: { pattern: flags.pattern, atStep: hackAt } };
      const stepMs = flags.fast === true ? 0 : 1000 / flags.speed;
      io.stdout(
        `Simulating a GRPO run: ${flags.steps} steps of 64 samples (8 prompts x 8 completions), seed ${flags.seed}.\n` +
          `Healthy until step ${hackAt}, then the policy learns a "${flags.pattern}" hack.` +
          (stepMs > 0 ? ` One step every ${formatNumber(stepMs / 1000)} s (--fast to skip ahead).\n` : '\n'),
      );
      const sink =
        flags.out === undefined
          ? undefined
          : new JsonlSink(shared.path(flags.out), { onError: (error) => { io.stderr(`goodhart: cannot write ${flags.out ?? ''}: ${error.message}\n`); } });
      let written: JsonlSinkResult | undefined;
      const printer = new LivePrinter(context, shared);
      const tally = new RunTally(shared.config.verdict === undefined ? {} : { verdict: shared.config.verdict });
      const dashboard = await startDashboard(context, flags, shared);
      const reportEvery = Math.max(1, Math.round(flags.steps / 15));
      try {
        await consume(
          pacedRun(simulate(simulation), stepMs, io).pipe(
            analyze({
              detect: context.detect(shared.config),
              summarize: defaultSummarize(shared.config),
              ...(shared.config.verdict === undefined ? {} : { verdict: shared.config.verdict }),
            }),
          ),
          (item) => {
            tally.add(item);
            printer.item(item);
            dashboard.feed(item);
            if (sink !== undefined) {
              const record = item.kind === 'alert' ? ({ type: 'alert', record: item.alert } as const) : item.kind === 'summary' ? undefined : item.kind === 'verdict' ? ({ type: 'verdict', record: item.verdict } as const) : ingestedRecord(item);
              if (record !== undefined) sink.write(record);
            }
            if (item.kind === 'summary' && item.record.step % reportEvery === 0 && !shared.quiet) {
              const m = item.record.metrics;
              const fields = [['reward', m['reward/mean']], ['length', m['length/mean']], ['zero-std groups', m['groups/zero_std_frac']]] as const;
              io.stdout(`step ${item.record.step}: ${fields.filter(([, v]) => v !== undefined).map(([name, v]) => `${name} ${formatNumber(v!)}`).join(', ')}\n`);
            }
          },
          io.signal,
        );
      } catch (error) {
        await dashboard.close();
        throw error;
      } finally {
        written = await sink?.close();
      }
      const verdict = tally.verdict();
      io.stdout(`\nFinal ${formatVerdict(verdict, { color: shared.colorOut })}`);
      io.stdout(`(a sound detector set should say "${EXPECTED_VERDICT[flags.pattern]}" for ${flags.pattern})\n`);
      if (written?.error !== undefined) {
        // A full disk or a closed pipe is reported, never fatal to the run; but the file is not a run to audit.
        io.stderr(`goodhart: ${flags.out ?? ''} is incomplete: ${written.written} records handed to it before ${written.error.message}, ${written.dropped} not written\n`);
        context.exit(2);
      } else if (flags.out !== undefined) io.stdout(`Wrote the run to ${flags.out}: try  goodhart audit ${flags.out}\n`);
      if (dashboard.url !== undefined && io.stdoutIsTTY && io.signal !== undefined && !io.signal.aborted) {
        // A person is looking at the page: keep it up until they are done.
        io.stdout(`The dashboard stays up at ${dashboard.url} (Ctrl-C to exit).\n`);
        await new Promise<void>((resolve) => {
          io.signal?.addEventListener('abort', () => {
            resolve();
          }, { once: true });
        });
      }
      await dashboard.close();
    });
}
