/** @module Staff passkeys (migration 011): WebAuthn public keys with their counters, and the challenge a session's ceremony waits on. */
import type { Queryable } from './db.ts';
import { textArray } from './row-values.ts';

export interface StaffPasskey {
  credentialId: string;
  userId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface Row {
  credential_id: string;
  user_id: string;
  public_key: Uint8Array;
  sign_count: number;
  transports: string[] | string;
  label: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (r: Row): StaffPasskey => ({
  credentialId: r.credential_id,
  userId: r.user_id,
  publicKey: new Uint8Array(r.public_key),
  signCount: Number(r.sign_count),
  transports: textArray(r.transports),
  label: r.label,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

const COLUMNS = 'credential_id, user_id, public_key, sign_count, transports, label, created_at, last_used_at';

export async function insertPasskey(db: Queryable, p: Omit<StaffPasskey, 'lastUsedAt'>): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO staff_passkeys (credential_id, user_id, public_key, sign_count, transports, label, created_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7) ON CONFLICT DO NOTHING`,
    [p.credentialId, p.userId, Buffer.from(p.publicKey), p.signCount, p.transports, p.label, p.createdAt],
  );
  return rowCount === 1;
}

export async function passkeysOf(db: Queryable, userId: string): Promise<StaffPasskey[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM staff_passkeys WHERE user_id = $1 ORDER BY created_at`, [userId]);
  return rows.map(toPasskey);
}

export async function passkeyById(db: Queryable, credentialId: string): Promise<StaffPasskey | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM staff_passkeys WHERE credential_id = $1`, [credentialId]);
  return rows[0] ? toPasskey(rows[0]) : null;
}

/** Records a use; false when the counter did not move forward where the device keeps one (a clone). */
export async function usePasskey(db: Queryable, credentialId: string, signCount: number, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_passkeys SET sign_count = $2, last_used_at = $3 WHERE credential_id = $1 AND ($2 = 0 OR sign_count < $2)', [
    credentialId,
    signCount,
    at,
  ]);
  return rowCount === 1;
}

export async function deletePasskey(db: Queryable, userId: string, credentialId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM staff_passkeys WHERE user_id = $1 AND credential_id = $2', [userId, credentialId]);
  return rowCount === 1;
}

export async function deletePasskeysOf(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM staff_passkeys WHERE user_id = $1', [userId]);
}

export async function setChallenge(db: Queryable, sessionIdHash: string, challenge: string | null): Promise<void> {
  await db.query('UPDATE staff_sessions SET webauthn_challenge = $2 WHERE id_hash = $1', [sessionIdHash, challenge]);
}

/** Takes the session's pending challenge (it is used once). */
export async function takeChallenge(db: Queryable, sessionIdHash: string): Promise<string | null> {
  const { rows } = await db.query<{ c: string | null }>(
    'UPDATE staff_sessions s SET webauthn_challenge = NULL FROM (SELECT webauthn_challenge AS c FROM staff_sessions WHERE id_hash = $1 FOR UPDATE) old WHERE s.id_hash = $1 RETURNING old.c',
    [sessionIdHash],
  );
  return rows[0]?.c ?? null;
}
