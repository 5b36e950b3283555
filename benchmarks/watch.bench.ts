/**
 * watch(): what the wrapper costs per call over calling the reward function directly, sync and
 * async, with nobody subscribed (events are not built) and with a subscriber (one event per call).
 * Target (issue): <= 1 µs overhead per call.
 */
import { fmt, median, time, type Row, type Table } from './harness.js';
import { watch } from '../src/sources/watch.js';

const CALLS = 1_000_000;
const ASYNC_CALLS = 200_000;
const RUNS = 7;

const prompts = Array.from({ length: 64 }, (_, index) => `Question ${index}: what is ${index} * 7?`);
const completions = Array.from({ length: 64 }, (_, index) => `<reasoning>${'step '.repeat(index % 9)}</reasoning><answer>${index * 7}</answer>`);

function reward(prompt: string, completion: string): number {
  return completion.length > prompt.length ? 1 : 0.5;
}

function asyncReward(prompt: string, completion: string): Promise<number> {
  return Promise.resolve(completion.length > prompt.length ? 1 : 0.5);
}

function loop(fn: (prompt: string, completion: string) => number): () => number {
  return () => {
    let sum = 0;
    for (let call = 0; call < CALLS; call++) sum += fn(prompts[call & 63]!, completions[call & 63]!);
    return sum;
  };
}

async function timeAsync(fn: (prompt: string, completion: string) => Promise<number>): Promise<number> {
  const once = async (): Promise<number> => {
    let sum = 0;
    for (let call = 0; call < ASYNC_CALLS; call++) sum += await fn(prompts[call & 63]!, completions[call & 63]!);
    return sum;
  };
  await once();
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    await once();
    samples.push(Number(process.hrtime.bigint() - start) / ASYNC_CALLS);
  }
  return median(samples);
}

function row(name: string, direct: number, wrapped: number): Row {
  const overhead = wrapped - direct;
  return { name, cells: [fmt.ns(direct), fmt.ns(wrapped), fmt.ns(overhead), fmt.pass(overhead <= 1000)] };
}

export async function run(): Promise<Table[]> {
  const direct = time(loop(reward), CALLS, RUNS).nsPerEvent;
  const quiet = time(loop(watch(reward, { name: 'quiet' })), CALLS, RUNS).nsPerEvent;
  const observed = watch(reward, { name: 'observed' });
  let seen = 0;
  const subscription = observed.events$.subscribe(() => {
    seen++;
  });
  const listened = time(loop(observed), CALLS, RUNS).nsPerEvent;
  subscription.unsubscribe();
  if (seen < CALLS) throw new Error('watch bench: subscriber saw fewer events than calls');

  const asyncDirect = await timeAsync(asyncReward);
  const asyncObserved = watch(asyncReward, { name: 'async' });
  const asyncSubscription = asyncObserved.events$.subscribe();
  const asyncWrapped = await timeAsync(asyncObserved);
  asyncSubscription.unsubscribe();

  return [
    {
      suite: 'watch',
      title: 'watch(): overhead per call over calling the reward function directly (median of 7 runs)',
      header: ['case', 'direct ns/call', 'watched ns/call', 'overhead', '<= 1 µs'],
      rows: [
        row('sync, nobody subscribed', direct, quiet),
        row('sync, one subscriber (event built)', direct, listened),
        row('async (awaited), one subscriber', asyncDirect, asyncWrapped),
      ],
      notes: [`${CALLS.toLocaleString('en-US')} sync calls and ${ASYNC_CALLS.toLocaleString('en-US')} awaited async calls per run; (prompt, completion) reward over 64 distinct samples.`],
    },
  ];
}
