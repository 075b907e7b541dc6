/**
 * @module Reads the facts a member's balance is derived from (credit records, art. 9
 * declarations, transfers, distance grants, approved reductions, debt requests, the CPO policy),
 * for one member or a batch of members with one query per kind. Nothing here decides anything:
 * `domain/member-balance.ts` does, so that the API and the bench derive exactly alike.
 */
import type { CreditItem } from '../domain/balance.ts';
import { romeDate, yearOf } from '../domain/calendar.ts';
import type { Grant, Transfer } from '../domain/grants.ts';
import type { MemberFacts, StoredDebt, StoredReduction } from '../domain/member-balance.ts';
import type { PolicyVersion } from './policy.ts';
import { currentPolicies } from './policy.ts';
import type { Queryable } from './db.ts';

interface MemberRow {
  id: string;
  province: string;
  registration_date: string;
  birth_date: string;
  surname: string;
  given_name: string;
  email: string | null;
}

/** A member's facts with who they are and the policy version in force for their CPO. */
export type LoadedFacts = MemberFacts & { identity: MemberIdentity; policyVersion: PolicyVersion };

export interface MemberIdentity {
  id: string;
  province: string;
  surname: string;
  givenName: string;
  email: string | null;
}

/** Facts of each member in `ids` that exists, keyed by member id. */
export async function loadMemberFacts(db: Queryable, ids: readonly string[]): Promise<Map<string, LoadedFacts>> {
  const out = new Map<string, LoadedFacts>();
  if (ids.length === 0) return out;
  const members = await db.query<MemberRow>(
    `SELECT id, province, registration_date::text AS registration_date, birth_date::text AS birth_date, surname, given_name, email
     FROM members WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  if (members.rows.length === 0) return out;
  const found = members.rows.map((m) => m.id);
  const [credits, art9, transfers, reductions, debts] = await Promise.all([
    db.query<{
      member_id: string;
      event_id: string;
      fraction: number;
      year: number;
      credits: number;
      deontology_credits: number;
      mode: string;
      status: string;
      title: string;
      start_ms: number;
      sessions: Array<{ start: string }> | null;
    }>(
      `SELECT c.member_id, c.event_id, c.fraction, c.year, c.credits, c.deontology_credits, c.mode, c.status, e.title,
              (extract(epoch FROM e.start_at) * 1000)::float8 AS start_ms,
              CASE WHEN e.structured_path THEN e.fractions END AS sessions
       FROM credit_records c JOIN events e ON e.id = c.event_id
       WHERE c.member_id = ANY($1::uuid[])`,
      [found],
    ),
    db.query<{ id: string; member_id: string; activity: string; quantity: number; activity_date: string; description: string; status: string }>(
      `SELECT id, member_id, activity, quantity, activity_date::text AS activity_date, description, status
       FROM art9_declarations WHERE member_id = ANY($1::uuid[]) AND status <> 'rejected'`,
      [found],
    ),
    db.query<{ member_id: string; from_province: string; to_province: string; transferred_on: string }>(
      `SELECT member_id, from_province, to_province, transferred_on::text AS transferred_on
       FROM member_transfers WHERE member_id = ANY($1::uuid[]) ORDER BY transferred_on, id`,
      [found],
    ),
    db.query<{ member_id: string; id: string; biennium: number; cause: string; input: unknown; decision: StoredReduction['decision'] }>(
      `SELECT member_id, id, biennium, cause, input, decision FROM reduction_requests
       WHERE member_id = ANY($1::uuid[]) AND decision IS NOT NULL AND decision->>'outcome' = 'approved'`,
      [found],
    ),
    db.query<{ member_id: string; id: string; biennium: number; total: number; deontology: number; status: 'filed' | 'accepted'; filed_on: string }>(
      `SELECT member_id, id, biennium, total, deontology, status, filed_on::text AS filed_on FROM debt_requests
       WHERE member_id = ANY($1::uuid[]) AND status <> 'rejected'`,
      [found],
    ),
  ]);

  const transfersOf = group(transfers.rows, (t) => t.member_id);
  const provinces = new Set<string>();
  for (const m of members.rows) provinces.add(m.province);
  for (const t of transfers.rows) provinces.add(t.from_province).add(t.to_province);
  const [grants, policies] = await Promise.all([loadGrants(db, found, [...provinces]), currentPolicies(db, [...new Set(members.rows.map((m) => m.province))])]);

  // Rome dates of event starts, once per event: the same few hundred events recur in every
  // member's rows, and converting each row was most of the loader's time (bench/balance).
  const starts = new Map<number, { year: number; date: string }>();
  const rome = (ms: number) => {
    let r = starts.get(ms);
    if (!r) starts.set(ms, (r = { year: yearOf(ms), date: romeDate(ms) }));
    return r;
  };
  const startYear = (ms: number) => rome(ms).year;
  const startDate = (ms: number) => rome(ms).date;
  const itemsOf = new Map<string, CreditItem[]>();
  const push = (memberId: string, item: CreditItem) => {
    let list = itemsOf.get(memberId);
    if (!list) itemsOf.set(memberId, (list = []));
    list.push(item);
  };
  for (const c of credits.rows) {
    // The date a credit belongs to: the event's Rome date, or for the second-year share of a path
    // held across two years the date of its first session in that year (R-EVT-6, R-CAL-2), which
    // also decides whether it can settle a debt (R-DEBT-3: 1 January–30 June).
    const date = startYear(c.start_ms) === c.year ? startDate(c.start_ms) : firstSessionIn(c.sessions, c.year);
    push(c.member_id, {
      id: `event:${c.event_id}:${c.fraction}:${c.year}`,
      date,
      mode: c.mode as CreditItem['mode'],
      credits: c.credits,
      deontologyCredits: c.deontology_credits,
      status: c.status as CreditItem['status'],
      title: c.title,
    });
  }
  for (const d of art9.rows) {
    // R-ART9-3: counts once the CPO validates it; until then it is shown as pending.
    push(d.member_id, {
      id: `art9:${d.id}`,
      date: d.activity_date,
      mode: 'art9',
      art9: { activity: d.activity, quantity: d.quantity },
      status: d.status === 'validated' ? 'granted' : 'pending',
      title: d.description,
    });
  }
  const reductionsOf = group(reductions.rows, (r) => r.member_id);
  const debtsOf = group(debts.rows, (d) => d.member_id);
  for (const m of members.rows) {
    const policy = policies.get(m.province)!;
    out.set(m.id, {
      identity: { id: m.id, province: m.province, surname: m.surname, givenName: m.given_name, email: m.email },
      memberId: m.id,
      province: m.province,
      registrationDate: m.registration_date,
      items: itemsOf.get(m.id) ?? [],
      transfers: (transfersOf.get(m.id) ?? []).map((t): Transfer => ({ fromProvince: t.from_province, toProvince: t.to_province, on: t.transferred_on })),
      grants: grants.get(m.id) ?? [],
      reductions: (reductionsOf.get(m.id) ?? []).map(
        (r): StoredReduction => ({ id: r.id, biennium: r.biennium, cause: r.cause, input: r.input, decision: r.decision }),
      ),
      debts: (debtsOf.get(m.id) ?? []).map(
        (d): StoredDebt => ({ id: d.id, biennium: d.biennium, total: d.total, deontology: d.deontology, status: d.status, filedOn: d.filed_on }),
      ),
      policy: policy.policy,
      policyVersion: policy,
    });
  }
  return out;
}

/** Grants that may apply to these members: national ones, those of provinces they were in, those naming them. */
async function loadGrants(db: Queryable, memberIds: readonly string[], provinces: readonly string[]): Promise<Map<string, Grant[]>> {
  const { rows } = await db.query<{
    id: string;
    scope: Grant['scope'];
    province: string | null;
    pct: number;
    valid_from: string;
    valid_until: string;
    deliberation: string;
    named: string[] | null;
  }>(
    `SELECT g.id, g.scope, g.province, g.pct, g.valid_from::text AS valid_from, g.valid_until::text AS valid_until, g.deliberation,
            (SELECT array_agg(gm.member_id::text) FROM distance_grant_members gm WHERE gm.grant_id = g.id AND gm.member_id = ANY($1::uuid[])) AS named
     FROM distance_grants g
     WHERE g.revoked_at IS NULL
       AND (g.scope = 'national'
            OR (g.scope = 'province' AND g.province = ANY($2::text[]))
            OR EXISTS (SELECT 1 FROM distance_grant_members gm WHERE gm.grant_id = g.id AND gm.member_id = ANY($1::uuid[])))`,
    [memberIds, provinces],
  );
  const out = new Map<string, Grant[]>();
  for (const id of memberIds) {
    out.set(
      id,
      rows
        .filter((g) => g.scope === 'national' || g.scope === 'province' || (g.named ?? []).includes(id))
        .map((g) => ({
          id: g.id,
          scope: g.scope,
          province: g.province,
          pct: g.pct,
          validFrom: g.valid_from,
          validUntil: g.valid_until,
          deliberation: g.deliberation,
          namesMember: (g.named ?? []).includes(id),
        })),
    );
  }
  return out;
}

function firstSessionIn(sessions: ReadonlyArray<{ start: string }> | null, year: number): string {
  const starts = (sessions ?? []).map((f) => Date.parse(f.start)).filter((ms) => yearOf(ms) === year);
  return starts.length ? romeDate(Math.min(...starts)) : `${year}-01-01`;
}

function group<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(r);
  }
  return out;
}

/** The province a member is registered in, or null when there is no such member. */
export async function memberProvince(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ province: string }>('SELECT province FROM members WHERE id = $1', [id]);
  return rows[0]?.province ?? null;
}

/** A page of member ids in id order, of one province (or all), after `after`. */
export async function memberIdsPage(db: Queryable, opts: { province: string | null; after: string | null; limit: number }): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM members WHERE ($1::text IS NULL OR province = $1) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3',
    [opts.province, opts.after, opts.limit],
  );
  return rows.map((r) => r.id);
}

/** The ids of `ids` that name no member. */
export async function unknownMemberIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM members WHERE id = ANY($1::uuid[])', [ids]);
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}
