/**
 * Storing a derivation writes only what differs (src/store/attendance.ts `saveDerivation`), on
 * every backend: the stored outcomes and credit records always equal the last derivation, an
 * unchanged re-derivation rewrites nothing, a partial change rewrites, adds and removes exactly
 * what changed (and audits it), and when most outcomes change they are all replaced.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveDerivation, type CreditRow, type DerivationInputs, type OutcomeRow } from '../../src/store/attendance.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { backendsOf, POSTGRES_URL } from '../support/backends.ts';

const inputs: DerivationInputs = { toleranceMinutes: 30, records: 0, highWater: 0, corrections: 0, closed: false, registrations: 0, accreditation: 'approved' };

function outcome(memberId: string, credits: number, note = ''): OutcomeRow {
  return {
    participantKey: `member:${memberId}`,
    memberId,
    status: credits ? 'credited' : 'not-qualified',
    coveredMinutes: credits ? 120 : 30,
    absentMinutes: credits ? 0 : 90,
    toleranceMinutes: 30,
    credits,
    explanation: { reason: credits ? 'qualifies' : 'too-absent', note },
  };
}

/** Participants matching no member, the same in every derivation below but the last: they keep the change partial. */
const stable: OutcomeRow[] = Array.from({ length: 6 }, (_, i) => ({
  participantKey: `email:guest${i}@example.it`,
  memberId: null,
  status: 'unmatched',
  coveredMinutes: 60,
  absentMinutes: 60,
  toleranceMinutes: 30,
  credits: 0,
  explanation: { reason: 'no-registration-match' },
}));

const credit = (memberId: string, fraction: number, credits = 1): CreditRow => ({
  memberId,
  fraction,
  credits,
  deontologyCredits: 0,
  mode: 'webinar',
  year: 2026,
  status: 'granted',
});

for (const backend of backendsOf(import.meta.url)) {
  describe(`saveDerivation on ${backend}`, () => {
    let db: Db;
    let schema: string | null = null;
    let eventId: string;
    const members = Array.from({ length: 6 }, () => crypto.randomUUID());
    const [m1, m2, m3, m4, m5, m6] = members as [string, string, string, string, string, string];

    beforeAll(async () => {
      if (backend === 'postgres') {
        schema = `t_ds_${crypto.randomBytes(4).toString('hex')}`;
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.end();
        db = await openDb({ url: POSTGRES_URL, schema });
      } else {
        db = await openDb({ dataDir: 'memory://' });
      }
      await migrate(db);
      const organiserId = crypto.randomUUID();
      eventId = crypto.randomUUID();
      await db.query(`INSERT INTO organisers (id, name, kind, province) VALUES ($1, 'CPO MI', 'a', 'MI')`, [organiserId]);
      await db.query(
        `INSERT INTO events (id, organiser_id, cpo_province, title, mode, topics, start_at, end_at, credits, tolerance_minutes,
           accreditation_status, accreditation_requested_at)
         VALUES ($1, $2, 'MI', 'Webinar', 'webinar', '[]', '2026-01-15T13:00:00Z', '2026-01-15T15:00:00Z', 2, 30, 'approved', now())`,
        [eventId, organiserId],
      );
      for (const [i, id] of members.entries()) {
        await db.query(
          `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date)
           VALUES ($1, $2, 'Rossi', 'Anna', 'MI', $3, '1980-01-01', '2010-01-01')`,
          [id, `CF${i}${crypto.randomBytes(4).toString('hex')}`, `ds-${i}-${crypto.randomBytes(3).toString('hex')}`],
        );
      }
    });

    afterAll(async () => {
      await db?.close();
      if (schema) {
        const c = new pg.Client({ connectionString: POSTGRES_URL });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      }
    });

    const save = (outcomes: OutcomeRow[], credits: CreditRow[], cause: string) =>
      db.transaction((tx) => saveDerivation(tx, { eventId, outcomes, credits, cause, inputs, startedAt: new Date() }));

    async function stored() {
      const o = await db.query<{ participant_key: string; status: string; credits: number; explanation: unknown; derived_at: Date }>(
        'SELECT participant_key, status, credits, explanation, derived_at FROM attendance_outcomes WHERE event_id = $1 ORDER BY participant_key',
        [eventId],
      );
      const c = await db.query<{ member_id: string; fraction: number; credits: number; derived_at: Date }>(
        'SELECT member_id, fraction, credits, derived_at FROM credit_records WHERE event_id = $1 ORDER BY member_id, fraction',
        [eventId],
      );
      return {
        outcomes: o.rows.map((r) => ({
          key: r.participant_key,
          status: r.status,
          credits: r.credits,
          explanation: r.explanation,
          at: new Date(r.derived_at).getTime(),
        })),
        credits: c.rows.map((r) => ({ key: `${r.member_id}/${r.fraction}`, credits: r.credits, at: new Date(r.derived_at).getTime() })),
      };
    }
    const keysOf = (outcomes: OutcomeRow[]) => outcomes.map((o) => o.participantKey).sort();
    const tick = () => new Promise((r) => setTimeout(r, 5)); // distinct derived_at per derivation

    let first: Awaited<ReturnType<typeof stored>>;

    it('stores a first derivation whole', async () => {
      const outcomes = [outcome(m1, 2), outcome(m2, 2), outcome(m3, 0), outcome(m4, 2), ...stable];
      const r = await save(outcomes, [credit(m1, 1), credit(m1, 2), credit(m2, 1), credit(m2, 2), credit(m4, 1), credit(m4, 2)], 'first derivation');
      expect(r.changed).toBe(10);
      first = await stored();
      expect(first.outcomes.map((o) => o.key)).toEqual(keysOf(outcomes));
      expect(first.credits).toHaveLength(6);
    });

    it('an unchanged re-derivation rewrites nothing and audits nothing', async () => {
      await tick();
      const r = await save(
        [outcome(m1, 2), outcome(m2, 2), outcome(m3, 0), outcome(m4, 2), ...stable],
        [credit(m1, 1), credit(m1, 2), credit(m2, 1), credit(m2, 2), credit(m4, 1), credit(m4, 2)],
        'recomputed',
      );
      expect(r.changed).toBe(0);
      expect(await stored()).toEqual(first); // derived_at included: not one row touched
      const audit = await db.query('SELECT 1 FROM outcome_audit WHERE derivation_id = $1', [r.derivationId]);
      expect(audit.rows).toHaveLength(0);
    });

    it('a partial change rewrites, adds and removes exactly what changed', async () => {
      await tick();
      // m1 unchanged; m2 loses a fraction; m3 same figures, new explanation; m4 gone; m5 new.
      const outcomes = [outcome(m1, 2), outcome(m2, 1), outcome(m3, 0, 'late record'), outcome(m5, 2), ...stable];
      const r = await save(outcomes, [credit(m1, 1), credit(m1, 2), credit(m2, 1), credit(m5, 1), credit(m5, 2)], 'new records');
      const now = await stored();
      expect(now.outcomes.map((o) => o.key)).toEqual(keysOf(outcomes));
      const at = (key: string) => now.outcomes.find((o) => o.key === key)!.at;
      const before = (key: string) => first.outcomes.find((o) => o.key === key)!.at;
      expect(at(`member:${m1}`)).toBe(before(`member:${m1}`)); // untouched
      expect(at(stable[0]!.participantKey)).toBe(before(stable[0]!.participantKey));
      expect(at(`member:${m2}`)).toBeGreaterThan(before(`member:${m2}`));
      expect(at(`member:${m3}`)).toBeGreaterThan(before(`member:${m3}`));
      expect(now.outcomes.find((o) => o.key === `member:${m3}`)!.explanation).toEqual({ reason: 'too-absent', note: 'late record' });
      expect(now.outcomes.find((o) => o.key === `member:${m2}`)!.credits).toBe(1);
      expect(now.credits.map((c) => c.key).sort()).toEqual([`${m1}/1`, `${m1}/2`, `${m2}/1`, `${m5}/1`, `${m5}/2`].sort());
      const creditAt = (key: string) => now.credits.find((c) => c.key === key)!.at;
      expect(creditAt(`${m1}/1`)).toBe(first.credits.find((c) => c.key === `${m1}/1`)!.at);
      // Audited: m2 (credits), m4 (gone), m5 (new); m3's figures did not change.
      expect(r.changed).toBe(3);
      const audit = await db.query<{ participant_key: string; new: unknown }>(
        'SELECT participant_key, new FROM outcome_audit WHERE derivation_id = $1 ORDER BY participant_key',
        [r.derivationId],
      );
      expect(audit.rows.map((a) => a.participant_key).sort()).toEqual([`member:${m2}`, `member:${m4}`, `member:${m5}`].sort());
      expect(audit.rows.find((a) => a.participant_key === `member:${m4}`)!.new).toBeNull();
    });

    it('when most outcomes change, all are replaced and still equal the derivation', async () => {
      await tick();
      const outcomes = [outcome(m1, 1, 'tolerance'), outcome(m2, 2, 'tolerance'), outcome(m3, 2, 'tolerance'), outcome(m5, 2), outcome(m6, 0)];
      const credits = [credit(m1, 1), credit(m2, 1), credit(m2, 2), credit(m3, 1), credit(m3, 2), credit(m5, 1), credit(m5, 2)];
      await save(outcomes, credits, 'tolerance');
      const now = await stored();
      expect(now.outcomes.map((o) => ({ key: o.key, credits: o.credits }))).toEqual(
        outcomes.map((o) => ({ key: o.participantKey, credits: o.credits })).sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
      expect(new Set(now.outcomes.map((o) => o.at)).size).toBe(1); // one derivation wrote them all
      expect(now.credits.map((c) => c.key).sort()).toEqual(credits.map((c) => `${c.memberId}/${c.fraction}`).sort());
    });
  });
}
