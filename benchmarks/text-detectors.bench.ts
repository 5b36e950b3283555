/**
 * text-detectors: the four text detectors (repetition, diversityCollapse, formatGaming,
 * degenerateOutputs) over one shared in-memory source of simulated events with ~500-character
 * responses, against the shared one-pass text analysis alone in a plain loop (the floor of what
 * they must do) and against each detector re-scanning the text on its own (what the shared memo
 * saves). Target: the text detectors together cost <= ~5 µs per event, so the default sample
 * pipeline can reach >= 150,000 events/s on one core (issue 3).
 */
import { connectable, from, merge, Subject, type Observable } from 'rxjs';
import { degenerateOutputs } from '../operators/degenerate-outputs.js';
import { diversityCollapse } from '../operators/diversity-collapse.js';
import { formatGaming } from '../operators/format-gaming.js';
import { repetition } from '../operators/repetition.js';
import type { RewardEvent } from '../src/core/types.js';
import { analyzeText, TextAnalyzer } from '../src/detectors/text-features.js';
import { simulate } from '../src/sim/simulate.js';
import { fmt, time, type Table } from './harness.js';

const EVENTS = 64 * 400;
const RUNS = 5;

function events(): RewardEvent[] {
  const out: RewardEvent[] = [];
  for (const item of simulate({ seed: 1, steps: EVENTS / 64, meanLength: 125, policyMetrics: false })) {
    if (item.kind === 'event') out.push(item.event);
  }
  return out;
}

/** Fresh event objects per run, so the memo cannot carry results from one run to the next. */
const copies = (source: readonly RewardEvent[]): RewardEvent[] => source.map((e) => ({ ...e }));

function drain(observable: Observable<unknown>): number {
  let count = 0;
  observable.subscribe(() => count++);
  return count;
}

export function run(): Table[] {
  const base = events();
  const chars = base.reduce((sum, e) => sum + (e.response?.length ?? 0), 0) / base.length;
  const analyzer = new TextAnalyzer();
  const rows: { name: string; ns: number }[] = [];

  rows.push({
    name: 'shared text pass alone (analyzeText, plain loop)',
    ns: time(() => {
      let sum = 0;
      for (const e of base) sum += analyzeText(e.response ?? '', analyzer).repetition;
      return sum;
    }, base.length, RUNS).nsPerEvent,
  });
  const detectors = {
    repetition: () => repetition(),
    diversityCollapse: () => diversityCollapse(),
    formatGaming: () => formatGaming(),
    degenerateOutputs: () => degenerateOutputs({ lengthCap: 1024 }),
  };
  for (const [name, make] of Object.entries(detectors)) {
    rows.push({ name: `${name} alone (rxjs)`, ns: time(() => drain(from(copies(base)).pipe(make())), base.length, RUNS).nsPerEvent });
  }
  const copyCost = time(() => copies(base).length, base.length, RUNS).nsPerEvent;
  rows.push({ name: '(copying the events, included above and below)', ns: copyCost });
  rows.push({
    name: 'all four, one connectable source (rxjs, text pass shared)',
    ns: time(() => {
      // connectable, not share(): with a synchronous source, share() would replay the whole
      // array to each detector in turn, and no two detectors would see an event together.
      const source = connectable(from(copies(base)), { connector: () => new Subject<RewardEvent>(), resetOnDisconnect: false });
      const all = merge(...Object.values(detectors).map((make) => source.pipe(make())));
      let count = 0;
      all.subscribe(() => count++);
      source.connect();
      return count;
    }, base.length, RUNS).nsPerEvent,
  });
  const target = 1e9 / 150_000;
  return [
    {
      suite: 'text-detectors',
      title: `Text detectors, ${base.length.toLocaleString('en')} simulated events, ${Math.round(chars)} characters per response (median of ${RUNS} runs)`,
      header: ['variant', 'per event', 'events/s'],
      rows: rows.map((r) => ({ name: r.name, cells: [fmt.ns(r.ns), `${Math.round(1e9 / r.ns).toLocaleString('en')}/s`] })),
      notes: [
        `Budget: the whole default sample pipeline at >= 150,000 events/s is ${fmt.ns(target)} per event, of which ~5 µs for text work.`,
      ],
    },
  ];
}
