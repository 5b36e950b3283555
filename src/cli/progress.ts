/**
 * Progress of a long replay on stderr: records/s and ETA, redrawn in place at most every 250 ms,
 * shown only when stderr is a terminal and the replay has run for more than 2 seconds. Every
 * verb that replays a finished file shows it: `replayProgress`, then `track()` on the input.
 */
import { finalize, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { ResolvedIo } from './io.js';
import { estimateRecords } from './input.js';
import type { Shared } from './options.js';

const SHOW_AFTER_MS = 2000;
const REDRAW_MS = 250;

export class Progress {
  /** Records counted over every pass. */
  private count = 0;
  /** `count` when the current pass began. */
  private passStart = 0;
  private pass = 1;
  private readonly start: number;
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly io: ResolvedIo,
    /** Estimated total records (of one pass), for the ETA. */
    private readonly total: number | undefined,
    enabled = true,
    /** Times the input is read (`export` reads it twice); the share and ETA cover them all. */
    private readonly passes = 1,
  ) {
    this.enabled = enabled && io.stderrIsTTY;
    this.start = io.now();
  }

  /** Counts one record; checks the clock every 4096 records. */
  tick(): void {
    this.count++;
    if (!this.enabled || (this.count & 4095) !== 0) return;
    const now = this.io.now();
    const elapsed = now - this.start;
    if (elapsed < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.io.stderr(`\r\u001b[K${this.line(elapsed)}`);
  }

  /** Counts the records (events and step records) of a stream, and clears the line when it ends, however it ends. */
  track<T extends { readonly kind: string }>(): MonoTypeOperatorFunction<T> {
    return (items) =>
      items.pipe(
        tap((item) => {
          if (item.kind === 'event' || item.kind === 'step') this.tick();
        }),
        finalize(() => {
          this.clear();
        }),
      );
  }

  /** Starts reading the input again: the record count starts over, the clock does not. */
  nextPass(): void {
    this.pass++;
    this.passStart = this.count;
  }

  /** The progress text: `1,234,567 records, 310,000/s, 42%, ETA 12s` (`pass 2/2: ` first when the input is read twice). */
  line(elapsed: number): string {
    const rate = (this.count * 1000) / Math.max(elapsed, 1);
    const parts = [`${(this.count - this.passStart).toLocaleString('en-US')} records`, `${Math.round(rate).toLocaleString('en-US')}/s`];
    const total = this.total === undefined ? undefined : this.total * this.passes;
    if (total !== undefined && total > this.count) {
      parts.push(`${Math.floor((100 * this.count) / total)}%`, `ETA ${Math.ceil((total - this.count) / rate)}s`);
    }
    return `${this.passes > 1 ? `pass ${this.pass}/${this.passes}: ` : ''}${parts.join(', ')}`;
  }

  /**
   * Erases the progress line if one was drawn: at the end, and before other output reaches the
   * terminal (an alert, a problem) so it does not land behind the line; a later tick redraws it.
   */
  clear(): void {
    if (this.drawn) this.io.stderr('\r\u001b[K');
    this.drawn = false;
  }
}

/**
 * The progress of a replay of `files`, read `passes` times: drawn only when stderr is a terminal
 * and `--quiet` is off (only then are the files' heads read for the estimate).
 */
export async function replayProgress(files: readonly string[], shared: Shared, io: ResolvedIo, passes = 1): Promise<Progress> {
  const shown = io.stderrIsTTY && !shared.quiet;
  return new Progress(io, shown ? await estimateRecords(files) : undefined, shown, passes);
}
