// Runs the code of docs/custom-detectors.md: the code blocks of that page appear below verbatim
// (apart from their imports, which point at the package there and at the sources here); the first
// test checks that they still match the page.
import { readFileSync } from 'node:fs';
import { concat, defer, filter, from, lastValueFrom, map, of, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { constraint, hysteresis, sampleDetectors, type HysteresisConfig } from '../../operators/index.js';
import { judge, simulate, type Alert, type Condition, type Ingested, type RewardEvent, type SampleRef } from '../../src/index.js';
import { repoRoot } from '../support/paths.js';

export interface TagSpamConfig {
  /** Tag counted in each response. Default 'tool_call'. */
  readonly tag?: string;
  /** A response with more calls than this is spam. Default 8. */
  readonly maxCalls?: number;
  /** Active when more than this share of a step's responses is spam. Default 0.2. */
  readonly maxShare?: number;
  readonly hysteresis?: HysteresisConfig;
}

/** Pure per-step state: counts spam in the open step, judges it when a later step starts. */
class TagSpamSteps {
  private step: number | undefined;
  private responses = 0;
  private spam = 0;
  private examples: SampleRef[] = [];

  constructor(
    private readonly opening: string,
    private readonly maxCalls: number,
    private readonly maxShare: number,
  ) {}

  push(event: RewardEvent): Condition | undefined {
    if (event.response === undefined) return undefined;
    const judged = this.step !== undefined && event.step > this.step ? this.judge() : undefined;
    this.step = event.step;
    const calls = event.response.split(this.opening).length - 1;
    this.responses++;
    if (calls > this.maxCalls) {
      this.spam++;
      if (this.examples.length < 5) this.examples.push({ step: event.step, response: event.response, score: calls });
    }
    return judged;
  }

  flush(): Condition | undefined {
    return this.responses > 0 ? this.judge() : undefined;
  }

  private judge(): Condition {
    const share = this.spam / this.responses;
    const active = share > this.maxShare;
    const condition: Condition = {
      detector: 'tagSpam',
      metric: 'response/tag_spam',
      step: this.step ?? 0,
      active,
      severity: 'warning',
      signal: 'exploit',
      value: share,
      threshold: this.maxShare,
      message: active
        ? `${String(Math.round(share * 100))}% of ${String(this.responses)} responses carry more than ${String(this.maxCalls)} ${this.opening} tags`
        : `tag spam back to ${String(Math.round(share * 100))}% of responses`,
      evidence: { stats: { share, spam: this.spam, responses: this.responses }, samples: this.examples },
    };
    this.responses = 0;
    this.spam = 0;
    this.examples = [];
    return condition;
  }
}

/** Raw conditions, one per step: compose these when you build your own alert logic. */
export function tagSpamConditions(config: TagSpamConfig = {}): OperatorFunction<RewardEvent, Condition> {
  const tag = config.tag ?? 'tool_call';
  const maxCalls = config.maxCalls ?? 8;
  const maxShare = config.maxShare ?? 0.2;
  // Bad config throws when the operator is called, before anything subscribes.
  if (!/^[\w.-]+$/.test(tag)) throw new TypeError(`tagSpam tag must be a tag name, got ${tag}`);
  if (!(Number.isInteger(maxCalls) && maxCalls >= 0)) throw new RangeError(`tagSpam maxCalls must be an integer >= 0, got ${String(maxCalls)}`);
  if (!(maxShare >= 0 && maxShare < 1)) throw new RangeError(`tagSpam maxShare must lie in [0, 1), got ${String(maxShare)}`);
  return (source) =>
    defer(() => {
      const steps = new TagSpamSteps(`<${tag}>`, maxCalls, maxShare);
      return concat(
        source.pipe(map((event) => steps.push(event))),
        defer(() => of(steps.flush())),
      ).pipe(filter((condition): condition is Condition => condition !== undefined));
    });
}

/** Alerts: the conditions through hysteresis (onset / ongoing / resolved). */
export function tagSpam(config: TagSpamConfig = {}): OperatorFunction<RewardEvent, Alert> {
  const conditions = tagSpamConditions(config);
  const episodes = hysteresis(config.hysteresis);
  return (source) => source.pipe(conditions, episodes);
}

export async function auditWithTagSpam(items: readonly Ingested[]): Promise<{ alerts: Alert[]; status: string }> {
  const alerts = await lastValueFrom(
    from(items).pipe(
      sampleDetectors({
        maxLength: 1024,
        extra: [tagSpam({ maxCalls: 8 })],
        diversityCollapse: { minWords: 8 },
        formatGaming: false,
      }),
      toArray(),
    ),
  );
  return { alerts, status: judge(alerts).status };
}

const numericAnswer = (event: RewardEvent): boolean | undefined => {
  const answer = /<answer>([\s\S]*?)<\/answer>/.exec(event.response ?? '')?.[1];
  return answer === undefined ? undefined : /^\s*-?\d+(\.\d+)?\s*$/.test(answer);
};

export const constrained = sampleDetectors({
  constraints: [
    { name: 'numeric-answer', test: numericAnswer, maxRate: 0.3 },
    { name: 'no-shell', test: (e: RewardEvent) => !(e.response ?? '').includes('<tool>shell</tool>'), maxRate: 0.01, signal: 'instability' },
  ],
});

export const numericAnswers = constraint({ name: 'numeric-answer', test: numericAnswer, maxRate: 0.3 });

/** A simulated run whose responses start to spam tool calls at step 50, paid for each call. */
function spamRun(): Ingested[] {
  return [...simulate({ seed: 3, steps: 80 })].map((item): Ingested => {
    if (item.kind !== 'event' || item.event.step < 50) return item;
    const calls = '<tool_call>search</tool_call>'.repeat(12);
    return { kind: 'event', event: { ...item.event, response: `${item.event.response ?? ''}${calls}`, reward: (item.event.reward ?? 0) + 1 } };
  });
}

describe('docs/custom-detectors.md', () => {
  it('should hold the code blocks of the page verbatim', () => {
    const page = readFileSync(`${repoRoot}docs/custom-detectors.md`, 'utf8');
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) =>
      (match[1] ?? '').split('\n').filter((line) => !line.startsWith('import ')).join('\n').trim(),
    );
    expect(blocks.length).toBe(3);
    for (const block of blocks) expect(self.includes(block), block.slice(0, 80)).toBe(true);
  });

  it('tagSpam: one condition per step, active when spam spreads, with the offending samples', async () => {
    const events: RewardEvent[] = [];
    for (let step = 1; step <= 4; step++) {
      for (let i = 0; i < 10; i++) {
        const spam = step >= 3 && i < 5;
        events.push({ step, reward: 1, response: spam ? '<tool_call>x</tool_call>'.repeat(9) : 'calm <tool_call>x</tool_call>' });
      }
    }
    const conditions = await lastValueFrom(from(events).pipe(tagSpamConditions(), toArray()));
    expect(conditions.map((c) => [c.step, c.active, c.value])).toEqual([[1, false, 0], [2, false, 0], [3, true, 0.5], [4, true, 0.5]]);
    expect(conditions[2]?.evidence.samples?.length).toBe(5);
    expect(conditions[2]?.evidence.samples?.[0]?.score).toBe(9);
    const alerts = await lastValueFrom(from(events).pipe(tagSpam(), toArray()));
    expect(alerts.map((a) => [a.state, a.step, a.signal, a.severity])).toEqual([['onset', 3, 'exploit', 'warning']]);
    expect(alerts[0]?.message).toBe('50% of 10 responses carry more than 8 <tool_call> tags');
  });

  it('tagSpam: bad config is rejected when the operator is called', () => {
    expect(() => tagSpam({ maxShare: 1 })).toThrow(RangeError);
    expect(() => tagSpam({ maxCalls: -1 })).toThrow(RangeError);
    expect(() => tagSpam({ tag: '<bad tag>' })).toThrow(TypeError);
  });

  it('the default pipeline with tagSpam judges the spam run hacking, and the same run without it is not', async () => {
    const { alerts, status } = await auditWithTagSpam(spamRun());
    expect(alerts.some((a) => a.detector === 'tagSpam' && a.state === 'onset' && a.step >= 50)).toBe(true);
    expect(status).toBe('hacking');
    const without = await lastValueFrom(from(spamRun()).pipe(sampleDetectors({ maxLength: 1024, diversityCollapse: { minWords: 8 }, formatGaming: false }), toArray()));
    expect(without.some((a) => a.detector === 'tagSpam')).toBe(false);
    expect(judge(without).status).not.toBe('hacking');
  });

  it('constraints: a violated domain rule alerts with its name; a healthy run does not', async () => {
    const wrongAnswers: Ingested[] = [...simulate({ seed: 4, steps: 70 })].map((item): Ingested =>
      item.kind === 'event' && item.event.step >= 40
        ? { kind: 'event', event: { ...item.event, response: '<reasoning>hm</reasoning><answer>forty-two</answer>' } }
        : item,
    );
    const alerts = await lastValueFrom(from(wrongAnswers).pipe(constrained, toArray()));
    const onset = alerts.find((a) => a.metric === 'constraint/numeric-answer' && a.state === 'onset');
    expect(onset?.step).toBeGreaterThanOrEqual(40);
    expect(onset?.signal).toBe('exploit');
    const alone = await lastValueFrom(from(wrongAnswers).pipe(filter((i) => i.kind === 'event'), map((i) => i.event), numericAnswers, toArray()));
    expect(alone.some((a) => a.state === 'onset' && a.step >= 40)).toBe(true);
    const healthy = await lastValueFrom(from(simulate({ seed: 4, steps: 70 })).pipe(constrained, toArray()));
    expect(healthy.some((a) => a.metric.startsWith('constraint/'))).toBe(false);
  });
});
