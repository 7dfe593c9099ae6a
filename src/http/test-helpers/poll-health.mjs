// Polls GET <url>/health every 10 ms on one kept-alive connection until its standard input
// closes, then prints the latencies (ms) and statuses as one JSON line. Run as its own process,
// so the test process's own work (encoding a 4 MB body, reading a 40 MB answer) is not measured.
import http from 'node:http';

const url = new URL('/health', process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const latenciesMs = [];
const statuses = [];
let running = true;
process.stdin.on('end', () => (running = false)).resume();

const get = () =>
  new Promise((resolve) => {
    const started = performance.now();
    http
      .get(url, { agent }, (res) => {
        res.resume().on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode }));
      })
      .on('error', () => resolve({ ms: performance.now() - started, status: 0 }));
  });

while (running) {
  const { ms, status } = await get();
  latenciesMs.push(ms);
  statuses.push(status);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(JSON.stringify({ latenciesMs, statuses }) + '\n');
agent.destroy();
