/**
 * @module Operator command line: `npm run cli -- <command>`.
 *
 *   keys create --role <platform|organiser|cpo|cn|admin> [--subject <organiser id|province>] [--label text]
 *   keys revoke <key id>
 *   migrate
 *   members import <file.csv>            (rows report on stdout; exit 1 if any row is rejected)
 *   events recompute <event id>          (derives the event now, in this process)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { ROLES, type Role } from './domain/roles.ts';
import { issueOperatorKey, revokeOperatorKey } from './services/keys.ts';
import { importMembers } from './services/registry/member-import.ts';
import { createLogger } from './log.ts';
import { openDb } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { deriveEvent } from './services/attendance/derive.ts';

const USAGE = `usage: npm run cli -- <command>
  keys create --role <${ROLES.join('|')}> [--subject <organiser id|province code>] [--label <text>]
  keys revoke <key id>
  migrate
  members import <file.csv>
  events recompute <event id>`;

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, subject: { type: 'string' }, label: { type: 'string' } },
  });
  const [group, action, arg] = positionals;
  const config = loadConfig();
  const db = await openDb({ url: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  try {
    await migrate(db);
    switch (`${group} ${action ?? ''}`.trim()) {
      case 'migrate':
        console.log('migrations up to date');
        return 0;
      case 'keys create': {
        const role = values.role as Role;
        if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
        const { id, subject, key } = await issueOperatorKey(db, { role, subject: values.subject ?? null, label: values.label ?? `${role} key` });
        // The key is shown once and only its hash is stored.
        console.log(JSON.stringify({ id, role, subject, key }, null, 2));
        console.error('Store the key now: it cannot be shown again.');
        return 0;
      }
      case 'keys revoke': {
        if (!arg || !(await revokeOperatorKey(db, arg))) throw new Error(`No active key ${arg}`);
        console.log(`revoked ${arg}`);
        return 0;
      }
      case 'members import': {
        if (!arg) throw new Error('members import <file.csv>');
        const report = await importMembers({ db, log: createLogger('silent') }, null, { format: 'csv', bytes: fs.readFileSync(arg) });
        console.log(JSON.stringify(report, null, 2));
        return report.rejected.length ? 1 : 0;
      }
      case 'events recompute': {
        if (!arg) throw new Error('events recompute <event id>');
        const out = await deriveEvent(db, arg, createLogger('silent'));
        if (!out) throw new Error(`No event ${arg}`);
        console.log(JSON.stringify(out, null, 2));
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
