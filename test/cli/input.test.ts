// startsWithText: which replays get a worker thread for their text detectors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startsWithText, TEXT_PEEK_EVENTS } from '../../src/cli/input.js';
import type { Shared } from '../../src/cli/options.js';
import { simulate } from '../../src/sim/index.js';
import { ingestedRecord, writeJsonl, type JsonlRecord } from '../../src/sinks/jsonl.js';
import { realdata } from '../support/paths.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goodhart-input-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const shared: Shared = { format: undefined, loggingSteps: undefined, config: {}, quiet: true, colorOut: false, colorErr: false, path: (file) => file, threads: undefined };

/** A simulated run's records, with the responses of the first `bare` events removed. */
function records(bare: number): JsonlRecord[] {
  let events = 0;
  return Array.from(simulate({ seed: 2, steps: 4 }), (item) => {
    if (item.kind !== 'event' || events++ >= bare) return ingestedRecord(item)!;
    const { response: _response, ...rest } = item.event;
    return { type: 'event', record: rest };
  });
}

describe('startsWithText', () => {
  it('is true when one of the first events carries a response, false when none of them does', async () => {
    const text = join(dir, 'text.jsonl');
    const late = join(dir, 'late.jsonl');
    const edge = join(dir, 'edge.jsonl');
    await writeJsonl(text, records(0));
    await writeJsonl(late, records(TEXT_PEEK_EVENTS)); // text only from event 65 on
    await writeJsonl(edge, records(TEXT_PEEK_EVENTS - 1)); // event 64 has text
    expect(await startsWithText([text], shared)).toBe(true);
    expect(await startsWithText([late], shared)).toBe(false);
    expect(await startsWithText([edge], shared)).toBe(true);
    expect(await startsWithText([late, text], shared)).toBe(true); // several ranks: any of them
  });

  it('is false for trainer step logs and for a file it cannot read (the replay reports that)', async () => {
    expect(await startsWithText([realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log')], shared)).toBe(false);
    expect(await startsWithText([realdata('trl-grpo_multicomponent_trainer_state.json')], shared)).toBe(false);
    expect(await startsWithText([join(dir, 'missing.jsonl')], shared)).toBe(false);
  });

  it('counts a pipe as text: it cannot be read twice', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await startsWithText([fifo], shared)).toBe(true);
  });
});
