/**
 * @module Process entry: `all` (gateway + workers, the default `npm start`), `gateway` or `worker`.
 * Shuts down in order on SIGINT/SIGTERM: stop accepting, finish jobs, close queues, close the store.
 */
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startRuntime } from './runtime.ts';

const ROLES = { all: { gateway: true, worker: true }, gateway: { gateway: true, worker: false }, worker: { gateway: false, worker: true } } as const;

async function main() {
  const role = (process.argv[2] ?? 'all') as keyof typeof ROLES;
  const shape = ROLES[role];
  if (!shape) throw new Error(`Unknown role "${role}": use all, gateway or worker`);
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  if (!config.DATABASE_URL && role !== 'all') {
    // PGlite is single-process: separate gateway and worker processes need Postgres.
    throw new Error(`"${role}" alone needs DATABASE_URL (Postgres); without it run "npm start" (gateway and workers in one process on the embedded PGlite).`);
  }
  const rt = await startRuntime(config, { ...shape, log });
  log.info({ role, db: rt.db.kind, url: rt.url }, 'started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
