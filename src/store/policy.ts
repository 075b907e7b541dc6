/**
 * @module A CPO's policy (R-POL-1): the profile it picked and its overrides, each change a new
 * dated and attributed row; the latest row is in force. A province with no row follows the
 * national profile.
 */
import { resolvePolicy, type Policy, type ProfileName } from '../domain/policy.ts';
import type { Queryable } from './db.ts';

export interface PolicyVersion {
  province: string;
  /** null: no change recorded, the national profile applies. */
  version: number | null;
  profile: ProfileName;
  overrides: Partial<Policy>;
  policy: Policy;
  reason: string | null;
  changedBy: string | null;
  changedAt: string | null;
}

interface Row {
  id: number;
  province: string;
  profile: ProfileName;
  overrides: Partial<Policy>;
  reason: string;
  changed_by: string;
  changed_at: Date;
}

function toVersion(r: Row): PolicyVersion {
  return {
    province: r.province,
    version: r.id,
    profile: r.profile,
    overrides: r.overrides,
    policy: resolvePolicy(r.profile, r.overrides),
    reason: r.reason,
    changedBy: r.changed_by,
    changedAt: r.changed_at.toISOString(),
  };
}

function nationalDefault(province: string): PolicyVersion {
  return { province, version: null, profile: 'national', overrides: {}, policy: resolvePolicy('national', {}), reason: null, changedBy: null, changedAt: null };
}

/** The policy in force for each province. */
export async function currentPolicies(db: Queryable, provinces: readonly string[]): Promise<Map<string, PolicyVersion>> {
  const out = new Map<string, PolicyVersion>();
  if (provinces.length > 0) {
    const { rows } = await db.query<Row>(
      `SELECT DISTINCT ON (province) id, province, profile, overrides, reason, changed_by, changed_at
       FROM cpo_policies WHERE province = ANY($1::text[]) ORDER BY province, id DESC`,
      [provinces],
    );
    for (const r of rows) out.set(r.province, toVersion(r));
  }
  for (const p of provinces) if (!out.has(p)) out.set(p, nationalDefault(p));
  return out;
}

export async function currentPolicy(db: Queryable, province: string): Promise<PolicyVersion> {
  return (await currentPolicies(db, [province])).get(province)!;
}

/** Records a new version; `overrides` must already be valid for `profile` (resolvePolicy throws otherwise). */
export async function setPolicy(
  db: Queryable,
  change: { province: string; profile: ProfileName; overrides: Partial<Policy>; reason: string; changedBy: string; at: Date },
): Promise<PolicyVersion> {
  resolvePolicy(change.profile, change.overrides);
  const { rows } = await db.query<Row>(
    `INSERT INTO cpo_policies (province, profile, overrides, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, province, profile, overrides, reason, changed_by, changed_at`,
    [change.province, change.profile, JSON.stringify(change.overrides), change.reason, change.changedBy, change.at.toISOString()],
  );
  return toVersion(rows[0]!);
}

/** Every version of a province's policy, newest first. */
export async function policyHistory(db: Queryable, province: string): Promise<PolicyVersion[]> {
  const { rows } = await db.query<Row>(
    'SELECT id, province, profile, overrides, reason, changed_by, changed_at FROM cpo_policies WHERE province = $1 ORDER BY id DESC',
    [province],
  );
  return rows.map(toVersion);
}
