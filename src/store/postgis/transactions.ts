import pg from 'pg';

/** What a transaction's work may do: run statements ($1, $2 … parameters) and read their rows. */
export interface Transaction {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

export interface TransactionPool {
  /** runs `work` between BEGIN and COMMIT on one connection; any error rolls it back and is rethrown */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

// 64-bit integers as numbers, as connectPostgis reads them (ids and seqs stay far below 2^53)
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/**
 * The connections a replica writes through (write-through.ts, working-copy.ts): node-postgres,
 * not the postgres.js client the rest of the PostGIS code uses. Why: postgres.js 3.4.9 crashes
 * the whole process when a database connection dies inside `sql.begin` — its own ROLLBACK is
 * written to the closed socket from a setImmediate callback, a TypeError no caller can catch
 * (porsager/postgres#1208, open). A replica whose database stops mid-write died of it in the
 * fault test. node-postgres rejects the pending query instead, and a client that broke is
 * dropped from the pool rather than used again.
 */
export function transactionPool(url: string, { max = 2 }: { max?: number } = {}): TransactionPool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 3000, application_name: 'wangge', types: TYPES });
  // an idle connection the server closed: the pool drops it; the next transaction connects anew
  pool.on('error', () => {});
  return {
    async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => (broken = error);
      client.on('error', onError);
      const tx: Transaction = {
        query: async <R extends Record<string, unknown>>(text: string, params?: unknown[]) => (await client.query<R>(text, params)).rows,
      };
      let lost = false;
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        lost = broken !== undefined || connectionLost(error);
        // nothing more is sent on a connection that broke: the server rolls its transaction back
        if (!lost) await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        // a broken connection is closed, not returned to the pool
        client.release(lost);
      }
    },
    end: () => pool.end(),
  };
}

/**
 * Whether an error says the connection to the database failed or went away: refused, reset,
 * timed out, closed, or PostgreSQL shutting down or starting (node-postgres names some of these
 * only in its message).
 */
export function connectionLost(error: unknown): boolean {
  if (error === undefined || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return typeof message === 'string' && /Connection terminated|connection error|timeout exceeded when trying to connect|Connection ended/i.test(message);
}

// the socket's codes, and PostgreSQL's: admin shutdown, crash shutdown, cannot connect now
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03']);
