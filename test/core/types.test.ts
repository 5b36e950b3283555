import { describe, expect, it } from 'vitest';
import { severityRank } from '../../src/core/types.js';

describe('severityRank', () => {
  it('orders info < warning < critical', () => {
    expect(severityRank.info).toBeLessThan(severityRank.warning);
    expect(severityRank.warning).toBeLessThan(severityRank.critical);
  });
});
