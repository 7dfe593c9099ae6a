// preloaded into a server child (NODE_OPTIONS="--expose-gc --import …/gc-on-signal.mjs") by
// load tests: SIGUSR2 runs a full garbage collection and prints the memory after it, so memory
// is compared without GC lag
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write(`gc done ${JSON.stringify(process.memoryUsage())}\n`);
});
