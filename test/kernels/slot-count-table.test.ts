import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotCountTable } from '../../src/kernels/slot-count-table.js';

describe('SlotCountTable', () => {
  it('counts by key and releases by slot (hand-computed)', () => {
    const table = new SlotCountTable();
    expect(table.reserve(3)).toBe(false);
    const a = table.add(1, 2);
    expect(table.add(1, 2)).toBe(a);
    const b = table.add(2, 1); // halves swapped: a different key
    expect(b).not.toBe(a);
    expect(table.size).toBe(2);
    expect(table.count(1, 2)).toBe(2);
    expect(table.countAt(a)).toBe(2);
    expect(table.slotOf(1, 2)).toBe(a);
    expect(table.release(a)).toBe(1);
    expect(table.count(1, 2)).toBe(1);
    expect(table.release(a)).toBe(0);
    expect(table.count(1, 2)).toBe(0);
    expect(table.slotOf(1, 2)).toBe(-1); // a tombstone is not a slot of a counted key
    expect(table.slotOf(9, 9)).toBe(-1);
    expect(table.countAt(a)).toBe(0);
    expect(table.size).toBe(1);
    expect(table.count(2, 1)).toBe(1);
  });

  it('treats keys as unsigned 32-bit halves', () => {
    const table = new SlotCountTable();
    table.reserve(1);
    table.add(-1, -2);
    expect(table.count(0xffffffff, 0xfffffffe)).toBe(1);
  });

  it('keeps every slot in place until a rebuild, and maps them with movedTo after one', () => {
    const table = new SlotCountTable(32);
    expect(table.reserve(8)).toBe(false);
    const slots = Array.from({ length: 8 }, (_, key) => table.add(key, 7 * key));
    // Releasing some keys to zero and adding others moves no remaining key.
    table.release(slots[0]!);
    table.release(slots[3]!);
    expect(table.reserve(2)).toBe(false);
    table.add(100, 1);
    table.add(3, 21); // key 3 returns
    for (const key of [1, 2, 4, 5, 6, 7]) expect(table.add(key, 7 * key)).toBe(slots[key]);
    expect(table.size).toBe(8);
    // 32 slots hold ≤ 10 used: room for 200 more forces a rebuild into a bigger table.
    expect(table.reserve(200)).toBe(true);
    expect(table.capacity).toBeGreaterThanOrEqual(4 * (8 + 200));
    for (const key of [1, 2, 4, 5, 6, 7]) {
      const moved = table.movedTo(slots[key]!);
      expect(table.countAt(moved)).toBe(2);
      expect(table.add(key, 7 * key)).toBe(moved);
    }
    expect(table.count(100, 1)).toBe(1);
    expect(table.count(0, 0)).toBe(0);
  });

  it('clears every key', () => {
    const table = new SlotCountTable(16);
    table.reserve(5);
    for (let key = 0; key < 5; key++) table.add(key, key);
    table.clear();
    expect(table.size).toBe(0);
    for (let key = 0; key < 5; key++) expect(table.count(key, key)).toBe(0);
    table.reserve(1);
    expect(table.countAt(table.add(4, 4))).toBe(1);
  });

  it('rejects a bad capacity', () => {
    expect(() => new SlotCountTable(0)).toThrow(RangeError);
    expect(() => new SlotCountTable(1.5)).toThrow(RangeError);
  });

  it('matches a Map under sliding-window use, with heavy key reuse and hash collisions', () => {
    // Keys from a small alphabet recur, die and return (tombstones revived, reused and vacated);
    // keys whose halves differ only in bits the home slot ignores at small capacities collide.
    const key = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 1, 1 << 31));
    fc.assert(
      fc.property(
        fc.array(fc.array(key, { maxLength: 12 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        (batches, window) => {
          const table = new SlotCountTable(16);
          const model = new Map<string, number>();
          const ring: { slots: number[]; keys: string[] }[] = [];
          let mostLive = 0;
          for (const batch of batches) {
            if (table.reserve(batch.length)) {
              for (const held of ring) held.slots = held.slots.map((slot) => table.movedTo(slot));
            }
            const held = { slots: [] as number[], keys: [] as string[] };
            for (const [hi, lo] of batch) {
              held.slots.push(table.add(hi, lo));
              const name = `${hi}:${lo >>> 0}`;
              held.keys.push(name);
              model.set(name, (model.get(name) ?? 0) + 1);
            }
            ring.push(held);
            if (ring.length > window) {
              const oldest = ring.shift()!;
              for (const slot of oldest.slots) table.release(slot);
              for (const name of oldest.keys) {
                const left = model.get(name)! - 1;
                if (left === 0) model.delete(name);
                else model.set(name, left);
              }
            }
            expect(table.size).toBe(model.size);
            mostLive = Math.max(mostLive, model.size);
            for (const [name, count] of model) {
              const [hi, lo] = name.split(':').map(Number) as [number, number];
              expect(table.count(hi, lo)).toBe(count);
            }
            for (const slots of ring) for (const slot of slots.slots) expect(table.countAt(slot)).toBeGreaterThan(0);
          }
          // Rebuilds size the table to the live keys, not to every key ever seen.
          expect(table.capacity).toBeLessThanOrEqual(Math.max(16, 8 * (mostLive + 12)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
