/**
 * Issue 14, "Found when tried as a new user would": `npm run cli -- demo` fills an empty database
 * with a sample a newcomer can look at at once, and refuses one that holds data.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { backendsOf, POSTGRES_URL, REDIS_URL } from '../support/backends.ts';
import { leaseTestDb, type TestDb } from '../support/databases.ts';

for (const backend of backendsOf(import.meta.url)) {
  describe(`the demo on ${backend}`, () => {
    let lease: TestDb;
    let db: Db;
    const env = {
      REDIS_URL,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `test-demo-${crypto.randomBytes(4).toString('hex')}`,
      PUBLIC_URL: 'http://demo.example:8080',
      ...(backend === 'postgres' ? { DATABASE_URL: POSTGRES_URL } : {}),
    };
    beforeAll(async () => {
      lease = await leaseTestDb(backend);
      db = lease.db ?? (await openDb({ url: POSTGRES_URL, schema: lease.schema! }));
    });
    afterAll(async () => {
      if (!lease.db) await db.close();
      await lease.release();
    });

    it('fills organisers of four kinds, members, derived webinars, questionnaires, a course and staff invitations', async () => {
      const { lines } = await runDemo(env, { db, ...(lease.schema ? { schema: lease.schema } : {}) });
      const text = lines.join('\n');
      expect(text.match(/http:\/\/demo\.example:8080\/console\/invito\/[A-Za-z0-9_-]{43}/g)).toHaveLength(3);
      expect(text).toMatch(/http:\/\/demo\.example:8080\/m\/ey/);
      expect(text).toMatch(/http:\/\/demo\.example:8080\/lms\/play\/ey/);
      const one = async (sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]!.n);
      expect(await one('SELECT count(DISTINCT kind) AS n FROM organisers')).toBe(4);
      expect(await one('SELECT count(*) AS n FROM members')).toBe(30);
      // Both past webinars derived, with every kind of outcome the console explains.
      const statuses = (await db.query<{ status: string }>('SELECT DISTINCT status FROM attendance_outcomes')).rows.map((r) => r.status).sort();
      expect(statuses).toEqual(expect.arrayContaining(['credited', 'incomplete', 'not-qualified']));
      expect(await one("SELECT count(*) AS n FROM outbox WHERE kind = 'questionnaire-link'")).toBeGreaterThan(0);
      expect(await one('SELECT count(*) AS n FROM elearning_enrolments')).toBe(5);
      expect(await one("SELECT count(*) AS n FROM events WHERE accreditation_status = 'requested'")).toBe(1);
      expect(await one('SELECT count(*) AS n FROM staff_users')).toBe(3);
    });

    it('refuses a database that already holds data', async () => {
      await expect(runDemo(env, { db, ...(lease.schema ? { schema: lease.schema } : {}) })).rejects.toThrow(/already holds data/);
    });
  });
}
