/**
 * @module Process entry: `all` (gateway + workers, the default `npm start`), `gateway` or `worker`.
 * Shuts down in order on SIGINT/SIGTERM: stop accepting, finish jobs, close queues, close the store.
 */
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startRuntime } from './runtime.ts';
import { hasStaffAccounts } from './services/staff/accounts.ts';

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
  if (rt.url) await greet(rt.url, config.PUBLIC_URL, await hasStaffAccounts(rt.deps), rt.db.kind);
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

/** What a person starting the product needs to read: where the console is, and how to get in. */
async function greet(url: string, publicUrl: string | undefined, hasAccounts: boolean, db: 'postgres' | 'pglite') {
  const lines = [`Console for staff: ${(publicUrl ?? url).replace(/\/+$/, '')}/console   API docs: ${(publicUrl ?? url).replace(/\/+$/, '')}/docs`];
  if (!hasAccounts) {
    lines.push(
      'No staff account yet. Create the first administrator (it prints a one-time link to choose the password):',
      '  npm run cli -- users invite --email you@example.it --name "Nome Cognome" --role admin',
    );
    if (db === 'pglite') lines.push('The embedded database allows one process: stop this one (Ctrl-C) first, then npm start again.');
  }
  process.stderr.write(`\n${lines.join('\n')}\n\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
