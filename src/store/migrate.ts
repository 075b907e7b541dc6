/** @module Applies the SQL migrations in `migrations/` once each, in name order, at start. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from './db.ts';
import { MIGRATION_LOCK } from './locks.ts';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())';

/** Returns the names of the migrations it applied. */
export async function migrate(db: Db): Promise<string[]> {
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const pending = async (q: Queryable) => {
    const done = new Set((await q.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    return files.filter((f) => !done.has(f));
  };
  const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');

  if (db.kind === 'pglite') {
    // Single process by construction (lock file): no lock needed; `exec` runs multi-statement SQL.
    await db.exec(TABLE);
    const todo = await pending(db);
    for (const f of todo) {
      await db.exec(`BEGIN;\n${read(f)}\n;INSERT INTO schema_migrations (version) VALUES ('${f}');\nCOMMIT;`);
    }
    return todo;
  }
  // Postgres: all pending migrations in one transaction under an advisory lock, so that several
  // processes starting together apply each migration exactly once.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(TABLE);
    const todo = await pending(tx);
    for (const f of todo) {
      await tx.query(read(f));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [f]);
    }
    return todo;
  });
}
