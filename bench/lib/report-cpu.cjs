// preloaded (--require) by cli.bench.ts into the CLI it times: on exit, the process's CPU time over
// all its threads, a figure a machine busy with other work distorts less than wall time
const { isMainThread } = require('node:worker_threads');
if (isMainThread) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    process.stderr.write(`\ncpu-seconds ${(user + system) / 1e6}\n`);
  });
}
