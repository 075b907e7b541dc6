/**
 * @module Operator command line: `npm run cli -- <command>`.
 *
 *   keys create --role <platform|organiser|cpo|cn|admin> [--subject <organiser id|province>] [--label text]
 *   keys revoke <key id>
 *   migrate
 *   members import <file.csv>            (rows report on stdout; exit 1 if any row is rejected)
 *   events recompute <event id>          (derives the event now, in this process)
 *   demo                                 (fills an empty database with a realistic sample; prints where to sign in)
 *   users invite --email <e-mail> --name <name> --role <organiser|cpo|cn|admin> [--subject <organiser id|province>]
 *                                        (prints the one-time link; the first admin is made this way)
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
import { isStaffRole, STAFF_ROLES } from './domain/staff-accounts.ts';
import { inviteStaff } from './services/staff/accounts.ts';

const USAGE = `usage: npm run cli -- <command>
  keys create --role <${ROLES.join('|')}> [--subject <organiser id|province code>] [--label <text>]
  keys revoke <key id>
  migrate
  members import <file.csv>
  events recompute <event id>
  users invite --email <e-mail> --name <name> --role <${STAFF_ROLES.join('|')}> [--subject <organiser id|province code>]
  demo`;

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, subject: { type: 'string' }, label: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } },
  });
  const [group, action, arg] = positionals;
  const config = loadConfig();
  const db = await openDb({ url: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  let closed = false;
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
      case 'users invite': {
        const role = values.role ?? '';
        if (!isStaffRole(role)) throw new Error(`--role must be one of ${STAFF_ROLES.join(', ')}`);
        if (!values.email || !values.name) throw new Error('users invite needs --email and --name');
        const origin = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
        const ctx = { db, config, log: createLogger('silent'), now: Date.now, mail: null };
        const r = await inviteStaff(ctx, 'operator', { email: values.email, displayName: values.name, role, subject: values.subject ?? null, origin });
        console.log(`Account ${r.account.email} (${r.account.role}) created. Open this link to choose the password (valid 72 hours, once):\n\n  ${r.link}\n`);
        console.error('The link is shown once; the invitation mail also waits in the outbox.');
        return 0;
      }
      case 'demo': {
        // The demo runs the product in this process on its own database connection.
        await db.close();
        closed = true;
        const { runDemo } = await import('./demo.ts');
        const r = await runDemo(process.env);
        console.log(`The sample is in place. Start the product with npm start (same DATA_DIR / DATABASE_URL), then:\n\n${r.lines.join('\n')}\n`);
        return 0;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    if (!closed) await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
