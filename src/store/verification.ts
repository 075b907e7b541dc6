/**
 * @module The council's verification snapshots (migration 013, issue 15): one row per version of
 * a province, biennium and phase, and one row per member of it; append-only (R-VER-5). Nothing
 * here decides a status: `domain/verification.ts` does.
 */
import type { VerificationAggregates, VerificationPhase, VerificationRow, VerificationStatus } from '../domain/verification.ts';
import type { Queryable } from './db.ts';
import { lockFor } from './locks.ts';

export interface SnapshotHead {
  id: number;
  province: string;
  biennium: number;
  phase: VerificationPhase;
  version: number;
  asOf: string;
  createdAt: string;
  createdBy: string;
  digest: string;
  memberCount: number;
  aggregates: VerificationAggregates;
}

interface HeadRow {
  id: string | number;
  province: string;
  biennium: number;
  phase: VerificationPhase;
  version: number;
  as_of: Date;
  created_at: Date;
  created_by: string;
  digest: string;
  member_count: number;
  aggregates: VerificationAggregates;
}

const HEAD = 'id, province, biennium, phase, version, as_of, created_at, created_by, digest, member_count, aggregates';

function toHead(r: HeadRow): SnapshotHead {
  return {
    id: Number(r.id),
    province: r.province,
    biennium: r.biennium,
    phase: r.phase,
    version: r.version,
    asOf: new Date(r.as_of).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    digest: r.digest,
    memberCount: r.member_count,
    aggregates: r.aggregates,
  };
}

/** Serialises runs of one province, biennium and phase until COMMIT. */
export async function lockVerification(tx: Queryable, key: { province: string; biennium: number; phase: VerificationPhase }): Promise<void> {
  await lockFor(tx, 'verification', `${key.province}:${key.biennium}:${key.phase}`);
}

/** The latest version (or `version`) of a province, biennium and phase, or null. */
export async function snapshotHead(
  db: Queryable,
  key: { province: string; biennium: number; phase: VerificationPhase; version?: number | null },
): Promise<SnapshotHead | null> {
  const { rows } = await db.query<HeadRow>(
    `SELECT ${HEAD} FROM verification_snapshots
     WHERE province = $1 AND biennium = $2 AND phase = $3 AND ($4::int IS NULL OR version = $4)
     ORDER BY version DESC LIMIT 1`,
    [key.province, key.biennium, key.phase, key.version ?? null],
  );
  return rows[0] ? toHead(rows[0]) : null;
}

/** Every row of a snapshot, by member id. */
export async function snapshotRows(db: Queryable, snapshotId: number): Promise<VerificationRow[]> {
  const { rows } = await db.query<{ row: VerificationRow }>('SELECT row FROM verification_rows WHERE snapshot_id = $1 ORDER BY member_id', [snapshotId]);
  return rows.map((r) => r.row);
}

/** A page of a snapshot's rows by member id, after `after`, optionally of one status. */
export async function snapshotRowsPage(
  db: Queryable,
  snapshotId: number,
  opts: { after: string | null; limit: number; status: VerificationStatus | null },
): Promise<VerificationRow[]> {
  const { rows } = await db.query<{ row: VerificationRow }>(
    `SELECT row FROM verification_rows
     WHERE snapshot_id = $1 AND ($2::uuid IS NULL OR member_id > $2) AND ($3::text IS NULL OR status = $3)
     ORDER BY member_id LIMIT $4`,
    [snapshotId, opts.after, opts.status, opts.limit],
  );
  return rows.map((r) => r.row);
}

/** A page of a snapshot's rows with each member's name and codice fiscale (the console's list, the exports). */
export async function snapshotRowsWithMembers(
  db: Queryable,
  snapshotId: number,
  opts: { after: string | null; limit: number; status: VerificationStatus | null },
): Promise<(VerificationRow & { surname: string; givenName: string; codiceFiscale: string })[]> {
  const { rows } = await db.query<{ row: VerificationRow; surname: string; given_name: string; codice_fiscale: string }>(
    `SELECT v.row, m.surname, m.given_name, m.codice_fiscale FROM verification_rows v JOIN members m ON m.id = v.member_id
     WHERE v.snapshot_id = $1 AND ($2::uuid IS NULL OR v.member_id > $2) AND ($3::text IS NULL OR v.status = $3)
     ORDER BY v.member_id LIMIT $4`,
    [snapshotId, opts.after, opts.status, opts.limit],
  );
  return rows.map((r) => ({ ...r.row, surname: r.surname, givenName: r.given_name, codiceFiscale: r.codice_fiscale }));
}

/** Stores a new version with its rows (the caller holds `lockVerification` and checked the digest). */
export async function insertSnapshot(tx: Queryable, s: Omit<SnapshotHead, 'id' | 'memberCount'>, rows: readonly VerificationRow[]): Promise<SnapshotHead> {
  const { rows: inserted } = await tx.query<HeadRow>(
    `INSERT INTO verification_snapshots (province, biennium, phase, version, as_of, created_at, created_by, digest, member_count, aggregates)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) RETURNING ${HEAD}`,
    [s.province, s.biennium, s.phase, s.version, s.asOf, s.createdAt, s.createdBy, s.digest, rows.length, JSON.stringify(s.aggregates)],
  );
  const head = toHead(inserted[0]!);
  // Batches of 500 rows per statement: a large province is a few dozen statements.
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500);
    await tx.query(
      `INSERT INTO verification_rows (snapshot_id, member_id, status, credits, deontology_credits, missing, missing_deontology, row)
       SELECT $1, (r->>'memberId')::uuid, r->>'status', (r->'credits'->>'total')::int, (r->'credits'->>'deontology')::int,
              (r->'missing'->>'total')::int, (r->'missing'->>'deontology')::int, r
       FROM jsonb_array_elements($2::jsonb) AS r`,
      [head.id, JSON.stringify(batch)],
    );
  }
  return head;
}

/** Every member id of a province, by id (the register as it stands, R-VER-2). */
export async function provinceMemberIds(db: Queryable, province: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM members WHERE province = $1 ORDER BY id', [province]);
  return rows.map((r) => r.id);
}

/** The latest version of each phase of `biennium`, per province (or of one province), by province then phase. */
export async function latestHeads(db: Queryable, biennium: number, province: string | null): Promise<SnapshotHead[]> {
  const { rows } = await db.query<HeadRow>(
    `SELECT DISTINCT ON (province, phase) ${HEAD} FROM verification_snapshots
     WHERE biennium = $1 AND ($2::text IS NULL OR province = $2)
     ORDER BY province, phase, version DESC`,
    [biennium, province],
  );
  return rows.map(toHead);
}

/** The rows of a snapshot for these members (those it has), by member id. */
export async function snapshotRowsOf(db: Queryable, snapshotId: number, memberIds: readonly string[]): Promise<VerificationRow[]> {
  if (memberIds.length === 0) return [];
  const { rows } = await db.query<{ row: VerificationRow }>(
    'SELECT row FROM verification_rows WHERE snapshot_id = $1 AND member_id = ANY($2::uuid[]) ORDER BY member_id',
    [snapshotId, memberIds],
  );
  return rows.map((r) => r.row);
}

/**
 * Events of a period (Rome dates, inclusive) per province and mode, not rejected (R-VER-7):
 * `organised` by the province's own CPO (its kind-a organiser), `accredited` by it (any organiser).
 */
export async function eventCounts(
  db: Queryable,
  period: { from: string; to: string },
  province: string | null,
): Promise<{ organised: { province: string; mode: string; count: number }[]; accredited: { province: string; count: number }[] }> {
  const where = `(e.start_at AT TIME ZONE 'Europe/Rome')::date BETWEEN $1::date AND $2::date AND e.accreditation_status <> 'rejected'`;
  const [organised, accredited] = await Promise.all([
    db.query<{ province: string; mode: string; count: number }>(
      `SELECT o.province, e.mode, count(*)::int AS count FROM events e JOIN organisers o ON o.id = e.organiser_id
       WHERE ${where} AND o.kind = 'a' AND ($3::text IS NULL OR o.province = $3) GROUP BY o.province, e.mode`,
      [period.from, period.to, province],
    ),
    db.query<{ province: string; count: number }>(
      `SELECT e.cpo_province AS province, count(*)::int AS count FROM events e
       WHERE ${where} AND ($3::text IS NULL OR e.cpo_province = $3) GROUP BY e.cpo_province`,
      [period.from, period.to, province],
    ),
  ]);
  return { organised: organised.rows, accredited: accredited.rows };
}

/** Members registered per province as the register stands (or in one province). */
export async function memberCounts(db: Queryable, province: string | null): Promise<{ province: string; count: number }[]> {
  const { rows } = await db.query<{ province: string; count: number }>(
    'SELECT province, count(*)::int AS count FROM members WHERE ($1::text IS NULL OR province = $1) GROUP BY province',
    [province],
  );
  return rows;
}
