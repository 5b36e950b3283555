import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreTopLevelConst } from '../../scripts/restore-const.js';
import { builtCli, ensureBuilt } from './built.js';

const bundle = [
  '// node_modules/some-lib/index.js',
  'var LIB_TABLE = [1, 2];',
  '// dist/src/kernels/tables.js',
  'var TABLE = new Int32Array(4);',
  'for (let i = 0; i < 4; i++) TABLE[i] = i;',
  'var LIMIT = 10;',
  'var counter = 0;',
  'function bump() { counter++; }',
  'var later = 1;',
  'function reset() { later = 0; }',
  'var pair = 1, other = 2;',
  'var unset;',
  'var [destructured] = [1];',
  'var swapped = 1;',
  '[swapped] = [2];',
  'var OBJECT = { size: 1 };',
  'OBJECT.size = 2;',
].join('\n');

describe('restoreTopLevelConst (scripts/restore-const.ts, run by npm run build)', () => {
  const { code, restored } = restoreTopLevelConst(bundle);
  const lines = code.split('\n');

  it('makes const the top-level bindings of our modules that are never assigned, writing into them allowed', () => {
    expect(lines).toContain('const TABLE=new Int32Array(4);');
    expect(lines).toContain('const LIMIT=10;');
    expect(lines).toContain('const OBJECT={ size: 1 };');
    expect(restored).toBe(3);
  });

  it('leaves var what is assigned anywhere, declared without a value or with several, and other modules', () => {
    for (const kept of ['var counter = 0;', 'var later = 1;', 'var swapped = 1;', 'var pair = 1, other = 2;', 'var unset;', 'var [destructured] = [1];', 'var LIB_TABLE = [1, 2];']) {
      expect(lines).toContain(kept);
    }
  });

  it('keeps every line its length, so the source map still points at each initializer', () => {
    expect(lines.map((line) => line.length)).toEqual(bundle.split('\n').map((line) => line.length));
  });

  it('leaves the built CLI with its tokenizer tables and shared buffer declared const', () => {
    ensureBuilt();
    const dir = dirname(builtCli);
    const chunks = readdirSync(dir).filter((name) => name.endsWith('.js')).map((name) => readFileSync(join(dir, name), 'utf8'));
    const tokenizer = chunks.find((text) => text.includes('function scanSharedAscii('));
    expect(tokenizer).toBeDefined();
    for (const name of ['SHARED_BYTES', 'ASCII_KEEP', 'ASCII_SEPARATOR', 'ASCII_INPUT_HI', 'ASCII_INPUT_LO']) {
      expect(tokenizer).toMatch(new RegExp(`^const ${name}=`, 'm'));
    }
  }, 120_000);
});
