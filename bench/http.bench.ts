// the HTTP API on loopback: a real `wangge serve` child process, loaded by bounded autocannon runs
// from this process (127.0.0.1 only, fixed durations); also the server's start-up and memory, and
// batch reverse in each answer format beside the same lookups in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { loadGeocoders } from '../src/geocode/geocoders.js';
import { Store } from '../src/store/store.js';
import { median, seededRandom, timeRuns, type Row } from './lib/stats.js';

const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;

export async function httpBench(dbPath: string, durationS = 8): Promise<Row[]> {
  const { child, url, indexSeconds } = await startServer(dbPath);
  try {
    const idleRssMb = rssMb(child.pid!);
    const random = seededRandom(11);
    const paths = Array.from({ length: 256 }, () => `/v1/reverse?lng=${(116.39 + random() * 0.05).toFixed(6)}&lat=${(39.86 + random() * 0.1).toFixed(6)}`);
    let next = 0;
    const get = await autocannon({
      url,
      connections: 16,
      duration: durationS,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }) }],
    });
    // six decimals (~0.1 m), as phones and GIS exports send them
    const points = Array.from({ length: 10_000 }, () => [round6(116.39 + random() * 0.05), round6(39.86 + random() * 0.1)]);
    const body = JSON.stringify({ points });
    // the same batch answered as JSON, NDJSON and CSV, and as JSON to a client that takes brotli
    const batch = (headers: Record<string, string>) =>
      autocannon({ url: `${url}/v1/reverse`, connections: 2, duration: durationS, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const post = await batch({});
    const ndjson = await batch({ accept: 'application/x-ndjson' });
    const csv = await batch({ accept: 'text/csv' });
    const brotli = await batch({ 'accept-encoding': 'br' });
    const loadedRssMb = rssMb(child.pid!);
    const inProcess = inProcessRate(dbPath, points);
    const failures = (r: typeof get) => r.errors + r.timeouts + r.non2xx;
    const rate = (r: typeof post) => r.requests.average * points.length;
    return [
      { group: 'http', what: 'server index build at start-up', value: indexSeconds * 1000, unit: 'ms' },
      { group: 'http', what: 'server RSS, default district, idle', value: idleRssMb, unit: 'MB' },
      { group: 'http', what: 'server RSS after the load runs', value: loadedRssMb, unit: 'MB' },
      { group: 'http', what: 'GET /v1/reverse (16 connections, target ≥ 10,000)', value: get.requests.average, unit: 'req/s' },
      { group: 'http', what: 'GET /v1/reverse p99 latency (target < 10)', value: get.latency.p99, unit: 'ms' },
      { group: 'http', what: 'POST /v1/reverse, 10,000 points a request, JSON (target ≥ 1,000,000)', value: rate(post), unit: 'points/s' },
      { group: 'http', what: 'POST /v1/reverse, same, NDJSON (Accept: application/x-ndjson)', value: rate(ndjson), unit: 'points/s' },
      { group: 'http', what: 'POST /v1/reverse, same, CSV (Accept: text/csv)', value: rate(csv), unit: 'points/s' },
      { group: 'http', what: 'POST /v1/reverse, same, JSON brotli-compressed (Accept-Encoding: br)', value: rate(brotli), unit: 'points/s' },
      { group: 'http', what: 'the same points in-process (the server\'s resolver, one thread)', value: inProcess, unit: 'points/s' },
      { group: 'http', what: 'POST /v1/reverse JSON ÷ in-process', value: rate(post) / inProcess, unit: '×' },
      { group: 'http', what: 'failed requests in all runs', value: [get, post, ndjson, csv, brotli].reduce((sum, r) => sum + failures(r), 0), unit: '' },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

function startServer(dbPath: string): Promise<{ child: ChildProcess; url: string; indexSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', dbPath, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    let indexSeconds = NaN;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not start within 120 s:\n${log}`));
    }, 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const built = /indexes built in ([\d.]+) s/.exec(log);
      if (built) indexSeconds = Number(built[1]);
      const serving = /serving .* at (http:\/\/[\d.:]+)/.exec(log);
      if (serving) {
        clearTimeout(timer);
        resolve({ child, url: serving[1]!, indexSeconds });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Points per second through the resolver the server answers with, built from the same database in this process. */
function inProcessRate(dbPath: string, points: number[][]): number {
  const store = Store.open(dbPath, { readonly: true });
  try {
    const { reverse } = loadGeocoders(store);
    let sink = 0;
    const reps = 20;
    const ms = median(
      timeRuns(3, () => {
        for (let r = 0; r < reps; r++) for (const [lng, lat] of points) if (reverse.resolve(lng!, lat!).unitGrid !== null) sink++;
      }),
    );
    // the sum is read, so the lookups cannot be dropped as dead code
    return (sink >= 0 ? reps * points.length : 0) / (ms / 1000);
  } finally {
    store.close();
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
