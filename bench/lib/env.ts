/**
 * @module Bench environment: where Postgres and Redis are, a private Postgres schema and BullMQ
 * prefix per run (created at start, dropped at the end), and a database handle on that schema.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { openDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchEnv {
  id: string;
  schema: string;
  queuePrefix: string;
  /** DATABASE_URL for child processes: the same database with `search_path` set to the schema. */
  databaseUrl: string;
  redisUrl: string;
  /** The bench's own handle on the schema (setup and checks; never on the measured path). */
  db: Db;
  close(): Promise<void>;
}

/**
 * Creates the schema, migrates it, and returns a handle. `keep` leaves it in place for a
 * post-mortem; `redis: false` for a bench that uses no queue (nothing to delete in Redis).
 */
export async function createBenchEnv(name: string, opts: { keep?: boolean; redis?: boolean } = {}): Promise<BenchEnv> {
  const id = crypto.randomBytes(3).toString('hex');
  const schema = `bench_${name}_${id}`;
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(BENCH_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await openDb({ url: BENCH_DATABASE_URL, schema, poolSize: 4 });
  // Migrated here, before any child starts, so that children find it done.
  await migrate(db);
  const queuePrefix = `bench-${name}-${id}`;
  return {
    id,
    schema,
    queuePrefix,
    databaseUrl: url.toString(),
    redisUrl: BENCH_REDIS_URL,
    db,
    async close() {
      await db.close();
      if (opts.keep) {
        console.log(`[bench] kept schema ${schema}${opts.redis === false ? '' : ` and Redis prefix ${queuePrefix}`}`);
        return;
      }
      const c = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      if (opts.redis === false) return;
      const r = new Redis(BENCH_REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await r.del(...keys);
      } while (cursor !== '0');
      r.disconnect();
    },
  };
}

/** Command-line flags `--name=value`, `--name value` or a bare `--name` (= 'true'), by name. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), 'true');
  }
  return flags;
}
