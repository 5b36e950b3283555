import { describe, expect, it } from 'vitest';
import { pipelineConfig } from '../../src/cli/config-detectors.js';
import { defaultDetect, defaultDetectors } from '../../src/cli/detect.js';
import { UsageError } from '../../src/cli/options.js';

describe('pipelineConfig (goodhart.config.json -> sampleDetectors config)', () => {
  it('routes each detector to its sample or step slot and the shortcuts to their detectors', () => {
    expect(
      pipelineConfig({
        sensitivity: 'low',
        maxLength: 512,
        formatPreset: 'thinkAnswer',
        formatTags: ['think', 'answer'],
        detectors: { repetition: false, rewardShift: { h: 6 }, formatGaming: { minRate: 0.3 } },
      }),
    ).toEqual({
      sensitivity: 'low',
      maxLength: 512,
      format: 'thinkAnswer',
      repetition: false,
      formatGaming: { tags: ['think', 'answer'], minRate: 0.3 },
      steps: { rewardShift: { h: 6 } },
    });
  });

  it('leaves a switched-off formatGaming off', () => {
    expect(pipelineConfig({ formatTags: ['answer'], detectors: { formatGaming: false } })).toEqual({ formatGaming: false });
  });

  it('applies an operator name (as alerts give it) to every slot of that operator', () => {
    expect(pipelineConfig({ detectors: { meanShift: false } })).toEqual({ steps: { rewardShift: false, lengthShift: false } });
    expect(pipelineConfig({ detectors: { trend: { z: 5 } } })).toEqual({ steps: { klTrend: { z: 5 }, entropyTrend: { z: 5 }, entropyDecline: { z: 5 } } });
    expect(pipelineConfig({ detectors: { distributionDrift: false } })).toEqual({ lengthDrift: false, steps: { lengthDrift: false } });
    expect(pipelineConfig({ detectors: { groupCollapseFromSteps: false } })).toEqual({ steps: { groupCollapse: false } });
  });

  it('lets a slot name win over its operator name, and reach both twins of that name', () => {
    expect(pipelineConfig({ detectors: { meanShift: { h: 8 }, lengthShift: false } })).toEqual({ steps: { rewardShift: { h: 8 }, lengthShift: false } });
    expect(pipelineConfig({ detectors: { spike: { z: 5 }, klSpike: { hits: 3 } } })).toEqual({ steps: { klSpike: { z: 5, hits: 3 }, gradNormSpike: { z: 5 } } });
    expect(pipelineConfig({ detectors: { trend: false, klTrend: {} } })).toEqual({ steps: { klTrend: {}, entropyTrend: false, entropyDecline: false } });
    expect(pipelineConfig({ detectors: { lengthDrift: { alpha: 0.01 } } })).toEqual({ lengthDrift: { alpha: 0.01 }, steps: { lengthDrift: { alpha: 0.01 } } });
  });

  it('gives the true component to component dominance on samples and on trainer logs', () => {
    expect(pipelineConfig({ trueComponent: 'correctness' })).toEqual({
      componentDominance: { true: 'correctness' },
      steps: { componentDominance: { true: 'correctness' } },
    });
  });

  it('turns a setting the detectors reject into bad usage', () => {
    expect(() => defaultDetect({ detectors: { repetition: { threshold: -1 } } })).toThrow(UsageError);
  });
});

describe('defaultDetectors', () => {
  it('lists every detector the default set runs, by slot and by the name its alerts carry, twins with one name once', () => {
    const all = defaultDetectors({});
    expect(all).toContainEqual({ slot: 'rewardShift', detector: 'meanShift', metric: 'reward/mean' });
    expect(all).toContainEqual({ slot: 'klTrend', detector: 'trend', metric: 'kl' });
    expect(all).toContainEqual({ slot: 'lengthDrift', detector: 'distributionDrift', metric: 'length' });
    expect(all).toContainEqual({ slot: 'lengthDrift', detector: 'distributionDrift', metric: 'length/mean' });
    expect(all).toContainEqual({ slot: 'groupCollapse', detector: 'groupCollapseFromSteps', metric: 'groups/zero_std_frac' });
    expect(all.filter((d) => d.detector === 'componentDominance')).toHaveLength(1);
    const off = defaultDetectors({ detectors: { meanShift: false, repetition: false } });
    expect(off.map((d) => d.detector)).not.toContain('meanShift');
    expect(off).toHaveLength(all.length - 3);
  });
});
