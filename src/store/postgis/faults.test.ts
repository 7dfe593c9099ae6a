import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { serveChild, type ServedChild } from '../../cli/test-helpers/serve-child.js';
import { testPostgres, throwawayPostgres, type ThrowawayPostgres } from '../../test-helpers/postgres.js';
import { buildDistrictPostgis } from './build-district-postgis.js';
import { connectPostgis } from './postgis.js';

const SECRET = 'wg_faults-test-secret-0000000000000000000000000';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// issue 10, point 4: the database and the replicas stopped in turns under a write load; every
// acknowledged write must be in the database afterwards, and on the replicas
const database = testPostgres ? throwawayPostgres() : undefined;

describe.skipIf(!database)('PostGIS replicas when the database or a replica goes down', () => {
  const pg = database as ThrowawayPostgres;
  const replicas: ServedChild[] = [];

  beforeAll(async () => {
    await buildDistrictPostgis(pg.url);
    const sql = connectPostgis(pg.url, { max: 1 });
    await sql`INSERT INTO api_keys (name, scope, secret_hash, prefix, created_at) VALUES ('faults', '110101', ${createHash('sha256').update(SECRET).digest('hex')}, ${SECRET.slice(0, 10)}, now())`;
    await sql.end();
    replicas.push(...(await Promise.all([serveChild(['--store', pg.url], { timeoutMs: 120_000 }), serveChild(['--store', pg.url], { timeoutMs: 120_000 })])));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    pg?.remove();
  });

  it('reads go on, /health says degraded, writes answer 503 with Retry-After; after restarts nothing acknowledged is lost', async () => {
    // a replica that dies says why on its stderr
    onTestFailed(() => {
      for (const [index, replica] of replicas.entries()) console.error(`replica ${index} stderr (end):\n${replica.log().slice(-4000)}`);
    });
    const acknowledged: string[] = [];
    const statuses = new Map<string, number>();
    let writing = true;
    let firstAckAfter = Infinity;
    let lastAck = 0;
    const count = (what: string) => statuses.set(what, (statuses.get(what) ?? 0) + 1);
    // one writer per replica, a create after another, points on a line through 东华门街道
    const writer = async (index: number) => {
      for (let k = 0; writing; k++) {
        const server = replicas[index]!;
        try {
          const res = await fetch(`${server.url}/v1/components`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
            body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [116.395 + index * 0.002 + (k % 100) * 1e-5, 39.915 + Math.floor(k / 100) * 1e-5] }, properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' } }),
          });
          count(String(res.status));
          if (res.status === 201) {
            acknowledged.push(((await res.json()) as { id: string }).id);
            lastAck = performance.now();
          } else {
            if (res.status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
            await res.text();
            await sleep(50);
          }
        } catch {
          // the replica is down (killed below)
          count('no answer');
          await sleep(50);
        }
      }
    };
    const writers = [writer(0), writer(1)];
    await sleep(2000);

    // the database stops: reads go on from the copies, health says why, writes are refused
    pg.stop();
    const stoppedAt = performance.now();
    let degraded = '';
    while (performance.now() - stoppedAt < 10_000) {
      // a keep-alive socket the server closes as it is reused fails one fetch (seen once in a loaded
      // CI run): asked again; a replica that died fails here, with its stderr printed
      const health = (await fetch(`${replicas[1]!.url}/health`)
        .then((res) => res.json())
        .catch((error: unknown) => {
          process.kill(replicas[1]!.pid, 0);
          return { status: `no answer: ${(error as Error).message}` };
        })) as { status: string; reason?: string };
      if (health.status === 'degraded') {
        degraded = health.reason ?? '';
        break;
      }
      await sleep(100);
    }
    expect(degraded).toMatch(/database cannot be read/);
    const ready = await fetch(`${replicas[1]!.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).not.toBeNull();
    expect((await fetch(`${replicas[0]!.url}/v1/reverse?lng=116.41&lat=39.91`)).status).toBe(200);
    await sleep(2000);
    // a replica told to stop while the database is down, writes waiting on it, exits promptly
    // (one once waited forever for its copy to catch up)
    const stopAsked = performance.now();
    await replicas[0]!.stop();
    const stopMs = performance.now() - stopAsked;
    const acknowledgedBefore = acknowledged.length;

    // it comes back: writes are taken again, the copies catch up
    pg.start();
    const restartedAt = performance.now();
    while (acknowledged.length === acknowledgedBefore && performance.now() - restartedAt < 40_000) await sleep(20);
    firstAckAfter = lastAck - restartedAt;
    replicas[0] = await serveChild(['--store', pg.url], { timeoutMs: 120_000 });
    await sleep(1500);

    // a replica is killed and started again while the other goes on writing
    process.kill(replicas[0]!.pid, 'SIGKILL');
    await sleep(1000);
    replicas[0] = await serveChild(['--store', pg.url], { timeoutMs: 120_000 });
    await sleep(1500);
    writing = false;
    await Promise.all(writers);

    const sql = connectPostgis(pg.url, { max: 1 });
    const [{ found }] = (await sql`SELECT count(*) AS found FROM components WHERE code = ANY(${acknowledged})`) as unknown as [{ found: number }];
    await sql.end();
    console.log(
      `faults: writes acknowledged ${acknowledged.length}, found in PostGIS ${found}; answers ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `first acknowledged write ${firstAckAfter.toFixed(0)} ms after the database came back; a replica stopped while it was down exited in ${stopMs.toFixed(0)} ms`,
    );
    expect(statuses.get('503') ?? 0).toBeGreaterThan(0);
    expect(found).toBe(acknowledged.length);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    // printed above; bounded only to catch a replica that never takes writes again (2–4 s on a quiet
    // machine, 10.9 s once in CI beside the other suites)
    expect(firstAckAfter).toBeLessThan(30_000);
    // a write waiting to catch up gives up after 10 s (write-through.ts), then the server closes
    expect(stopMs).toBeLessThan(15_000);
    // and acknowledged writes are on both replicas (the restarted one copied them, the other followed): every 5th, and the last
    for (const replica of replicas) {
      for (const code of [...acknowledged.filter((_, i) => i % 5 === 0), acknowledged.at(-1)!]) {
        const started = performance.now();
        while ((await fetch(`${replica.url}/v1/components/${code}`)).status !== 200) {
          if (performance.now() - started > 5000) throw new Error(`${code} (acknowledged) is not on ${replica.url}`);
          await sleep(20);
        }
      }
    }
    expect((await (await fetch(`${replicas[1]!.url}/health`)).json()) as { status: string }).toMatchObject({ status: 'ok' });
  }, 240_000);
});
