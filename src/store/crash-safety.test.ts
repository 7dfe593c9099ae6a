import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_WRITER, dayOf, extendPlan, tagOf, type CrashChange } from '../test-helpers/crash-plan.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { lastChangeSeq } from './changes.js';
import { Store } from './store.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('../test-helpers/crash-writer.ts', import.meta.url));
const ROUNDS = 25;
/** rounds that start with an import too big to commit before the kill: nothing of them may remain */
const BEFORE_FIRST_COMMIT = new Set([2, 10, 18]);
const BIG_IMPORT = 20_000;
/** changes planned per round: more than a child gets through in 400 ms */
const PLANNED = 4000;
const STREET = '110101001';

let dir: string;
let db: string;
let grid: string;
let seed: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-crash-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  // 东华门街道's features only, so integrity checks and digests after every kill stay quick
  const store = Store.open(db);
  store.db.exec(`
    DELETE FROM components WHERE unit_grid_code IS NULL OR unit_grid_code NOT LIKE '${STREET}%';
    DELETE FROM houses WHERE unit_grid_code IS NULL OR unit_grid_code NOT LIKE '${STREET}%';
    DELETE FROM addresses WHERE house_id IS NULL OR house_id NOT IN (SELECT id FROM houses);
    VACUUM;`);
  grid = store.db.prepare("SELECT code FROM grids WHERE scheme = 'social' AND code LIKE ? ORDER BY code LIMIT 1").pluck().get(`${STREET}%`) as string;
  store.close();
  seed = Number(process.env.WANGGE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Killed {
  /** the last change the child said it committed */
  acknowledged: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the writer from change `from` and SIGKILLs it `delayMs` after it starts writing. */
function runAndKill(planFile: string, from: number, delayMs: number): Promise<Killed> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, db, planFile, String(from), grid], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let acknowledged = from - 1;
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    stdout = lines.pop()!;
    for (const line of lines) {
      if (line === 'writing') timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      const committed = /^committed (\d+)$/.exec(line);
      if (committed) acknowledged = Number(committed[1]);
    }
  });
  return new Promise((resolve) => {
    child.once('close', (_code, signal) => {
      clearTimeout(timer);
      resolve({ acknowledged, signal, stderr });
    });
  });
}

/**
 * How many changes of the plan the store holds, checking that they are a prefix 1..m and that
 * every batch is whole; throws naming the first change that breaks it.
 */
function appliedPrefix(store: Store, plan: readonly CrashChange[]): number {
  const counts = new Map(
    (store.db.prepare("SELECT data_source, count(*) FROM components WHERE data_source LIKE 'crash-%' GROUP BY data_source").raw().all() as [string, number][]).map(
      ([tag, n]) => [tag, n],
    ),
  );
  const createTags = plan.filter((c) => c.kind === 'create').map((c) => tagOf(c.k));
  const created = new Map(
    (
      store.db
        .prepare('SELECT data_source, name, status, change_date FROM components WHERE data_source IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(createTags)) as { data_source: string; name: string; status: string; change_date: string | null }[]
    ).map((row) => [row.data_source, row]),
  );
  const versions = new Set(store.db.prepare("SELECT valid_from FROM grids WHERE scheme = 'social' AND code = ?").pluck().all(grid) as string[]);

  const planned = new Set(plan.filter((c) => c.kind === 'import' || c.kind === 'create').map((c) => tagOf(c.k)));
  for (const tag of counts.keys()) if (!planned.has(tag)) throw new Error(`components tagged ${tag}, which no import or create of the plan wrote`);

  const applied = plan.map((change): boolean => {
    switch (change.kind) {
      case 'import': {
        const n = counts.get(tagOf(change.k)) ?? 0;
        if (n !== 0 && n !== change.size) throw new Error(`import ${change.k} is torn: ${n} of its ${change.size} components are stored`);
        return n === change.size;
      }
      case 'create': {
        const n = counts.get(tagOf(change.k)) ?? 0;
        if (n > 1) throw new Error(`create ${change.k} is stored ${n} times`);
        return n === 1;
      }
      case 'patch': {
        const target = created.get(tagOf(change.target));
        return target?.name === tagOf(change.k);
      }
      case 'retire': {
        const target = created.get(tagOf(change.target));
        return target?.status === '废弃' && target.change_date === dayOf(change.k);
      }
      case 'redraw':
        return versions.has(dayOf(change.k));
    }
  });
  const m = applied.indexOf(false) === -1 ? applied.length : applied.indexOf(false);
  const later = applied.indexOf(true, m);
  if (later !== -1) throw new Error(`change ${later + 1} (${plan[later]!.kind}) is stored but change ${m + 1} (${plan[m]!.kind}) before it is not`);
  return m;
}

interface LoggedRow {
  seq: number;
  actor: string;
  op: string;
  layer: string;
  key: string;
  after: string | null;
}

/** Checks that the change log after `sinceSeq` holds exactly the rows of `changes`, in order; returns the last seq. */
function checkChangeLog(store: Store, changes: readonly CrashChange[], sinceSeq: number): number {
  const rows = store.db.prepare('SELECT seq, actor, op, layer, key, after FROM changes WHERE seq > ? ORDER BY seq').all(sinceSeq) as LoggedRow[];
  const codeOf = (k: number): string => store.db.prepare('SELECT code FROM components WHERE data_source = ?').pluck().get(tagOf(k)) as string;
  let next = 0;
  const take = (change: CrashChange, expected: Partial<LoggedRow>, after: Record<string, unknown>): void => {
    const row = rows[next++];
    if (!row) throw new Error(`change ${change.k} (${change.kind}) is stored but the change log has no row for it`);
    const logged = JSON.parse(row.after ?? 'null') as Record<string, unknown> | null;
    const got = { actor: row.actor, op: row.op, layer: row.layer, ...(expected.key ? { key: row.key } : {}) };
    const gotAfter = Object.fromEntries(Object.keys(after).map((name) => [name, logged?.[name]]));
    if (JSON.stringify(got) !== JSON.stringify({ ...got, ...expected }) || JSON.stringify(gotAfter) !== JSON.stringify(after)) {
      throw new Error(`change log row ${row.seq} is ${JSON.stringify({ ...got, after: gotAfter })}; change ${change.k} (${change.kind}) should have logged ${JSON.stringify({ ...expected, after })}`);
    }
  };
  for (const change of changes) {
    const actor = change.kind === 'import' ? 'import' : CRASH_WRITER;
    if (change.kind === 'import') {
      for (let i = 0; i < change.size; i++) take(change, { actor, op: 'create', layer: 'components' }, { data_source: tagOf(change.k) });
    } else if (change.kind === 'create') {
      take(change, { actor, op: 'create', layer: 'components' }, { data_source: tagOf(change.k) });
    } else if (change.kind === 'patch') {
      take(change, { actor, op: 'update', layer: 'components', key: codeOf(change.target) }, { name: tagOf(change.k), status: '破损' });
    } else if (change.kind === 'retire') {
      take(change, { actor, op: 'retire', layer: 'components', key: codeOf(change.target) }, { status: '废弃', change_date: dayOf(change.k) });
    } else {
      take(change, { actor, op: 'version', layer: 'grids', key: `social:${grid}` }, { valid_from: dayOf(change.k) });
    }
  }
  if (next < rows.length) throw new Error(`the change log has ${rows.length - next} rows (from seq ${rows[next]!.seq}) that no stored change accounts for`);
  return rows.length > 0 ? rows[rows.length - 1]!.seq : sinceSeq;
}

describe('crash safety', () => {
  it(`a writer SIGKILLed ${ROUNDS} times at random moments leaves a whole database: a prefix of its changes, each whole, logged once`, async () => {
    const started = performance.now();
    const random = seededRandom(seed);
    const planFile = join(dir, 'plan.json');
    const copy = join(dir, 'before-round.db');
    let plan: CrashChange[] = [];
    let applied = 0;
    const opened = Store.open(db);
    let seq = lastChangeSeq(opened.db);
    const baseComponents = opened.counts().components;
    opened.close();
    const stats = { unacknowledged: 0, walAfterKill: 0, maxWalBytes: 0, digestsEqual: 0, interrupted: new Map<string, number>() };

    for (let round = 0; round < ROUNDS; round++) {
      const context = `round ${round + 1} (seed ${seed}, WANGGE_CRASH_SEED replays it)`;
      const untouched = BEFORE_FIRST_COMMIT.has(round);
      plan = extendPlan(plan, applied, PLANNED, random, untouched ? BIG_IMPORT : undefined);
      writeFileSync(planFile, JSON.stringify(plan));
      if (untouched) {
        expect(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0, 'the last close checkpointed the WAL').toBe(false);
        copyFileSync(db, copy);
      }

      const killed = await runAndKill(planFile, applied + 1, 50 + random() * 350);
      expect(killed.signal, `${context}: the writer ended by itself:\n${killed.stderr}`).toBe('SIGKILL');
      const walBytes = existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0;
      if (walBytes > 0) stats.walAfterKill++;
      stats.maxWalBytes = Math.max(stats.maxWalBytes, walBytes);

      // opening read-write replays the committed frames of the WAL and drops the rest
      const store = Store.open(db);
      try {
        expect(store.db.pragma('integrity_check', { simple: true }), context).toBe('ok');
        const m = appliedPrefix(store, plan);
        expect([killed.acknowledged, killed.acknowledged + 1], `${context}: ${m} changes stored, the writer acknowledged ${killed.acknowledged}`).toContain(m);
        if (m === killed.acknowledged + 1) stats.unacknowledged++;
        const interrupted = plan[m]!.kind;
        stats.interrupted.set(interrupted, (stats.interrupted.get(interrupted) ?? 0) + 1);
        seq = checkChangeLog(store, plan.slice(applied, m), seq);
        const stored = plan.slice(0, m).reduce((n, c) => n + (c.kind === 'import' ? c.size : c.kind === 'create' ? 1 : 0), 0);
        expect(store.counts().components, context).toBe(baseComponents + stored);
        if (untouched) {
          expect(m, `${context}: an import of ${BIG_IMPORT} committed within 400 ms`).toBe(applied);
          const before = Store.open(copy, { readonly: true });
          try {
            expect(store.contentDigest(), `${context}: content changed though nothing was committed`).toBe(before.contentDigest());
          } finally {
            before.close();
          }
          stats.digestsEqual++;
        }
        applied = m;
      } finally {
        store.close();
      }
      expect(existsSync(`${db}-wal`) && statSync(`${db}-wal`).size > 0, `${context}: closing checkpointed the WAL`).toBe(false);
    }

    const done = plan.slice(0, applied);
    const count = (kind: CrashChange['kind']): number => done.filter((c) => c.kind === kind).length;
    const imported = done.reduce((n, c) => n + (c.kind === 'import' ? c.size : 0), 0);
    const interrupted = [...stats.interrupted].map(([kind, n]) => `${kind} ${n}`).join(', ');
    console.log(
      `crash safety: ${ROUNDS} kills (seed ${seed}), integrity ok after each; ${applied} changes committed and found whole, in order, logged once ` +
        `(${count('import')} imports of ${imported} components, ${count('create')} creates, ${count('patch')} patches, ${count('retire')} retirements, ${count('redraw')} grid redraws); ` +
        `${stats.unacknowledged} kills fell between a commit and its acknowledgement; next change when killed: ${interrupted}; ` +
        `WAL left by ${stats.walAfterKill} kills (up to ${(stats.maxWalBytes / 2 ** 20).toFixed(1)} MiB), recovered on reopening; ` +
        `content digest unchanged in ${stats.digestsEqual}/${BEFORE_FIRST_COMMIT.size} kills during a first uncommitted ${BIG_IMPORT}-component import; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(stats.digestsEqual).toBe(BEFORE_FIRST_COMMIT.size);
  }, 180_000);
});
