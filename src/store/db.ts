/**
 * @module One small database interface over Postgres (`pg`) and PGlite (the embedded default).
 *
 * Both return `{ rows }`; differences are normalised here and nowhere else: int8 comes back as a
 * JS number on both (ids stay far below 2^53), bytea as a Buffer.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<R = Row>(text: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Postgres connection string; without it PGlite runs in `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory, or `memory://` (tests). */
  dataDir?: string | undefined;
  /** Postgres schema to use (tests isolate themselves in one). */
  schema?: string | undefined;
  /** Pool size for Postgres. */
  poolSize?: number | undefined;
}

const INT8_OID = 20;

/**
 * Opens the database named by the options.
 *
 * @example
 * const db = await openDb({ url: process.env.DATABASE_URL, dataDir: './data/pglite' });
 */
export async function openDb(opts: DbOptions): Promise<Db> {
  return opts.url ? openPostgres(opts) : openPglite(opts.dataDir ?? './data/pglite');
}

function openPostgres(opts: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // Unset, a connect to an unreachable server waits for ever and the request with it; after
    // this the pool rejects and the gateway answers 503 with Retry-After.
    connectionTimeoutMillis: 5_000,
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const run = async <R>(q: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) => {
    const res = await q.query(text, params as unknown[] | undefined);
    return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    async transaction(fn) {
      const client = await pool.connect();
      // The pool listens for errors on idle clients only: a connection lost while this client is
      // checked out would be an unhandled 'error' event and end the process. The pending query
      // rejects with the same error; a lost client is discarded on release.
      let lost: Error | undefined;
      const onError = (err: Error) => {
        lost = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn({ query: (text, params) => run(client, text, params) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(lost);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const memory = dataDir.startsWith('memory://');
  const release = memory ? () => {} : lockDataDir(dataDir);
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create(memory ? dataDir : path.resolve(dataDir));
  } catch (err) {
    release();
    throw err;
  }
  const norm = <R>(res: { rows: unknown[]; affectedRows?: number }) => ({
    rows: res.rows.map(normaliseRow) as R[],
    rowCount: res.affectedRows ?? res.rows.length,
  });
  return {
    kind: 'pglite',
    query: async (text, params) => norm(await db.query(text, params as unknown[] | undefined)),
    transaction: (fn) => db.transaction((tx) => fn({ query: async (text, params) => norm(await tx.query(text, params as unknown[] | undefined)) })),
    async exec(sql) {
      await db.exec(sql);
    },
    async close() {
      await db.close();
      release();
    },
  };
}

/** PGlite returns bytea as Uint8Array; the rest of the code sees Buffers as with `pg`. */
function normaliseRow(row: unknown): unknown {
  const r = row as Row;
  for (const k of Object.keys(r)) {
    const v = r[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) r[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return r;
}

/**
 * PGlite has no cross-process lock and two processes on one directory corrupt it: a pid file
 * beside the data keeps it to one owner. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const lock = `${path.resolve(dataDir)}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `The embedded database ${dataDir} is in use by process ${pid}. PGlite allows one process: stop it, or set DATABASE_URL to a Postgres server to run several processes.`,
        );
      }
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`Could not lock ${lock}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the database answers a trivial query (health checks); never throws. */
export function databaseAnswers(db: Queryable): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
