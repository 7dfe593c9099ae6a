import { describe, expect, it } from 'vitest';
import type { Io } from '../io.js';
import { Progress, progressLine, summaryLine } from './progress.js';

const capture = (interactive: boolean) => {
  const lines: string[] = [];
  const io: Io = { out: () => {}, err: (line) => lines.push(line), interactive };
  return { io, lines };
};

describe('progress', () => {
  it('shows rows, rows/s, a bar and the time left when the size is known', () => {
    expect(progressLine('reverse', 500_000, 250_000, 0.25, 5.2)).toBe('reverse [######------------------] 25%  500,000 rows  250,000 rows/s  6 s left');
    expect(progressLine('geocode', 1234, 2468.4, null, null)).toBe('geocode 1,234 rows  2,468 rows/s');
  });

  it('sums up rows, matched, unmatched, bad, seconds and rows/s', () => {
    expect(summaryLine('reverse', { rows: 1_000_000, matched: 900_000, unmatched: 99_990, bad: 10 }, 2)).toBe(
      'reverse: 1,000,000 rows (900,000 matched, 99,990 unmatched, 10 bad) in 2.00 s, 500,000 rows/s',
    );
  });

  it('draws on a terminal only, redraws in place, and prints messages above the bar', () => {
    const quiet = capture(false);
    new Progress(quiet.io, { label: 'x', totalBytes: 10 }).update(5, 5);
    expect(quiet.lines).toEqual([]);

    const tty = capture(true);
    const progress = new Progress(tty.io, { label: 'x', totalBytes: 10, intervalMs: 0 });
    progress.update(1, 1);
    progress.update(2, 2);
    progress.log('line 7: bad');
    progress.finish('x: done');
    expect(tty.lines[0]).toMatch(/^x \[##/);
    expect(tty.lines[1]).toMatch(/^\u001b\[1A\r\u001b\[2Kx \[/);
    expect(tty.lines[2]).toBe('\u001b[1A\r\u001b[2Kline 7: bad');
    // the bar was replaced by the message, so the summary is a plain new line
    expect(tty.lines[3]).toBe('x: done');
  });
});
