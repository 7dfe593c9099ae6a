// What the production middleware costs per request (issue 11: the request log, metrics and rate
// limit halved GET /v1/reverse). The same app over the same database in two child processes, one
// with the middleware and one without (bench/lib/edge-server.ts), loaded in turns by bounded
// autocannon runs on 127.0.0.1, so load from elsewhere on the machine falls on both alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import type { ArchiveMetadata } from '../src/tiles/archive.js';
import { pyramidTiles } from '../src/tiles/export-pyramid.js';
import { median, seededRandom, type Row } from './lib/stats.js';

const SERVER = new URL('./lib/edge-server.ts', import.meta.url).pathname;
const GROUP = 'edge';
/** issue 11: the full stack keeps at least this share of the bare figure */
const TARGET_SHARE = 0.85;

type Mode = 'full' | 'bare';
type Load = { what: string; connections: number; requests: { method: 'GET'; path: string; headers: Record<string, string> }[] };

export async function edgeBench(dbPath: string, durationS = 4, rounds = 4): Promise<Row[]> {
  const logPath = join(dirname(dbPath), 'edge-full.log');
  const servers = { full: await startEdgeServer(dbPath, 'full', logPath), bare: await startEdgeServer(dbPath, 'bare') };
  try {
    const random = seededRandom(23);
    // clients at 256 addresses (X-Forwarded-For): each stays under the default 200 req/s, and each request takes from a bucket
    const client = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i % 256}` });
    const reverse: Load = {
      what: 'GET /v1/reverse, 16 connections',
      connections: 16,
      requests: Array.from({ length: 256 }, (_, i) => ({
        method: 'GET' as const,
        path: `/v1/reverse?lng=${(116.39 + random() * 0.05).toFixed(6)}&lat=${(39.86 + random() * 0.1).toFixed(6)}`,
        headers: client(i),
      })),
    };
    const tilePaths = await warmTiles(servers.full.url, servers.bare.url);
    const tiles: Load = {
      what: `cached GET /tiles gzip (${tilePaths.length} z16 tiles), 48 connections`,
      connections: 48,
      requests: tilePaths.map((path, i) => ({ method: 'GET' as const, path, headers: { ...client(i), 'accept-encoding': 'gzip' } })),
    };
    const rows: Row[] = [];
    for (const load of [reverse, tiles]) {
      const rates: Record<Mode, number[]> = { full: [], bare: [] };
      const p99: Record<Mode, number[]> = { full: [], bare: [] };
      // in turns, the first mode alternating, so a change in the machine's load meets both
      for (let round = 0; round < rounds; round++) {
        for (const mode of round % 2 === 0 ? (['full', 'bare'] as const) : (['bare', 'full'] as const)) {
          const result = await autocannon({ url: servers[mode].url, connections: load.connections, duration: durationS, workers: 1, requests: load.requests });
          const failed = result.non2xx + result.errors + result.timeouts;
          if (failed > 0) throw new Error(`${load.what}, ${mode}: ${failed} of ${result.requests.total} requests failed (${result.non2xx} non-2xx)`);
          rates[mode].push(result.requests.average);
          p99[mode].push(result.latency.p99);
        }
      }
      const share = median(rates.full) / median(rates.bare);
      rows.push(
        { group: GROUP, what: `${load.what}, full middleware (log, metrics, rate limit)`, value: median(rates.full), unit: 'req/s' },
        { group: GROUP, what: `${load.what}, bare (none of them)`, value: median(rates.bare), unit: 'req/s' },
        { group: GROUP, what: `${load.what}, p99 full / bare`, value: median(p99.full) / median(p99.bare), unit: '×' },
        { group: GROUP, what: `${load.what}: full ÷ bare (target ≥ ${TARGET_SHARE}: ${share >= TARGET_SHARE ? 'met' : 'NOT met'})`, value: share, unit: '×' },
      );
      console.log(`edge: ${load.what}: full ${median(rates.full).toFixed(0)} req/s, bare ${median(rates.bare).toFixed(0)} req/s, full ÷ bare ${share.toFixed(3)} (each the median of ${rounds} runs of ${durationS} s; ${os.cpus()[0]?.model}, ${os.cpus().length} cores)`);
    }
    // the full server did write its lines: one per request
    rows.push({ group: GROUP, what: 'request log lines the full server wrote', value: readFileSync(logPath, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length, unit: '' });
    return rows;
  } finally {
    servers.full.child.kill('SIGTERM');
    servers.bare.child.kill('SIGTERM');
  }
}

/** Asks both servers for every z16 tile of the grids source once (their caches are warm after); the paths of those with data. */
async function warmTiles(...urls: string[]): Promise<string[]> {
  const tileJson = (await (await fetch(`${urls[0]}/tiles/grids.json`)).json()) as { bounds: ArchiveMetadata['bounds'] };
  const paths: string[] = [];
  for (const { z, x, y } of pyramidTiles(tileJson.bounds, 16, 16)) {
    const path = `/tiles/grids/${z}/${x}/${y}`;
    const statuses: number[] = [];
    for (const url of urls) {
      const response = await fetch(url + path, { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    if (statuses.every((s) => s === 200)) paths.push(path);
    else if (!statuses.every((s) => s === 204)) throw new Error(`warming ${path}: expected 200 or 204 from both, got ${statuses.join(', ')}`);
  }
  return shuffled(paths, seededRandom(29));
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The edge server in `mode` (tsx, from src/), its stderr to `logPath` (or dropped); resolves with its URL. */
function startEdgeServer(dbPath: string, mode: Mode, logPath?: string): Promise<{ child: ChildProcess; url: string }> {
  const log = logPath === undefined ? 'ignore' : openSync(logPath, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, dbPath, mode], { stdio: ['ignore', 'pipe', log] });
  if (typeof log === 'number') closeSync(log);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`edge server (${mode}) did not start within 120 s`));
    }, 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /^(http:\/\/[\d.:]+)\n/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`edge server (${mode}) exited with ${code}`));
    });
  });
}
