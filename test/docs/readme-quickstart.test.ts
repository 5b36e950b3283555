import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

// The quickstart is type-checked as test/docs/readme-quickstart.check.ts (imports pointed at the
// sources); this keeps the README's copy identical, so the README never shows code that does not compile.
describe('README quickstart', () => {
  it('is the code that the type-check compiles', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const block = /## Quickstart\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const checked = readFileSync(join(repoRoot, 'test/docs/readme-quickstart.check.ts'), 'utf8')
      .split('\n')
      .slice(1)
      .join('\n')
      .replace("'../../src/index.js'", "'goodhart'")
      .replace("'../../operators/index.js'", "'goodhart/operators'");
    expect(block).toBe(checked);
  });
});
