import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedMerge } from '../../src/kernels/ordered-merge.js';

describe('OrderedMerge', () => {
  it('holds an item until the other lane has passed its index (hand-worked)', () => {
    const merge = new OrderedMerge<string>();
    merge.add(1, 5, 'main@5');
    merge.advance(1, 4);
    expect(merge.take()).toEqual([]); // lane 0 may still give an item at index 5, which goes first
    merge.advance(0, 4);
    expect(merge.take()).toEqual([]);
    merge.add(0, 5, 'text@5');
    expect(merge.take()).toEqual(['text@5']); // lane 1 reached 4: nothing of it can precede (5, 0)
    merge.advance(0, 5);
    expect(merge.take()).toEqual(['main@5']);
    merge.add(0, 7, 'text@7');
    expect(merge.take()).toEqual([]); // lane 1 may still give items at index 5 or 6
    merge.advance(1, 6);
    expect(merge.take()).toEqual(['text@7']);
    expect(merge.done).toBe(false);
  });

  it('puts the flushes (index Infinity) after every indexed item, lane 0 first, and ends', () => {
    const merge = new OrderedMerge<string>();
    merge.add(1, 2, 'main@2');
    merge.add(1, Infinity, 'main flush');
    merge.advance(1, Infinity);
    merge.advance(0, 9);
    expect(merge.take()).toEqual(['main@2']);
    merge.add(0, Infinity, 'text flush');
    expect(merge.done).toBe(false);
    merge.advance(0, Infinity);
    expect(merge.take()).toEqual(['text flush', 'main flush']);
    expect(merge.done).toBe(true);
  });

  it('rejects an item behind its lane', () => {
    const merge = new OrderedMerge<string>();
    merge.add(0, 3, 'a');
    expect(() => { merge.add(0, 2, 'b'); }).toThrow(RangeError);
    merge.advance(1, 7);
    expect(() => { merge.add(1, 7, 'c'); }).toThrow(/lane 1 item at index 7/);
  });

  it('releases exactly the sequential order, never early, whatever the timing of the two lanes (property)', () => {
    // Each item is (index, lane); the sequential producer makes them sorted by index, lane 0 first.
    const lane = fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 25 }).map((xs) => [...xs].sort((a, b) => a - b));
    fc.assert(
      fc.property(lane, lane, fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), fc.boolean(), fc.boolean(), (text, main, schedule, textFlush, mainFlush) => {
        const expected: string[] = [];
        const all = [...text.map((i, k) => ({ i, lane: 0, k })), ...main.map((i, k) => ({ i, lane: 1, k }))];
        all.sort((a, b) => a.i - b.i || a.lane - b.lane || a.k - b.k);
        for (const item of all) expected.push(`${String(item.lane)}:${String(item.i)}:${String(item.k)}`);
        if (textFlush) expected.push('0:flush');
        if (mainFlush) expected.push('1:flush');

        // Each lane walks indices 0..31, adding its items at an index then advancing past it;
        // the schedule picks which lane moves next, and take() runs after every move.
        const merge = new OrderedMerge<string>();
        const lanes = [text, main] as const;
        const position = [0, 0];
        const cursor = [0, 0];
        const out: string[] = [];
        const step = (l: 0 | 1): void => {
          const items = lanes[l];
          if (position[l]! > 31) return;
          while (cursor[l]! < items.length && items[cursor[l]!] === position[l]) {
            merge.add(l, position[l]!, `${String(l)}:${String(position[l])}:${String(cursor[l])}`);
            cursor[l]!++;
          }
          merge.advance(l, position[l]!);
          position[l]!++;
          if (position[l]! > 31) {
            if (l === 0 ? textFlush : mainFlush) merge.add(l, Infinity, `${String(l)}:flush`);
            merge.advance(l, Infinity);
          }
        };
        for (const pick of schedule) {
          step(pick ? 1 : 0);
          const released = merge.take();
          out.push(...released);
          // Never early: what was released is a prefix of the sequential order.
          expect(out).toEqual(expected.slice(0, out.length));
        }
        for (let k = 0; k < 40; k++) {
          step(0);
          step(1);
          out.push(...merge.take());
        }
        expect(out).toEqual(expected);
        expect(merge.done).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
