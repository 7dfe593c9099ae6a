// preloaded into a server child (NODE_OPTIONS="--expose-gc --import …/gc-on-signal.mjs") by
// load tests: SIGUSR2 runs full garbage collections and prints the memory after them, so memory
// is compared without GC lag. Native handles (zlib streams, sockets) release their buffers in
// finalizers that run after a collection, so a second collection a moment later frees those too.
process.on('SIGUSR2', () => {
  globalThis.gc();
  setTimeout(() => {
    globalThis.gc();
    process.stderr.write(`gc done ${JSON.stringify(process.memoryUsage())}\n`);
  }, 200);
});
