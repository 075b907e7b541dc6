/**
 * @module A province of members in every state of a biennium's February verification (R-VER-4),
 * for the tests of its exports and background jobs: members imported through the API, events
 * through the API, credit records, debts and a reduction seeded in the store (the balance
 * pipeline has its own tests). The first seven members are one of each state; the rest have no
 * credits (`short`).
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import type { VerificationStatus } from '../../src/domain/verification.ts';
import { codiceFiscale, createCpoOrganiser, pastWebinar } from './fixtures.ts';
import type { Harness } from './harness.ts';

export interface SeededMember {
  id: string;
  codiceFiscale: string;
  surname: string;
  givenName: string;
  /** The member's status in the February snapshot. */
  february: VerificationStatus;
}

export interface SeededProvince {
  members: SeededMember[];
  keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  /** Events by their Rome date (yyyy-mm-dd). */
  events: Record<string, string>;
  /** A credit record of `credits` for a member at an event (a new fact for a later run). */
  credit(memberId: string, eventDate: string, credits: number, deontology: number): Promise<void>;
}

const ARCHETYPES: VerificationStatus[] = ['compliant', 'short', 'reduced', 'new-member', 'debt-accepted', 'debt-accepted', 'not-due'];

/**
 * `count` members of `province` (at least 7), numbered from `offset` (codice fiscale, names
 * `Cognome<n>`), in every state of biennium `biennium`'s February phase.
 */
export async function seedVerificationProvince(
  h: Harness,
  opts: { province: string; biennium: number; count: number; offset: number },
): Promise<SeededProvince> {
  const { province, biennium: b, count, offset } = opts;
  const keys = await createCpoOrganiser(h, province);
  const header = 'codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email';
  const lines = Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    return `${codiceFiscale(n + 1)};Cognome${n};Nome${n};${province};V${n};1980-01-01;2010-01-01;verifica${n}@studio.example.it`;
  });
  const imp = await h.api('POST', '/v1/members/import', { key: keys.cn, raw: [header, ...lines].join('\n'), headers: { 'content-type': 'text/csv' } });
  if (imp.status !== 200 || imp.body.created !== count) throw new Error(`import ${imp.status} ${imp.text}`);
  const cfs = lines.map((_, i) => codiceFiscale(offset + i + 1));
  const { rows } = await h.rt.db.query<{ id: string; codice_fiscale: string }>(
    'SELECT id, codice_fiscale FROM members WHERE codice_fiscale = ANY($1::text[])',
    [cfs],
  );
  const idOf = new Map(rows.map((r) => [r.codice_fiscale, r.id]));
  const members: SeededMember[] = cfs.map((cf, i) => ({
    id: idOf.get(cf)!,
    codiceFiscale: cf,
    surname: `Cognome${offset + i}`,
    givenName: `Nome${offset + i}`,
    february: ARCHETYPES[i] ?? 'short',
  }));

  const events: Record<string, string> = {};
  for (const d of [`${b}-05-10`, `${b + 1}-05-10`, `${b + 1}-09-10`, `${b + 2}-03-15`]) {
    const start = DateTime.fromISO(`${d}T15:00`, { zone: 'Europe/Rome' }).toMillis();
    const res = await h.api('POST', '/v1/events', {
      key: keys.organiser,
      body: { ...pastWebinar(start, 2), cpoProvince: province, mode: 'in-person', title: `evento ${d}` },
    });
    if (res.status !== 201) throw new Error(`event ${res.status} ${res.text}`);
    events[d] = res.body.id;
  }
  const credit = async (memberId: string, eventDate: string, credits: number, deontology: number) => {
    await h.rt.db.query(
      `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
       VALUES ($1, $2, 0, $3, $4, 'in-person', $5, 'granted', now())`,
      [memberId, events[eventDate], credits, deontology, Number(eventDate.slice(0, 4))],
    );
  };
  const [compliant, , reduced, fresh, settles, fails, notDue] = members;
  await credit(compliant!.id, `${b}-05-10`, 30, 6);
  await credit(compliant!.id, `${b + 1}-05-10`, 20, 0);
  await credit(members[1]!.id, `${b}-05-10`, 40, 2);
  await credit(reduced!.id, `${b}-05-10`, 44, 5);
  await h.rt.db.query(
    `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision, decided_at, decided_by, updated_at)
     VALUES ($1, $2, $3, $4, 'illness', $5::jsonb, '{}', $6, now(), '{}', 'approved',
             '{"outcome":"approved","reduction":6,"deontology":1,"ordinary":5,"validity":"biennium","validUntil":null}', now(), 'cpo:test', now())`,
    [crypto.randomUUID(), reduced!.id, province, b, JSON.stringify({ from: `${b + 1}-03-01`, to: `${b + 1}-05-31` }), `${b + 1}-06-01`],
  );
  await h.rt.db.query('UPDATE members SET registration_date = $2 WHERE id = $1', [fresh!.id, `${b}-03-15`]);
  await credit(fresh!.id, `${b}-05-10`, 44, 5);
  for (const d of [settles!, fails!]) {
    await credit(d.id, `${b}-05-10`, 40, 6);
    await h.rt.db.query(
      `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
       VALUES ($1, $2, $3, $4, 10, 0, $5, now(), 'accepted', now(), 'cpo:test')`,
      [crypto.randomUUID(), d.id, province, b, `${b + 2}-01-20`],
    );
  }
  await credit(settles!.id, `${b + 2}-03-15`, 10, 0);
  await h.rt.db.query('UPDATE members SET registration_date = $2 WHERE id = $1', [notDue!.id, `${b + 1}-12-01`]);
  return { members, keys, events, credit };
}
