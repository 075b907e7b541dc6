/**
 * @module A fresh, empty database for a test: its own Postgres schema, or on PGlite a reset of the
 * test worker's one instance (issue 13). Opening a PGlite costs over a second and hundreds of MB;
 * dropping and recreating its `public` schema costs about a tenth of a second, so each test worker
 * (vitest runs with `isolate: false`, modules live as long as the worker) keeps one and hands it to
 * one test at a time. A second lease while the first is held gets a private instance.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/store/db.ts';
import { POSTGRES_URL, type Backend } from './backends.ts';

export interface TestDb {
  /** Null on Postgres until a runtime opens its own pool on `schema`; the PGlite instance otherwise. */
  db: Db | null;
  /** The Postgres schema the test owns, null on PGlite. */
  schema: string | null;
  release(): Promise<void>;
}

let shared: Promise<Db> | null = null;
let leased = false;

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** An empty database on `backend`; `release` drops what the test created. */
export async function leaseTestDb(backend: Backend): Promise<TestDb> {
  if (backend === 'postgres') {
    const schema = `t_${crypto.randomBytes(4).toString('hex')}`;
    await adminQuery(`CREATE SCHEMA ${schema}`);
    return { db: null, schema, release: () => adminQuery(`DROP SCHEMA ${schema} CASCADE`) };
  }
  if (leased) {
    const own = await openDb({ dataDir: 'memory://' });
    return { db: own, schema: null, release: () => own.close() };
  }
  leased = true;
  try {
    shared ??= openDb({ dataDir: 'memory://' });
    const db = await shared;
    // Whatever the previous file left (tables, rows, migrations) goes with the schema.
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    return {
      db,
      schema: null,
      release: async () => {
        leased = false;
      },
    };
  } catch (err) {
    leased = false;
    shared = null;
    throw err;
  }
}
