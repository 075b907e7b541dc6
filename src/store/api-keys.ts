/** @module The `api_keys` table: keys stored as SHA-256 hashes with their role, subject and label. */
import type { Role } from '../domain/roles.ts';
import type { Queryable } from './db.ts';

export interface KeyRow {
  id: string;
  role: Role;
  subject: string | null;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, role, subject, label, created_at, revoked_at';

export async function insertKey(db: Queryable, k: { id: string; role: Role; subject: string | null; label: string; keyHash: string }): Promise<KeyRow> {
  const { rows } = await db.query<KeyRow>(`INSERT INTO api_keys (id, role, subject, label, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`, [
    k.id,
    k.role,
    k.subject,
    k.label,
    k.keyHash,
  ]);
  return rows[0]!;
}

/** The active (not revoked) key with this hash. */
export async function activeKeyByHash(db: Queryable, keyHash: string): Promise<Pick<KeyRow, 'id' | 'role' | 'subject'> | null> {
  const { rows } = await db.query<Pick<KeyRow, 'id' | 'role' | 'subject'>>(
    'SELECT id, role, subject FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [keyHash],
  );
  return rows[0] ?? null;
}

export async function getKey(db: Queryable, id: string): Promise<KeyRow | null> {
  const { rows } = await db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Keys of these roles (and of this subject, when given), oldest first, at most 1,000. */
export async function listKeys(db: Queryable, roles: readonly Role[], subject: string | null): Promise<KeyRow[]> {
  const { rows } = await db.query<KeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE role = ANY($1::text[]) AND ($2::text IS NULL OR subject = $2) ORDER BY created_at, id LIMIT 1000`,
    [roles, subject],
  );
  return rows;
}

/** Revokes the key (a revoked key keeps its first revocation time); null when there is no such key. */
export async function revokeKey(db: Queryable, id: string): Promise<KeyRow | null> {
  const { rows } = await db.query<KeyRow>(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return rows[0] ?? null;
}

/** Revokes an active key; false when there is no active key of that id. */
export async function revokeActiveKey(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return res.rowCount > 0;
}
