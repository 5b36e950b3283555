import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashCountTable, fmix32 } from '../../src/kernels/hash-count-table.js';

describe('HashCountTable', () => {
  it('counts, decrements and deletes keys (hand-computed)', () => {
    const table = new HashCountTable();
    expect(table.increment(1, 2)).toBe(1);
    expect(table.increment(1, 2)).toBe(2);
    expect(table.increment(2, 1)).toBe(1); // halves swapped: a different key
    expect(table.size).toBe(2);
    expect(table.count(1, 2)).toBe(2);
    expect(table.decrement(1, 2)).toBe(1);
    expect(table.decrement(1, 2)).toBe(0);
    expect(table.size).toBe(1);
    expect(table.count(1, 2)).toBe(0);
    expect(table.decrement(1, 2)).toBe(-1); // absent: unchanged
    expect(table.size).toBe(1);
  });

  it('treats keys as unsigned 32-bit halves', () => {
    const table = new HashCountTable();
    table.increment(-1, -2);
    expect(table.count(0xffffffff, 0xfffffffe)).toBe(1);
  });

  it('clears in O(1) by generation and stays correct after many clears', () => {
    const table = new HashCountTable(16);
    for (let round = 0; round < 1000; round++) {
      table.clear();
      expect(table.size).toBe(0);
      expect(table.count(round, 7)).toBe(0);
      expect(table.count(round - 1, 7)).toBe(0);
      table.increment(round, 7);
      table.increment(round, 7);
      expect(table.count(round, 7)).toBe(2);
    }
  });

  it('grows past its initial capacity and keeps every count', () => {
    const table = new HashCountTable(16);
    for (let key = 0; key < 5000; key++) table.increment(key, key * 3);
    for (let key = 0; key < 5000; key += 2) table.increment(key, key * 3);
    expect(table.size).toBe(5000);
    expect(table.capacity).toBeGreaterThanOrEqual(10_000);
    for (let key = 0; key < 5000; key++) expect(table.count(key, key * 3)).toBe(key % 2 === 0 ? 2 : 1);
  });

  it('rejects a bad capacity', () => {
    expect(() => new HashCountTable(0)).toThrow(RangeError);
    expect(() => new HashCountTable(1.5)).toThrow(RangeError);
  });

  it('fmix32 matches MurmurHash3 fmix32 reference values', () => {
    // Source: the published MurmurHash3_x86_32 test vectors (SMHasher; e.g. "" with seed 1 →
    // 0x514E28B7, seed 0xFFFFFFFF → 0x81F16F39). For an empty key the hash is h = seed, then
    // h ^= length (0), then fmix32(h), so those vectors are fmix32(1) and fmix32(0xFFFFFFFF).
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
  });

  it('agrees with a Map under random increments, decrements and clears (few distinct keys, so probe runs collide)', () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('inc' as const), hi: fc.integer({ min: 0, max: 1 }), lo: fc.integer({ min: 0, max: 20 }) }), weight: 6 },
      { arbitrary: fc.record({ kind: fc.constant('dec' as const), hi: fc.integer({ min: 0, max: 1 }), lo: fc.integer({ min: 0, max: 20 }) }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('clear' as const), hi: fc.constant(0), lo: fc.constant(0) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new HashCountTable(16);
        const oracle = new Map<string, number>();
        for (const { kind, hi, lo } of ops) {
          const key = `${hi}:${lo}`;
          if (kind === 'clear') {
            table.clear();
            oracle.clear();
          } else if (kind === 'inc') {
            const expected = (oracle.get(key) ?? 0) + 1;
            oracle.set(key, expected);
            expect(table.increment(hi, lo)).toBe(expected);
          } else {
            const current = oracle.get(key);
            if (current === undefined) {
              expect(table.decrement(hi, lo)).toBe(-1);
            } else {
              if (current === 1) oracle.delete(key);
              else oracle.set(key, current - 1);
              expect(table.decrement(hi, lo)).toBe(current - 1);
            }
          }
          expect(table.size).toBe(oracle.size);
        }
        for (let hi = 0; hi <= 1; hi++) for (let lo = 0; lo <= 20; lo++) expect(table.count(hi, lo)).toBe(oracle.get(`${hi}:${lo}`) ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every other key reachable while a half-full table is emptied in random order (clusters, wrap-around)', () => {
    const keys = fc.uniqueArray(fc.tuple(fc.nat(), fc.nat()), { minLength: 32, maxLength: 32, selector: ([hi, lo]) => `${hi}:${lo}` });
    fc.assert(
      fc.property(keys, fc.infiniteStream(fc.nat()), (pairs, picks) => {
        const table = new HashCountTable(64);
        for (const [hi, lo] of pairs) table.increment(hi, lo);
        expect(table.capacity).toBe(64); // load exactly 1/2: long probe runs, some wrapping
        const remaining = [...pairs];
        const pick = picks[Symbol.iterator]();
        while (remaining.length > 0) {
          const [hi, lo] = remaining.splice(pick.next().value % remaining.length, 1)[0]!;
          expect(table.decrement(hi, lo)).toBe(0);
          for (const [otherHi, otherLo] of remaining) expect(table.count(otherHi, otherLo)).toBe(1);
          expect(table.size).toBe(remaining.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
