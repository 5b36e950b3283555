/**
 * Ordered merge of two lanes of indexed items, each produced in index order, possibly at
 * different times (one lane on another thread): releases the items in the order one sequential
 * producer would have made them, by (index, lane) with lane 0 first at equal indices, as soon as
 * that order is certain and no sooner.
 *
 * Each lane reports a watermark: every item it will ever give at an index <= the watermark has
 * been added. An item (i, 1) is certain once lane 0 reached i; an item (i, 0) once lane 1 reached
 * i - 1. Items added after the source ended carry index `Infinity` (flushes), and a finished lane
 * advances to `Infinity`.
 *
 * Cost: O(1) amortized per item; holds only the items waiting for the other lane.
 *
 * @example
 * const merge = new OrderedMerge<string>();
 * merge.add(1, 5, 'main@5');
 * merge.take();           // []: lane 0 may still give an item at index 5
 * merge.add(0, 5, 'text@5');
 * merge.advance(0, 7);
 * merge.take();           // ['text@5', 'main@5']
 */
export class OrderedMerge<T> {
  private readonly waiting: [Lane<T>, Lane<T>] = [new Lane<T>(), new Lane<T>()];

  /** Adds `item` from `lane` at `index` (not below the lane's previous index or watermark). */
  add(lane: 0 | 1, index: number, item: T): void {
    const queue = this.waiting[lane];
    if (index < queue.lastIndex || index <= queue.watermark) {
      throw new RangeError(`OrderedMerge: lane ${String(lane)} item at index ${String(index)} after index ${String(Math.max(queue.lastIndex, queue.watermark))}`);
    }
    queue.push(index, item);
  }

  /** Lane `lane` has given every item at an index <= `upTo`. */
  advance(lane: 0 | 1, upTo: number): void {
    const queue = this.waiting[lane];
    if (upTo > queue.watermark) queue.watermark = upTo;
  }

  /** Both lanes have finished (advanced to `Infinity`) and every item was taken. */
  get done(): boolean {
    const [first, second] = this.waiting;
    return first.watermark === Infinity && second.watermark === Infinity && first.size === 0 && second.size === 0;
  }

  /** Removes and returns the items whose place in the merged order is now certain, in that order. */
  take(): T[] {
    const [first, second] = this.waiting;
    const out: T[] = [];
    for (;;) {
      const a = first.size > 0 ? first.headIndex : Infinity;
      const b = second.size > 0 ? second.headIndex : Infinity;
      if (first.size > 0 && a <= b && second.watermark >= a - 1) out.push(first.shift());
      else if (second.size > 0 && b < a && first.watermark >= b) out.push(second.shift());
      else if (second.size > 0 && first.size === 0 && first.watermark >= b) out.push(second.shift());
      else return out;
    }
  }
}

/** One lane's waiting items, a FIFO over an array with a moving head. */
class Lane<T> {
  watermark = -Infinity;
  lastIndex = -Infinity;
  private indices: number[] = [];
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  get headIndex(): number {
    return this.indices[this.head]!;
  }

  push(index: number, item: T): void {
    this.indices.push(index);
    this.items.push(item);
    this.lastIndex = index;
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.head++;
    if (this.head === this.items.length) {
      this.indices = [];
      this.items = [];
      this.head = 0;
    }
    return item;
  }
}
