/**
 * The pure state behind `diversityCollapse`: over the last `window` responses, the share that
 * duplicate a response given to a *different* prompt (or group), and the window's distinct-n.
 *
 * Why across contexts: GRPO samples several completions per prompt, and on an easy prompt they
 * legitimately agree ("42" eight times). One string returned for every prompt is the mode-collapse
 * signature. So a response counts as a cross-context duplicate when its key (the word-sequence key
 * of `text-features.ts`: same words in the same order, case/spacing/punctuation aside) occurs in
 * the window under at least two different contexts. Responses under `minWords` words are not
 * keyed: short answers coincide across prompts legitimately ("A", "yes", "12").
 *
 * State: three `SlotCountTable`s (key → copies, key×context → copies, key → distinct contexts),
 * a ring of the window's keys and of their slots in those tables (so eviction needs no hashing or
 * probing), and a running count of cross-context duplicates, all updated in O(1) (amortised) per
 * response in and out; distinct-n via `DistinctNWindow.pushTokens` (O(n-grams in + out)).
 */
import type { RewardEvent } from '../core/types.js';
import { DistinctNWindow } from '../kernels/distinct-n-window.js';
import { fmix32, HashCountTable } from '../kernels/hash-count-table.js';
import { SlotCountTable } from '../kernels/slot-count-table.js';
import { hashText } from '../kernels/text-hash.js';
import type { WordTokenizer } from '../kernels/word-tokens.js';

export interface DiversityWindowConfig {
  readonly window: number;
  /** Words per n-gram of the window's distinct-n. */
  readonly n: number;
  /** Fewest words for a response to be keyed for duplicates. */
  readonly minWords: number;
  /**
   * Distinct-n is measured on every `distinctEvery`-th response (over the last
   * `window / distinctEvery` of them, so it spans the same responses): its table work dominates
   * the cost, and a systematic sample estimates the window's distinct-n just as well against a
   * baseline measured the same way. 1 measures every response.
   */
  readonly distinctEvery: number;
}

/** A most-repeated response of the window. */
export interface RepeatedResponse {
  readonly event: RewardEvent;
  readonly count: number;
  readonly contexts: number;
}

export class DiversityWindow {
  readonly window: number;
  private readonly minWords: number;
  private readonly copies: SlotCountTable;
  private readonly pairs: SlotCountTable;
  private readonly contexts: SlotCountTable;
  private readonly distinctN: DistinctNWindow;
  private readonly distinctEvery: number;
  private pushed = 0;
  private readonly ringKeyHi: Uint32Array;
  private readonly ringKeyLo: Uint32Array;
  /** Each keyed response's slots in `copies`, `pairs` and `contexts`: eviction releases by slot. */
  private readonly ringCopySlot: Int32Array;
  private readonly ringPairSlot: Int32Array;
  private readonly ringContextSlot: Int32Array;
  /** 1 when the slot's response was keyed (long enough). */
  private readonly ringKeyed: Uint8Array;
  private readonly ringEvents: (RewardEvent | undefined)[];
  private readonly contextKey = new Uint32Array(2);
  private lastContext: string | undefined;
  private uniqueContext = 0;
  private oldest = 0;
  private size = 0;
  private keyedCount = 0;
  private crossDuplicates = 0;

  /**
   * @param tokensOf the word hashes of an event's response, asked only for the responses
   *   distinct-n samples (the tokenizer is read at once, so it may be a shared one).
   */
  constructor(config: DiversityWindowConfig, private readonly tokensOf: (event: RewardEvent) => WordTokenizer) {
    this.window = config.window;
    this.minWords = config.minWords;
    this.copies = new SlotCountTable(4 * config.window);
    this.pairs = new SlotCountTable(4 * config.window);
    this.contexts = new SlotCountTable(4 * config.window);
    this.distinctEvery = config.distinctEvery;
    this.distinctN = new DistinctNWindow({ window: Math.max(1, Math.ceil(config.window / config.distinctEvery)), n: config.n });
    this.ringKeyHi = new Uint32Array(config.window);
    this.ringKeyLo = new Uint32Array(config.window);
    this.ringCopySlot = new Int32Array(config.window);
    this.ringPairSlot = new Int32Array(config.window);
    this.ringContextSlot = new Int32Array(config.window);
    this.ringKeyed = new Uint8Array(config.window);
    this.ringEvents = new Array<RewardEvent | undefined>(config.window).fill(undefined);
  }

  /** Adds a response: its event (for evidence, context and word hashes), word-sequence key and word count. */
  push(event: RewardEvent, keyHi: number, keyLo: number, words: number): void {
    if (this.size === this.window) this.evict();
    const slot = (this.oldest + this.size) % this.window;
    this.size++;
    this.ringEvents[slot] = event;
    this.ringKeyed[slot] = 0;
    if (this.pushed++ % this.distinctEvery === 0) {
      const words = this.tokensOf(event);
      this.distinctN.pushTokens(words.hashHi, words.hashLo, words.count);
    }
    if (words < this.minWords) return;
    this.contextOf(event);
    const pairHi = keyHi ^ fmix32(this.contextKey[0]! ^ 0x85ebca6b);
    const pairLo = (keyLo + Math.imul(fmix32(this.contextKey[1]!), 0x9e3779b1)) | 0;
    this.makeRoom(this.copies, this.ringCopySlot);
    this.makeRoom(this.pairs, this.ringPairSlot);
    this.makeRoom(this.contexts, this.ringContextSlot);
    const copySlot = this.copies.add(keyHi, keyLo);
    const pairSlot = this.pairs.add(pairHi, pairLo);
    const copies = this.copies.countAt(copySlot);
    const newContext = this.pairs.countAt(pairSlot) === 1;
    const contextSlot = newContext ? this.contexts.add(keyHi, keyLo) : this.contexts.slotOf(keyHi, keyLo);
    const contexts = this.contexts.countAt(contextSlot);
    this.ringKeyed[slot] = 1;
    this.ringKeyHi[slot] = keyHi;
    this.ringKeyLo[slot] = keyLo;
    this.ringCopySlot[slot] = copySlot;
    this.ringPairSlot[slot] = pairSlot;
    this.ringContextSlot[slot] = contextSlot;
    this.keyedCount++;
    // Every copy of a key seen under >= 2 contexts is a cross-context duplicate.
    if (contexts === 2 && copies > 1 && newContext) this.crossDuplicates += copies;
    else if (contexts >= 2) this.crossDuplicates++;
  }

  /** Keyed responses in the window (the denominator of `crossDuplicateCount`). */
  get keyed(): number {
    return this.keyedCount;
  }

  /** Keyed responses whose key occurs in the window under two or more contexts. */
  get crossDuplicateCount(): number {
    return this.crossDuplicates;
  }

  /** Distinct-n of the window (1 with no n-gram). */
  get distinctRatio(): number {
    return this.distinctN.ratio;
  }

  /** Responses in the window. */
  get responses(): number {
    return this.size;
  }

  /** The `limit` most repeated keyed responses of the window, most copies first. O(window). */
  mostRepeated(limit: number): RepeatedResponse[] {
    const seen = new HashCountTable(2 * this.window);
    const found: RepeatedResponse[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.oldest + i) % this.window;
      if (this.ringKeyed[slot] === 0) continue;
      const hi = this.ringKeyHi[slot]!;
      const lo = this.ringKeyLo[slot]!;
      const count = this.copies.count(hi, lo);
      if (count < 2 || seen.increment(hi, lo) > 1) continue;
      found.push({ event: this.ringEvents[slot]!, count, contexts: this.contexts.count(hi, lo) });
    }
    return found.sort((a, b) => b.count - a.count).slice(0, limit);
  }

  private contextOf(event: RewardEvent): void {
    const context = event.group ?? event.prompt;
    if (context === undefined) {
      // No group and no prompt: every response is its own context, so any duplicate counts.
      this.contextKey[0] = ++this.uniqueContext;
      this.contextKey[1] = 0x5bd1e995;
      this.lastContext = undefined;
      return;
    }
    if (context !== this.lastContext) {
      hashText(context, this.contextKey);
      this.lastContext = context;
    }
  }

  /**
   * Makes room in `table` for one more key; when that rebuilds it, maps the keyed responses'
   * remembered slots (`slots`) to their new places.
   */
  private makeRoom(table: SlotCountTable, slots: Int32Array): void {
    if (!table.reserve(1)) return;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.oldest + i) % this.window;
      if (this.ringKeyed[slot] === 1) slots[slot] = table.movedTo(slots[slot]!);
    }
  }

  private evict(): void {
    const slot = this.oldest;
    this.oldest = (this.oldest + 1) % this.window;
    this.size--;
    this.ringEvents[slot] = undefined;
    if (this.ringKeyed[slot] === 0) return;
    this.keyedCount--;
    const copiesLeft = this.copies.release(this.ringCopySlot[slot]!);
    const lastInContext = this.pairs.release(this.ringPairSlot[slot]!) === 0;
    const contextSlot = this.ringContextSlot[slot]!;
    const contextsLeft = lastInContext ? this.contexts.release(contextSlot) : this.contexts.countAt(contextSlot);
    const contextsBefore = lastInContext ? contextsLeft + 1 : contextsLeft;
    if (contextsBefore >= 2) this.crossDuplicates--;
    // Down to one context: the remaining copies are no longer cross-context duplicates.
    if (lastInContext && contextsLeft === 1) this.crossDuplicates -= copiesLeft;
  }
}
