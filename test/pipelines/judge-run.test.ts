import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleDetectors } from '../../operators/sample-detectors.js';
import { judge } from '../../src/core/verdict.js';
import { judgeRun } from '../../src/pipelines/judge-run.js';
import { simulate } from '../../src/sim/index.js';
import { fromFile } from '../../src/sources/from-file.js';
import { realdata } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'goodhart-judge-run-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('judgeRun', () => {
  it('should judge a whole simulated run with the same verdict as judge() over sampleDetectors', async () => {
    const items = [...simulate({ seed: 2, steps: 90, hack: { pattern: 'mode-collapse', atStep: 60 } })];
    const result = await judgeRun(from(items), { maxLength: 1024 });
    const alerts = await lastValueFrom(from(items).pipe(sampleDetectors({ maxLength: 1024 }), toArray()));
    expect(result.alerts).toEqual(alerts);
    expect(result.verdict).toEqual(judge(alerts));
    expect(result.verdict.status).toBe('hacking');
    expect(result.events).toBe(90 * 64);
    expect(result.records).toBe(90);
    expect(result.problemCount).toBe(0);
  });

  it('should keep the healthy real negative control healthy and count its records', async () => {
    const result = await judgeRun(fromFile(realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log')));
    expect(result.verdict.status).toBe('healthy');
    expect(result.events).toBe(0);
    expect(result.records).toBeGreaterThan(100);
  });

  it('should keep an R1-zero style TRL run healthy: answers grow 2-3x while a lone accuracy reward climbs and saturates, logged every 10 steps', async () => {
    // A verifier-only reward (reward = accuracy_reward) cannot pay for length: the drift is info, and
    // a saturating accuracy beside it is not "reward pinned high while length rose" (no hacking).
    const logHistory = Array.from({ length: 30 }, (_, i) => {
      const accuracy = 0.58 - 0.3 * Math.exp(-i / 7) + 0.008 * Math.sin(1.7 * i);
      return {
        step: 10 * (i + 1),
        reward: accuracy,
        reward_std: 0.35,
        'rewards/accuracy_reward/mean': accuracy,
        'rewards/accuracy_reward/std': 0.49,
        'completions/mean_length': 500 * (1 + (2 * i) / 29) + 15 * Math.cos(2.3 * i),
        'completions/clipped_ratio': 0,
        kl: 0.02 + 0.001 * i,
        entropy: 0.6,
        loss: 0.001,
        learning_rate: 1e-6,
      };
    });
    const file = join(dir, 'trainer_state.json');
    writeFileSync(file, JSON.stringify({ global_step: 300, log_history: logHistory }));
    const result = await judgeRun(fromFile(file));
    expect(result.records).toBe(30);
    expect(result.alerts.some((a) => a.detector === 'distributionDrift' && a.message.includes('the reward is accuracy_reward alone'))).toBe(true);
    expect(result.verdict.status).not.toBe('hacking');
    expect(result.alerts.filter((a) => a.detector === 'distributionDrift' && a.severity !== 'info')).toEqual([]);
  });

  it('should count bad lines as problems, keep the first keepProblems, and judge the good records', async () => {
    const lines: string[] = [];
    for (let step = 0; step < 30; step++) {
      lines.push(JSON.stringify({ step, reward: step % 2, response: `answer ${String(step)}` }));
      if (step % 10 === 0) lines.push('{"step": oops');
    }
    const file = join(dir, 'run.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await judgeRun(fromFile(file), { keepProblems: 2 });
    expect(result.problemCount).toBe(3);
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]?.line).toBe(2);
    expect(result.events).toBe(30);
    expect(result.verdict.status).toBe('healthy');
  });

  it('should reject when the source errors (an unreadable file) and throw on bad config', async () => {
    await expect(judgeRun(fromFile(join(dir, 'missing.jsonl')))).rejects.toThrow();
    expect(() => judgeRun(from([]), { keepProblems: -1 })).toThrow(RangeError);
    expect(() => judgeRun(from([]), { verdict: { proxyHorizon: -1 } })).toThrow(RangeError);
    expect(() => judgeRun(from([]), { repetition: 'on' as unknown as false })).toThrow(TypeError);
  });
});
