import { describe, expect, it } from 'vitest';
import { defaultDetect, pipelineConfig } from '../../src/cli/detect.js';
import { UsageError } from '../../src/cli/options.js';

describe('pipelineConfig (goodhart.config.json -> sampleDetectors config)', () => {
  it('routes each detector to its sample or step slot and the shortcuts to their detectors', () => {
    expect(
      pipelineConfig({
        sensitivity: 'low',
        maxLength: 512,
        formatPreset: 'thinkAnswer',
        formatTags: ['think', 'answer'],
        detectors: { repetition: false, rewardShift: { threshold: 6 }, formatGaming: { minShare: 0.3 } },
      }),
    ).toEqual({
      sensitivity: 'low',
      maxLength: 512,
      format: 'thinkAnswer',
      repetition: false,
      formatGaming: { tags: ['think', 'answer'], minShare: 0.3 },
      steps: { rewardShift: { threshold: 6 } },
    });
  });

  it('leaves a switched-off formatGaming off, and rejects unknown detector names listing the known ones', () => {
    expect(pipelineConfig({ formatTags: ['answer'], detectors: { formatGaming: false } })).toEqual({ formatGaming: false });
    expect(() => pipelineConfig({ detectors: { meanShiftt: {} } })).toThrow(UsageError);
    expect(() => pipelineConfig({ detectors: { meanShiftt: {} } })).toThrow(/detectors\.meanShiftt": no such detector \(known: repetition, .*rewardShift/);
  });

  it('turns a setting the detectors reject into bad usage', () => {
    expect(() => defaultDetect({ detectors: { repetition: { threshold: -1 } } })).toThrow(UsageError);
  });
});
