/**
 * @module The balance ledger (R-POL-2): the last recorded outcome of each member's balance per
 * biennium (`balance_snapshots`) and every change of it with cause, author and time
 * (`balance_audit`), the pages of members a ledger pass walks, and what changed since a sweep.
 * Nothing here derives a balance: the ledger worker does, with `memberBalance`.
 */
import crypto from 'node:crypto';
import { canonicalOutcome, type BalanceOutcome } from '../domain/ledger.ts';
import type { Queryable } from './db.ts';

export type Scope = { memberIds: readonly string[] } | { province: string } | { all: true };

export interface Snapshot {
  outcome: BalanceOutcome;
  digest: string;
}

export interface LedgerWrite {
  memberId: string;
  biennium: number;
  outcome: BalanceOutcome;
  digest: string;
  /** The snapshot this write replaces, as read before deriving; null for a first snapshot. */
  previous: Snapshot | null;
}

export interface AuditEntry {
  id: number;
  biennium: number;
  old: BalanceOutcome | null;
  new: BalanceOutcome;
  cause: string;
  actor: string | null;
  at: string;
}

export function outcomeDigest(o: BalanceOutcome): string {
  return crypto.createHash('sha256').update(canonicalOutcome(o)).digest('hex');
}

/**
 * The next page of the scope's members after `after`, by id. A province's members are those
 * registered there now and those who moved in or out (R-FAD-4: its grants follow them until the
 * end of the biennium).
 */
export async function scopePage(db: Queryable, scope: Scope, after: string | null, limit: number): Promise<string[]> {
  if ('memberIds' in scope) {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM members WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3',
      [scope.memberIds, after, limit],
    );
    return rows.map((r) => r.id);
  }
  if ('province' in scope) {
    const { rows } = await db.query<{ id: string }>(
      `SELECT m.id FROM members m
       WHERE (m.province = $1 OR EXISTS (SELECT 1 FROM member_transfers t WHERE t.member_id = m.id AND (t.from_province = $1 OR t.to_province = $1)))
         AND ($2::uuid IS NULL OR m.id > $2)
       ORDER BY m.id LIMIT $3`,
      [scope.province, after, limit],
    );
    return rows.map((r) => r.id);
  }
  const { rows } = await db.query<{ id: string }>('SELECT id FROM members WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2', [after, limit]);
  return rows.map((r) => r.id);
}

const key = (memberId: string, biennium: number) => `${memberId}:${biennium}`;
export { key as snapshotKey };

/** The snapshots of these members for these bienniums, keyed `memberId:biennium`. */
export async function loadSnapshots(db: Queryable, memberIds: readonly string[], bienniums: readonly number[]): Promise<Map<string, Snapshot>> {
  const { rows } = await db.query<{ member_id: string; biennium: number; summary: BalanceOutcome; digest: string }>(
    'SELECT member_id, biennium, summary, digest FROM balance_snapshots WHERE member_id = ANY($1::uuid[]) AND biennium = ANY($2::int[])',
    [memberIds, bienniums],
  );
  return new Map(rows.map((r) => [key(r.member_id, r.biennium), { outcome: r.summary, digest: r.digest }]));
}

/**
 * Stores new outcomes and their audit rows in one statement. Each write applies only if the
 * snapshot is still the one it was derived against (same digest, or still none): a concurrent
 * pass that got there first wins and this one writes nothing for that member, so two passes never
 * record the same change twice. Returns how many audit rows were written.
 */
export async function writeLedger(
  db: Queryable,
  writes: readonly LedgerWrite[],
  meta: { cause: string; actor: string | null; at: Date; derivedAt: Date },
): Promise<number> {
  if (!writes.length) return 0;
  const rows = writes.map((w) => ({
    member_id: w.memberId,
    biennium: w.biennium,
    summary: w.outcome,
    digest: w.digest,
    old: w.previous?.outcome ?? null,
    old_digest: w.previous?.digest ?? null,
  }));
  const { rows: out } = await db.query<{ n: number }>(
    `WITH x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(member_id uuid, biennium int, summary jsonb, digest text, old jsonb, old_digest text)
     ), upd AS (
       UPDATE balance_snapshots s SET summary = x.summary, digest = x.digest, derived_at = $2
       FROM x WHERE x.old_digest IS NOT NULL AND s.member_id = x.member_id AND s.biennium = x.biennium AND s.digest = x.old_digest
       RETURNING s.member_id, s.biennium
     ), ins AS (
       INSERT INTO balance_snapshots (member_id, biennium, summary, digest, derived_at)
       SELECT member_id, biennium, summary, digest, $2 FROM x WHERE old_digest IS NULL
       ON CONFLICT (member_id, biennium) DO NOTHING
       RETURNING member_id, biennium
     ), audit AS (
       INSERT INTO balance_audit (member_id, biennium, old, new, cause, actor, at)
       SELECT x.member_id, x.biennium, x.old, x.summary, $3, $4, $5
       FROM x JOIN (SELECT * FROM upd UNION ALL SELECT * FROM ins) done ON done.member_id = x.member_id AND done.biennium = x.biennium
       ORDER BY x.member_id, x.biennium
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM audit`,
    [JSON.stringify(rows), meta.derivedAt.toISOString(), meta.cause, meta.actor, meta.at.toISOString()],
  );
  return out[0]?.n ?? 0;
}

/** A member's audit rows, newest first (by id: the order the ledger saw the changes). */
export async function listAudit(
  db: Queryable,
  memberId: string,
  opts: { biennium: number | null; before: number | null; limit: number },
): Promise<AuditEntry[]> {
  const { rows } = await db.query<{
    id: number;
    biennium: number;
    old: BalanceOutcome | null;
    new: BalanceOutcome;
    cause: string;
    actor: string | null;
    at: Date;
  }>(
    `SELECT id, biennium, old, new, cause, actor, at FROM balance_audit
     WHERE member_id = $1 AND ($2::int IS NULL OR biennium = $2) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [memberId, opts.biennium, opts.before, opts.limit],
  );
  return rows.map((r) => ({ id: r.id, biennium: r.biennium, old: r.old, new: r.new, cause: r.cause, actor: r.actor, at: r.at.toISOString() }));
}

/** What may have moved balances since a sweep: whole scopes to pass again. */
export interface ChangedScopes {
  all: boolean;
  provinces: string[];
  memberIds: string[];
}

/**
 * The scopes whose facts changed after `since` (the ledger sweep's catch-up for changes whose
 * ledger request was lost, e.g. while Redis was down). Council acts are stamped with the product
 * clock (`since.product`), derivations and transfers with the wall clock (`since.wall`). Small
 * tables and the recent derivations only: cheap enough to run every sweep interval.
 */
export async function changedSince(db: Queryable, since: { product: Date; wall: Date }): Promise<ChangedScopes> {
  const p = since.product.toISOString();
  const w = since.wall.toISOString();
  const [grants, policies, members] = await Promise.all([
    db.query<{ scope: string; province: string | null }>(
      `SELECT DISTINCT scope, province FROM distance_grants WHERE scope IN ('province', 'national') AND (granted_at > $1 OR revoked_at > $1)`,
      [p],
    ),
    db.query<{ province: string }>('SELECT DISTINCT province FROM cpo_policies WHERE changed_at > $1', [p]),
    db.query<{ member_id: string }>(
      `SELECT gm.member_id FROM distance_grants g JOIN distance_grant_members gm ON gm.grant_id = g.id WHERE g.granted_at > $1 OR g.revoked_at > $1
       UNION SELECT member_id FROM art9_declarations WHERE decided_at > $1
       UNION SELECT member_id FROM debt_requests WHERE decided_at > $1
       UNION SELECT member_id FROM reduction_requests WHERE decided_at > $1
       UNION SELECT member_id FROM member_transfers WHERE recorded_at > $2
       UNION SELECT c.member_id FROM credit_records c
             WHERE c.derived_at > $2 AND c.event_id IN (SELECT event_id FROM derivations WHERE finished_at > $2)
       UNION SELECT member_id FROM elearning_outcomes WHERE credits_changed_at > $2
       UNION SELECT a.member_id FROM outcome_audit a
             WHERE a.member_id IS NOT NULL AND a.at > $2 AND a.event_id IN (SELECT event_id FROM derivations WHERE finished_at > $2)`,
      [p, w],
    ),
  ]);
  return {
    all: grants.rows.some((g) => g.scope === 'national'),
    provinces: [
      ...new Set([...grants.rows.filter((g) => g.scope === 'province' && g.province).map((g) => g.province!), ...policies.rows.map((r) => r.province)]),
    ].sort(),
    memberIds: members.rows.map((r) => r.member_id).sort(),
  };
}

/** The members a member or group grant names (a revocation re-derives them). */
export async function grantMemberIds(db: Queryable, grantId: string): Promise<string[]> {
  const { rows } = await db.query<{ member_id: string }>('SELECT member_id FROM distance_grant_members WHERE grant_id = $1 ORDER BY member_id', [grantId]);
  return rows.map((r) => r.member_id);
}
