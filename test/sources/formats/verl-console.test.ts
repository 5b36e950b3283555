import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../src/core/metric-names.js';
import { verlConsole } from '../../../src/sources/formats/verl-console.js';
import { realdata } from '../../support/paths.js';
import { atStep, problemsOf, runFile, runLines, stepsOf, trainAt } from './run-format.js';

// Expected values read with a throwaway Python script (strip ANSI and the Ray prefix, split ' - ').
describe('verlConsole on the real length-explosion log (gpg, Qwen2-7B)', () => {
  it('reads 211 step lines, steps 0..210, with no problems', async () => {
    const items = await runFile(verlConsole, realdata('verl-gpg_qwen2-7b_math_length_explosion.log'));
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: 211 }, (_, i) => i));
  });

  it('shows the length drift: response_length/mean 217.9 at 155, 233.5 at 156, 610.9 at 165', async () => {
    const records = stepsOf(await runFile(verlConsole, realdata('verl-gpg_qwen2-7b_math_length_explosion.log')));
    expect([155, 156, 165].map((s) => trainAt(records, s).metrics[METRIC.lengthMean])).toEqual([217.897, 233.521, 610.866]);
    expect([155, 156, 165].map((s) => trainAt(records, s).raw?.['response_length/mean'])).toEqual([217.897, 233.521, 610.866]);
    expect(trainAt(records, 165).metrics[METRIC.lengthClipRatio]).toBe(0.406);
    expect(trainAt(records, 100).metrics[METRIC.rewardMean]).toBe(0.915);
    expect(trainAt(records, 100).raw?.['critic/score/mean']).toBe(0.915);
    expect(trainAt(records, 1).metrics[METRIC.entropy]).toBe(0.354);
    expect(trainAt(records, 210).raw?.['actor/entropy']).toBe(0.012);
    // validation logged on the same line as training keeps its raw key
    expect(trainAt(records, 100).raw?.['val-core/openai/gsm8k/reward/mean@1']).toBe(0.87);
  });
});

describe('verlConsole on the real healthy PPO log (gemma-2-2b, older key names)', () => {
  it('reads 107 step lines over 106 steps (step 0 twice: test score, then training)', async () => {
    const items = await runFile(verlConsole, realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log'));
    const records = stepsOf(items);
    expect(problemsOf(items)).toEqual([]);
    expect(records).toHaveLength(107);
    expect(new Set(records.map((r) => r.step)).size).toBe(106);
    const step0 = atStep(records, 0);
    expect(step0.map((r) => Object.keys(r.raw ?? {}).length)).toEqual([1, 40]);
    expect(step0[0]?.raw?.['test_score/openai/gsm8k']).toBe(0.521);
  });

  it('reads critic/kl, actor/lr(1e-4) and critic/score/mean at named steps', async () => {
    const records = stepsOf(await runFile(verlConsole, realdata('verl-ppo_gemma-2-2b_gsm8k_healthy.log')));
    const s100 = trainAt(records, 100);
    expect(s100.raw?.['critic/kl']).toBe(0.119);
    expect(s100.metrics[METRIC.kl]).toBe(0.119);
    expect(s100.raw?.['actor/lr(1e-4)']).toBe(0.01);
    expect(s100.metrics[METRIC.rewardMean]).toBe(0.693);
    expect(trainAt(records, 105).metrics[METRIC.rewardMean]).toBe(0.682);
    expect(trainAt(records, 105).raw?.['actor/entropy_loss']).toBe(0.149);
  });
});

describe('verlConsole on bad and unusual input', () => {
  const ESC = '\u001b';
  it('strips colours and Ray prefixes, treats other lines as noise', () => {
    const text = [
      `${ESC}[36m(TaskRunner pid=12, ip=10.0.0.2)${ESC}[0m step:3 - critic/score/mean:0.500 - actor/lr(1e-4):0.010`,
      'trainer.total_training_steps: 200 step: not a metric line',
      `${ESC}[33m(raylet)${ESC}[0m A worker died`,
      'step:4 - critic/score/mean:nan - response_length/mean:120.000',
    ].join('\n');
    const items = runLines(verlConsole, text);
    expect(problemsOf(items)).toEqual([]);
    const records = stepsOf(items);
    expect(records.map((r) => [r.step, r.metrics[METRIC.rewardMean]])).toEqual([[3, 0.5], [4, undefined]]);
    expect(records[0]?.raw).toEqual({ 'critic/score/mean': 0.5, 'actor/lr(1e-4)': 0.01 });
    expect(records[1]?.missing).toBe(1);
  });

  it('reports broken and non-numeric pairs by line and keeps the good pairs of that step', () => {
    const text = [
      'step:1 - critic/score/mean:0.400',
      '(main_task pid=9) step:2 - critic/score/mean:0.450 - response_length/mea - actor/entropy:high - :3',
      'step:3 - critic/score/mean:0.470',
    ].join('\n');
    const items = runLines(verlConsole, text, 'verl.log');
    expect(stepsOf(items).map((r) => [r.step, r.raw])).toEqual([
      [1, { 'critic/score/mean': 0.4 }],
      [2, { 'critic/score/mean': 0.45 }],
      [3, { 'critic/score/mean': 0.47 }],
    ]);
    expect(problemsOf(items)).toEqual([
      {
        source: 'verl.log',
        line: 2,
        reason: 'step 2: malformed key:value pairs "response_length/mea", "actor/entropy:high", ":3"',
        // the line's first 80 characters (sources/excerpt)
        excerpt: '(main_task pid=9) step:2 - critic/score/mean:0.450 - response_length/mea - actor…',
      },
    ]);
  });

  it('reports a step line with no pairs at all', () => {
    const items = runLines(verlConsole, 'step:6 - critic/score/mean:0.6\nstep:7 - \nstep:8');
    expect(stepsOf(items).map((r) => r.step)).toEqual([6]);
    expect(problemsOf(items).map((p) => [p.line, p.reason])).toEqual([
      [2, 'step 7: no key:value pairs'],
      [3, 'step 8: no key:value pairs'],
    ]);
  });
});
