/**
 * The evidence store's group commit (src/store/evidence.ts) on every backend: calls that are
 * written together in one statement keep every property of calls written alone — each resolves
 * after COMMIT with its own delivery, a record sent twice is stored once and reported once as a
 * duplicate, a bad call fails alone, the delivery bytes are kept exactly. Then through HTTP:
 * many concurrent single-record requests with redeliveries among them.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebinarRecord } from '../../src/schemas/ingest.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { storeEvidence, type Delivery, type WriteResult } from '../../src/store/evidence.ts';
import { migrate } from '../../src/store/migrate.ts';
import { backendsOf, POSTGRES_URL } from '../support/backends.ts';
import { soakSize } from '../support/soak.ts';
import { createCpoOrganiser, pastWebinar, romeAfternoon } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const record = (id: string, at = '2026-01-15T14:05:00+01:00'): WebinarRecord => ({
  id,
  type: 'join',
  at,
  participant: { registrantId: `reg-${id}`, email: `Persona.${id}@Studio.example.it`, name: `Persona ${id}` },
});

const delivery = (source: string, body: string, verification: Delivery['verification'] = null): Delivery => ({
  source,
  receivedAt: new Date(),
  clientAddr: '127.0.0.1',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(body),
  verification,
});

for (const backend of backendsOf(import.meta.url)) {
  describe(`evidence store group commit on ${backend}`, () => {
    let db: Db;
    let schema: string | null = null;
    let eventId: string;

    beforeAll(async () => {
      if (backend === 'postgres') {
        schema = `t_ev_${crypto.randomBytes(4).toString('hex')}`;
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

    it('concurrent calls: each its own delivery, overlapping records stored once, every duplicate reported once', async () => {
      // Started in the same tick: written together.
      const calls = [
        storeEvidence(
          db,
          eventId,
          delivery('api:a', '{"n":1}'),
          [record('a1'), record('a2'), record('a1')].map((r) => ({ record: r })),
        ),
        storeEvidence(
          db,
          eventId,
          delivery('api:a', '{"n":2}'),
          [record('a2'), record('a3')].map((r) => ({ record: r })),
        ),
        storeEvidence(
          db,
          eventId,
          delivery('api:b', '{"n":3}'),
          [record('a1')].map((r) => ({ record: r })),
        ), // another source: not a duplicate
        storeEvidence(db, null, delivery('zoom:c', '{"n":4}', { scheme: 'zoom-v0-hmac-sha256', ok: true }), [{ record: record('z1') }]), // no event: delivery only
        storeEvidence(db, eventId, delivery('api:a', '{"n":5}'), []),
      ];
      const results: WriteResult[] = await Promise.all(calls);
      expect(results.map(({ accepted, duplicates }) => ({ accepted, duplicates }))).toEqual([
        { accepted: 2, duplicates: 1 },
        { accepted: 1, duplicates: 1 },
        { accepted: 1, duplicates: 0 },
        { accepted: 0, duplicates: 0 },
        { accepted: 0, duplicates: 0 },
      ]);
      expect(new Set(results.map((r) => r.deliveryId)).size).toBe(5);

      const rows = (
        await db.query<{ source: string; source_record_id: string; delivery_id: number; email: string; raw: unknown }>(
          'SELECT source, source_record_id, delivery_id, email, raw FROM tracking_records WHERE event_id = $1 ORDER BY source, source_record_id',
          [eventId],
        )
      ).rows;
      expect(rows.map((r) => `${r.source}/${r.source_record_id}@${r.delivery_id}`)).toEqual([
        `api:a/a1@${results[0]!.deliveryId}`,
        `api:a/a2@${results[0]!.deliveryId}`,
        `api:a/a3@${results[1]!.deliveryId}`,
        `api:b/a1@${results[2]!.deliveryId}`,
      ]);
      expect(rows[0]!.email).toBe('persona.a1@studio.example.it');
      expect(rows[0]!.raw).toEqual(record('a1'));

      const deliveries = (
        await db.query<{ id: number; source: string; body: Buffer; verification: unknown; headers: unknown }>(
          'SELECT id, source, body, verification, headers FROM deliveries WHERE id = ANY($1::bigint[]) ORDER BY id',
          [results.map((r) => r.deliveryId)],
        )
      ).rows;
      const byId = new Map(deliveries.map((d) => [Number(d.id), d]));
      results.forEach((r, i) => expect(Buffer.from(byId.get(r.deliveryId)!.body).toString()).toBe(`{"n":${i + 1}}`));
      expect(byId.get(results[3]!.deliveryId)!.verification).toEqual({ scheme: 'zoom-v0-hmac-sha256', ok: true });
      expect(byId.get(results[0]!.deliveryId)!.verification).toBeNull();
      expect(byId.get(results[0]!.deliveryId)!.headers).toEqual({ 'content-type': 'application/json' });
    });

    it('a call the database rejects fails alone; the others of its group are stored', async () => {
      const unknownEvent = crypto.randomUUID(); // no such event: the foreign key rejects it
      const settled = await Promise.allSettled([
        storeEvidence(db, eventId, delivery('api:g', '{}'), [{ record: record('g1') }]),
        storeEvidence(db, unknownEvent, delivery('api:g', '{}'), [{ record: record('g2') }]),
        storeEvidence(db, eventId, delivery('api:g', '{}'), [{ record: record('g1') }, { record: record('g3') }]),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const ok = settled.filter((s): s is PromiseFulfilledResult<WriteResult> => s.status === 'fulfilled').map((s) => s.value);
      // g1 is in two calls: stored once, one of them reports it as a duplicate.
      expect(ok.reduce((n, r) => n + r.accepted, 0)).toBe(2);
      expect(ok.reduce((n, r) => n + r.duplicates, 0)).toBe(1);
      const { rows } = await db.query<{ id: string }>("SELECT source_record_id AS id FROM tracking_records WHERE source = 'api:g' ORDER BY 1");
      expect(rows.map((r) => r.id)).toEqual(['g1', 'g3']);
      const orphans = await db.query('SELECT 1 FROM tracking_records WHERE event_id = $1', [unknownEvent]);
      expect(orphans.rows).toHaveLength(0);
    });

    it('many concurrent calls (larger than one group) lose nothing and double nothing', async () => {
      const ids = Array.from({ length: 1200 }, (_, i) => `m${i % 1000}`); // 200 redeliveries
      const results = await Promise.all(ids.map((id) => storeEvidence(db, eventId, delivery('api:m', `{"id":"${id}"}`), [{ record: record(id) }])));
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(1000);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(200);
      const { rows } = await db.query<{ n: number; d: number }>(
        "SELECT count(*)::int AS n, count(DISTINCT delivery_id)::int AS d FROM tracking_records WHERE source = 'api:m'",
      );
      expect(rows[0]).toEqual({ n: 1000, d: 1000 });
    });
  });
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`concurrent single-record ingest through HTTP on ${backend}`, () => {
    let h: Harness;
    afterAll(async () => {
      await h?.close();
    });

    // 300 concurrent requests (60 redeliveries) under `npm run bench:soak`; 60 (12) in the suite.
    const total = soakSize(60, 300);
    const distinct = (total * 4) / 5;
    it(`${total} concurrent requests, ${total - distinct} of them redeliveries: all 202, each record stored once and acknowledged as such`, async () => {
      h = await startHarness(backend, { worker: false });
      const keys = await createCpoOrganiser(h, 'MI');
      const start = romeAfternoon(1);
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 2, { regionWide: true }) });
      expect(ev.status, ev.text).toBe(201);
      const at = new Date(start + 600_000).toISOString();
      const ids = Array.from({ length: total }, (_, i) => `s${i % distinct}`);
      const answers = await Promise.all(
        ids.map((id) => h.api('POST', `/v1/ingest/webinar/${ev.body.id}`, { key: keys.platform, body: { records: [{ ...record(id, at) }] } })),
      );
      expect(answers.map((a) => a.status)).toEqual(ids.map(() => 202));
      expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(distinct);
      expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(total - distinct);
      const { rows } = await h.rt.db.query<{ n: number; d: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT source_record_id)::int AS d FROM tracking_records WHERE event_id = $1',
        [ev.body.id],
      );
      expect(rows[0]).toEqual({ n: distinct, d: distinct });
      const deliveries = await h.rt.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE source LIKE 'api:%'");
      expect(deliveries.rows[0]!.n).toBe(total); // every HTTP delivery kept, redeliveries included
    });
  });
}
