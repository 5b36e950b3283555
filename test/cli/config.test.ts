import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeConfig, loadConfig } from '../../src/cli/config.js';

/** The error message of a config, or 'ok'. */
const error = (value: unknown): string => {
  const decoded = decodeConfig(value);
  return E.isLeft(decoded) ? decoded.left.message : 'ok';
};

describe('decodeConfig: detector names', () => {
  it('takes the operator names alerts carry as well as the pipeline slot names', () => {
    for (const name of ['meanShift', 'trend', 'spike', 'distributionDrift', 'groupCollapseFromSteps', 'formatGaming']) {
      expect(error({ detectors: { [name]: false } }), name).toBe('ok');
    }
    for (const name of ['rewardShift', 'lengthShift', 'klTrend', 'entropyDecline', 'gradNormSpike', 'lengthDrift', 'groupCollapse']) {
      expect(error({ detectors: { [name]: false } }), name).toBe('ok');
    }
  });

  it('rejects an unknown name, listing each known name once by kind, with the closest one when close', () => {
    const message = error({ detectors: { nope: {} } });
    expect(message).toMatch(/^field "detectors\.nope": no such detector; known: by operator, as alerts name them: repetition, .*meanShift, .*; by pipeline slot: .*rewardShift/);
    const names = message.slice(message.indexOf('known: ')).replace(/by operator, as alerts name them: |by pipeline slot: |known: /g, '').split(/[,;] /);
    expect(names.length).toBe(new Set(names).size);
    expect(names).toEqual(expect.arrayContaining(['meanShift', 'trend', 'spike', 'distributionDrift', 'rewardShift', 'klTrend', 'lengthDrift', 'groupCollapse']));
    expect(error({ detectors: { meanShiftt: {} } })).toMatch(/^field "detectors\.meanShiftt": no such detector \(did you mean meanShift\?\)/);
  });
});

describe('decodeConfig: unknown keys', () => {
  it('rejects a misspelt setting inside a detector, suggesting the close one', () => {
    expect(error({ detectors: { repetition: { threshhold: 0.6 } } })).toMatch(
      /^field "detectors\.repetition\.threshhold": no such setting of repetition \(did you mean threshold\?\); known: .*threshold/,
    );
    expect(error({ detectors: { formatGaming: { maxRate: 0.3, tagz: ['a'] } } })).toMatch(/^field "detectors\.formatGaming\.tagz": .*did you mean tags\?/);
    expect(error({ detectors: { trend: { z: 5, hysteresis: { clearafter: 4 } } } })).toMatch(
      /^field "detectors\.trend\.hysteresis\.clearafter": no such hysteresis setting \(did you mean clearAfter\?\)/,
    );
    // A setting of another detector is no setting of this one; nothing close: no suggestion.
    expect(error({ detectors: { formatGaming: { threshold: 0.3 } } })).toMatch(/^field "detectors\.formatGaming\.threshold": no such setting of formatGaming; known: /);
  });

  it('takes loggingSteps as a positive integer only', () => {
    expect(error({ inputFormat: 'trl-stdout', loggingSteps: 5 })).toBe('ok');
    for (const bad of [0, 2.5, '5']) expect(error({ loggingSteps: bad })).toMatch(/^field "loggingSteps": expected a positive integer, got /);
  });

  it('rejects unknown top-level and verdict fields the same way', () => {
    expect(error({ sensitivty: 'low' })).toMatch(/^field "sensitivty": no such setting \(did you mean sensitivity\?\); known: inputFormat, /);
    expect(error({ verdict: { proxyHorizn: 5 } })).toBe('field "verdict.proxyHorizn": no such verdict setting (did you mean proxyHorizon?); known: proxyHorizon');
  });

  it('takes every setting a detector documents, by operator and by slot', () => {
    expect(
      error({
        trueComponent: 'correctness',
        detectors: {
          meanShift: { h: 8, warmup: 30 },
          rewardShift: { direction: 'up' },
          trend: { z: 5, persistence: 3, hysteresis: { clearAfter: 4 } },
          repetition: { threshold: 0.6, window: 256 },
          formatGaming: { tags: ['think', 'answer'], maxRate: 0.2 },
          lengthDrift: { alpha: 0.01 },
          groupCollapse: { zeroStdFrac: 0.9 },
          componentDominance: { cheap: ['format'] },
        },
      }),
    ).toBe('ok');
  });
});

describe('decodeConfig: values the detectors reject', () => {
  it('names the setting and gives the detector’s reason', () => {
    expect(error({ detectors: { repetition: { threshold: 'high' } } })).toBe('field "detectors.repetition.threshold": repetition threshold must lie in (0, 1], got high');
    expect(error({ detectors: { rewardShift: { h: 'x' } } })).toMatch(/^field "detectors\.rewardShift\.h": meanShift h must be/);
    expect(error({ detectors: { spike: { z: -1 } } })).toMatch(/^field "detectors\.spike\.z": /);
    // Only the pair is wrong: the detector is named.
    expect(error({ detectors: { groupCollapseFromSteps: { floor: 1, ceiling: 0 } } })).toMatch(/^field "detectors\.groupCollapseFromSteps": .*ceiling must be above floor/);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'goodhart-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the file in every error: unreadable, not JSON, bad shape, unknown name or key, rejected value', async () => {
    const cases: [string, string, RegExp][] = [
      ['json.json', '{not json', /not valid JSON/],
      ['name.json', '{"detectors":{"nope":{}}}', /field "detectors\.nope": no such detector/],
      ['key.json', '{"detectors":{"repetition":{"threshhold":0.6}}}', /field "detectors\.repetition\.threshhold": .*did you mean threshold/],
      ['value.json', '{"detectors":{"repetition":{"threshold":"high"}}}', /field "detectors\.repetition\.threshold": repetition threshold must lie/],
      ['shape.json', '{"detectors":{"meanShift":3}}', /field "detectors\.meanShift": expected an object of settings or false, got number 3/],
    ];
    for (const [name, text, reason] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const loaded = await loadConfig(path);
      expect(E.isLeft(loaded), name).toBe(true);
      if (E.isLeft(loaded)) {
        expect(loaded.left.startsWith(`${path}: `), loaded.left).toBe(true);
        expect(loaded.left).toMatch(reason);
      }
    }
    const missing = await loadConfig(join(dir, 'missing.json'));
    expect(E.isLeft(missing) && missing.left).toMatch(/missing\.json: cannot read config \(ENOENT\)/);
  });
});
