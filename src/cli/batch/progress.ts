import type { Io } from '../io.js';

/** Counts a batch reports; `bad` rows are among `rows` but neither matched nor unmatched. */
export interface BatchCounts {
  rows: number;
  matched: number;
  unmatched: number;
  bad: number;
}

// up one line, column 0, clear it: the bar is redrawn in place with whole-line writes
const REDRAW = '\u001b[1A\r\u001b[2K';
const BAR_WIDTH = 24;

/**
 * A progress line on stderr, only when it is a terminal: rows, rows/s and, when the input size
 * is known, a bar and the time left. Other messages go above it.
 */
export class Progress {
  private readonly io: Io;
  private readonly label: string;
  private readonly totalBytes: number | null;
  private readonly intervalMs: number;
  private readonly startedMs = performance.now();
  private drawnMs = -Infinity;
  private shown = false;
  /** the first update: rate and time left are measured from it, so index building does not skew them */
  private first: { ms: number; rows: number; bytes: number } | null = null;

  constructor(io: Io, { label, totalBytes = null, intervalMs = 200 }: { label: string; totalBytes?: number | null; intervalMs?: number }) {
    this.io = io;
    this.label = label;
    this.totalBytes = totalBytes !== null && totalBytes > 0 ? totalBytes : null;
    this.intervalMs = intervalMs;
  }

  /** Seconds since the batch started. */
  get seconds(): number {
    return (performance.now() - this.startedMs) / 1000;
  }

  /** Redraws the line, at most every `intervalMs`. */
  update(rows: number, bytesRead: number): void {
    if (!this.io.interactive) return;
    const now = performance.now();
    this.first ??= { ms: now, rows, bytes: bytesRead };
    if (now - this.drawnMs < this.intervalMs) return;
    this.drawnMs = now;
    const seconds = (now - this.first.ms) / 1000;
    const rate = seconds > 0 ? (rows - this.first.rows) / seconds : 0;
    let share: number | null = null;
    let secondsLeft: number | null = null;
    if (this.totalBytes !== null) {
      share = Math.min(1, bytesRead / this.totalBytes);
      const bytesPerSecond = seconds > 0 ? (bytesRead - this.first.bytes) / seconds : 0;
      if (bytesPerSecond > 0) secondsLeft = (this.totalBytes - bytesRead) / bytesPerSecond;
    }
    this.draw(progressLine(this.label, rows, rate, share, secondsLeft));
  }

  /** Prints a message above the progress line. */
  log(message: string): void {
    if (this.shown) {
      this.io.err(REDRAW + message);
      this.shown = false;
      this.drawnMs = -Infinity;
    } else this.io.err(message);
  }

  /** Replaces the progress line with the summary. */
  finish(summary: string): void {
    this.log(summary);
  }

  private draw(text: string): void {
    this.io.err((this.shown ? REDRAW : '') + text);
    this.shown = true;
  }
}

/** The progress line: `label [####----] 42%  420,000 rows  812,345 rows/s  3 s left` (bar and time left when known). */
export function progressLine(label: string, rows: number, rowsPerSecond: number, share: number | null, secondsLeft: number | null): string {
  const counts = `${count(rows)} rows  ${count(rowsPerSecond)} rows/s${secondsLeft === null ? '' : `  ${Math.ceil(secondsLeft)} s left`}`;
  if (share === null) return `${label} ${counts}`;
  const filled = Math.round(share * BAR_WIDTH);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%  ${counts}`;
}

/**
 * The closing line: `reverse: 1,000,000 rows (999,000 matched, 990 unmatched, 10 bad) in 1.52 s, 657,894 rows/s`,
 * and `on 2 threads` when more than one took part.
 */
export function summaryLine(label: string, counts: BatchCounts, seconds: number, threads = 1): string {
  const rate = seconds > 0 ? counts.rows / seconds : 0;
  const on = threads > 1 ? ` on ${threads} threads` : '';
  return `${label}: ${count(counts.rows)} row${counts.rows === 1 ? '' : 's'} (${count(counts.matched)} matched, ${count(counts.unmatched)} unmatched, ${count(counts.bad)} bad) in ${seconds.toFixed(2)} s, ${count(rate)} rows/s${on}`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en');
}
