/**
 * Progress of a long replay on stderr: records/s and ETA, redrawn in place at most every 250 ms,
 * shown only when stderr is a terminal and the replay has run for more than 2 seconds.
 */
import type { ResolvedIo } from './io.js';

const SHOW_AFTER_MS = 2000;
const REDRAW_MS = 250;

export class Progress {
  private count = 0;
  private readonly start: number;
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly io: ResolvedIo,
    /** Estimated total records, for the ETA. */
    private readonly total: number | undefined,
    enabled = true,
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

  /** The progress text: `1,234,567 records, 310,000/s, 42% , ETA 12s`. */
  line(elapsed: number): string {
    const rate = (this.count * 1000) / Math.max(elapsed, 1);
    const parts = [`${this.count.toLocaleString('en-US')} records`, `${Math.round(rate).toLocaleString('en-US')}/s`];
    if (this.total !== undefined && this.total > this.count) {
      parts.push(`${Math.floor((100 * this.count) / this.total)}%`, `ETA ${Math.ceil((this.total - this.count) / rate)}s`);
    }
    return parts.join(', ');
  }

  /** Clears the progress line if one was drawn. */
  done(): void {
    if (this.drawn) this.io.stderr('\r\u001b[K');
    this.drawn = false;
  }
}
