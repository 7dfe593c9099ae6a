import { describe, expect, it } from 'vitest';
import { AutoThreads, idleCores, sampleCpus, type CpuSample } from './auto-threads.js';

/** A clock and CPU counters the test moves by hand: `idle` cores of `cores` stood idle per step. */
function machine(cores: number) {
  let now = 0;
  let sample: CpuSample = { idle: 0, total: 0, cores };
  return {
    now: () => now,
    sample: () => sample,
    pass(ms: number, idle: number) {
      now += ms;
      sample = { idle: sample.idle + idle * ms, total: sample.total + cores * ms, cores };
    },
  };
}

describe('AutoThreads', () => {
  it('adds a worker when the time left exceeds two builds and a core stood idle', () => {
    const m = machine(2);
    const plan = new AutoThreads({ maxWorkers: 1, readyMs: 1000, totalBytes: 100, now: m.now, sample: m.sample });
    // 10 % in 300 ms: 2.7 s left, more than two builds of 1 s; one of two cores idle
    m.pass(300, 1);
    expect(plan.check(10)).toBe(1);
    m.pass(300, 1);
    expect(plan.check(20)).toBe(0);
  });

  it('waits for a window long enough to measure idle time', () => {
    const m = machine(2);
    const plan = new AutoThreads({ maxWorkers: 1, readyMs: 10, totalBytes: 100, now: m.now, sample: m.sample });
    m.pass(100, 1);
    expect(plan.check(1)).toBe(0);
    m.pass(200, 1);
    expect(plan.check(2)).toBe(1);
  });

  it('adds none when the rest would be done within two builds', () => {
    const m = machine(2);
    const plan = new AutoThreads({ maxWorkers: 1, readyMs: 1000, totalBytes: 100, now: m.now, sample: m.sample });
    // half in 1 s: 1 s left < 2 s
    m.pass(1000, 1);
    expect(plan.check(50)).toBe(0);
  });

  it('adds none while other work keeps every core busy, and joins once a core frees up', () => {
    const m = machine(2);
    const plan = new AutoThreads({ maxWorkers: 1, readyMs: 100, totalBytes: 1000, now: m.now, sample: m.sample });
    m.pass(300, 0.1);
    expect(plan.check(10)).toBe(0);
    m.pass(300, 0.9);
    expect(plan.check(20)).toBe(1);
  });

  it('adds as many workers as cores stood idle, up to the most allowed', () => {
    const m = machine(8);
    const plan = new AutoThreads({ maxWorkers: 7, readyMs: 100, totalBytes: 1000, now: m.now, sample: m.sample });
    m.pass(300, 4.2);
    expect(plan.check(10)).toBe(4);
    const capped = new AutoThreads({ maxWorkers: 2, readyMs: 100, totalBytes: 1000, now: m.now, sample: m.sample });
    m.pass(300, 7);
    expect(capped.check(10)).toBe(2);
  });

  it('on a pipe (size unknown) counts on as long again as the batch has run', () => {
    const m = machine(2);
    const plan = new AutoThreads({ maxWorkers: 1, readyMs: 1000, totalBytes: null, now: m.now, sample: m.sample });
    m.pass(1500, 1);
    expect(plan.check(1e9)).toBe(0);
    m.pass(600, 1);
    expect(plan.check(2e9)).toBe(1);
  });

  it('reads the real counters', () => {
    const before = sampleCpus();
    expect(before.cores).toBeGreaterThan(0);
    const idle = idleCores(before, sampleCpus());
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(before.cores);
  });
});
