/** One printed and recorded figure. */
export interface Row {
  group: string;
  what: string;
  value: number;
  unit: string;
}

/** Seeded uniform random numbers (mulberry32), so every run measures the same inputs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `work` `reps` times after one warm-up and returns the wall times in ms. */
export function timeRuns(reps: number, work: () => unknown): number[] {
  work();
  const times: number[] = [];
  for (let k = 0; k < reps; k++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** A figure for the table: thousands separated, small values with decimals. */
export function formatValue(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en');
  if (value >= 100) return value.toFixed(0);
  return value.toFixed(value >= 10 ? 1 : 2);
}
