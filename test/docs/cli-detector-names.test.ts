import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDetectors } from '../../src/cli/detect.js';
import { repoRoot } from '../support/paths.js';

// docs/cli.md tells users which names goodhart.config.json's `detectors` takes: its table must
// list every detector the default set runs, under the names alerts carry and the slot it fills.
describe('docs/cli.md detector names', () => {
  it('lists every detector of the default set with its operator, slot and metric', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8');
    const table = /### Detector names[\s\S]*?\n(\| operator[\s\S]*?)\n\n/.exec(doc)?.[1] ?? '';
    const rows = table
      .split('\n')
      .slice(2)
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    const detectors = defaultDetectors({});
    for (const { detector, slot, metric } of detectors) {
      const row = rows.find((cells) => cells[0] === `\`${detector}\`` && cells[1]!.includes(`\`${slot}\``) && cells[2]!.includes(`\`${metric}\``));
      expect(row, `${detector} ${slot} ${metric}`).toBeDefined();
    }
    expect(rows.map((cells) => cells[0])).toEqual([...new Set(detectors.map((d) => `\`${d.detector}\``))]);
  });
});
