/**
 * @module Distance grants (R-FAD-3), the alerts they raise for the CN, and member transfers
 * (R-FAD-4). A grant is never edited: it is revoked, with who, when and why, and a new one made.
 */
import crypto from 'node:crypto';
import type { Queryable } from './db.ts';

/** What a grant says, as made and as read back. */
interface GrantFields {
  scope: string;
  ground: string;
  province: string | null;
  pct: number;
  deliberation: string;
  cnOpinion: string | null;
  validFrom: string;
  validUntil: string;
}

export interface NewGrant extends GrantFields {
  memberIds: readonly string[];
  grantedBy: string;
  at: Date;
}

export interface GrantRow extends GrantFields {
  id: string;
  members: number;
  grantedBy: string;
  grantedAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

const GRANT_COLUMNS = `g.id, g.scope, g.ground, g.province, g.pct, g.deliberation, g.cn_opinion, g.valid_from::text AS valid_from,
  g.valid_until::text AS valid_until, g.granted_by, g.granted_at, g.revoked_at, g.revoke_reason,
  (SELECT count(*)::int FROM distance_grant_members gm WHERE gm.grant_id = g.id) AS members`;

function toGrant(r: any): GrantRow {
  return {
    id: r.id,
    scope: r.scope,
    ground: r.ground,
    province: r.province,
    pct: r.pct,
    deliberation: r.deliberation,
    cnOpinion: r.cn_opinion,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    members: r.members,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at.toISOString(),
    revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
    revokeReason: r.revoke_reason,
  };
}

export async function insertGrant(tx: Queryable, g: NewGrant): Promise<string> {
  const id = crypto.randomUUID();
  await tx.query(
    `INSERT INTO distance_grants (id, scope, ground, province, pct, deliberation, cn_opinion, valid_from, valid_until, granted_by, granted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [id, g.scope, g.ground, g.province, g.pct, g.deliberation, g.cnOpinion, g.validFrom, g.validUntil, g.grantedBy, g.at.toISOString()],
  );
  if (g.memberIds.length) {
    await tx.query('INSERT INTO distance_grant_members (grant_id, member_id) SELECT $1, unnest($2::uuid[])', [id, g.memberIds]);
  }
  return id;
}

export async function getGrant(db: Queryable, id: string): Promise<GrantRow | null> {
  const { rows } = await db.query(`SELECT ${GRANT_COLUMNS} FROM distance_grants g WHERE g.id = $1`, [id]);
  return rows[0] ? toGrant(rows[0]) : null;
}

/** Grants made by a CPO (or all for the CN), newest first. */
export async function listGrants(db: Queryable, scope: { province: string } | { all: true }, limit = 500): Promise<GrantRow[]> {
  const { rows } = await db.query(
    `SELECT ${GRANT_COLUMNS} FROM distance_grants g WHERE ($1::text IS NULL OR g.province = $1) ORDER BY g.granted_at DESC, g.id LIMIT $2`,
    ['province' in scope ? scope.province : null, limit],
  );
  return rows.map(toGrant);
}

/** Revokes a live grant; false when it was already revoked. */
export async function revokeGrant(tx: Queryable, id: string, by: string, reason: string, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE distance_grants SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 WHERE id = $1 AND revoked_at IS NULL', [
    id,
    at.toISOString(),
    by,
    reason,
  ]);
  return rowCount > 0;
}

/** The members named that are not currently registered in `province` (a CPO grants only its own). */
export async function membersOutside(db: Queryable, memberIds: readonly string[], province: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM members WHERE id = ANY($1::uuid[]) AND province = $2', [memberIds, province]);
  const inside = new Set(rows.map((r) => r.id));
  return memberIds.filter((id) => !inside.has(id));
}

// --- CN alerts ------------------------------------------------------------------------------

export async function insertAlert(
  tx: Queryable,
  a: { kind: string; province: string | null; subjectId: string | null; detail: Record<string, unknown>; at: Date },
) {
  await tx.query('INSERT INTO cn_alerts (kind, province, subject_id, detail, created_at) VALUES ($1, $2, $3, $4, $5)', [
    a.kind,
    a.province,
    a.subjectId,
    JSON.stringify(a.detail),
    a.at.toISOString(),
  ]);
}

export async function listAlerts(db: Queryable, opts: { open: boolean; after: number; limit: number }) {
  const { rows } = await db.query<any>(
    `SELECT id, kind, province, subject_id, detail, created_at, acknowledged_at, acknowledged_by FROM cn_alerts
     WHERE id > $1 AND (NOT $2 OR acknowledged_at IS NULL) ORDER BY id LIMIT $3`,
    [opts.after, opts.open, opts.limit],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    province: r.province,
    subjectId: r.subject_id,
    detail: r.detail,
    createdAt: r.created_at.toISOString(),
    acknowledgedAt: r.acknowledged_at ? r.acknowledged_at.toISOString() : null,
    acknowledgedBy: r.acknowledged_by,
  }));
}

export async function acknowledgeAlert(db: Queryable, id: number, by: string, at: Date): Promise<'done' | 'already' | 'missing'> {
  const { rowCount } = await db.query('UPDATE cn_alerts SET acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND acknowledged_at IS NULL', [
    id,
    at.toISOString(),
    by,
  ]);
  if (rowCount > 0) return 'done';
  const { rows } = await db.query('SELECT 1 FROM cn_alerts WHERE id = $1', [id]);
  return rows.length ? 'already' : 'missing';
}

// --- transfers (R-FAD-4) --------------------------------------------------------------------

/**
 * Moves a member to another province from `on`, keeping the history the grants need. Returns
 * `taken` when the register number is in use there, `same` when the member is already there.
 */
export async function transferMember(
  tx: Queryable,
  t: { memberId: string; toProvince: string; registerNumber: string; on: string; by: string },
): Promise<'done' | 'missing' | 'same' | 'taken'> {
  const { rows } = await tx.query<{ province: string }>('SELECT province FROM members WHERE id = $1 FOR UPDATE', [t.memberId]);
  const m = rows[0];
  if (!m) return 'missing';
  if (m.province === t.toProvince) return 'same';
  const taken = await tx.query('SELECT 1 FROM members WHERE province = $1 AND register_number = $2', [t.toProvince, t.registerNumber]);
  if (taken.rows.length) return 'taken';
  await tx.query('UPDATE members SET province = $2, register_number = $3, updated_at = now() WHERE id = $1', [t.memberId, t.toProvince, t.registerNumber]);
  await tx.query('INSERT INTO member_transfers (member_id, from_province, to_province, transferred_on, recorded_by) VALUES ($1, $2, $3, $4, $5)', [
    t.memberId,
    m.province,
    t.toProvince,
    t.on,
    t.by,
  ]);
  // Requests still waiting for a decision go to the new CPO with the member (and their documents);
  // decided ones stay with the CPO that decided them.
  await tx.query("UPDATE art9_declarations SET province = $2 WHERE member_id = $1 AND status = 'submitted'", [t.memberId, t.toProvince]);
  await tx.query("UPDATE debt_requests SET province = $2 WHERE member_id = $1 AND status = 'filed'", [t.memberId, t.toProvince]);
  await tx.query("UPDATE reduction_requests SET province = $2 WHERE member_id = $1 AND status IN ('filed', 'acknowledged', 'pre-denied', 'integrated')", [
    t.memberId,
    t.toProvince,
  ]);
  return 'done';
}

/** Alerts the CN has not acknowledged yet (R-FAD-3). */
export async function openAlertCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cn_alerts WHERE acknowledged_at IS NULL');
  return rows[0]!.n;
}
