/**
 * @module Server-side staff sessions (migration 010): the cookie carries a random id, this table
 * its SHA-256 with the account, the times R-ACC-5 reads, and the address and browser it began from.
 */
import type { Queryable } from './db.ts';
import type { StaffUser } from './staff.ts';
import { getUser } from './staff.ts';

export interface StaffSession {
  idHash: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  secondFactorAt: Date | null;
  revokedAt: Date | null;
  clientAddr: string | null;
  userAgent: string | null;
}

interface Row {
  id_hash: string;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  second_factor_at: Date | null;
  revoked_at: Date | null;
  client_addr: string | null;
  user_agent: string | null;
}

const COLUMNS = 'id_hash, user_id, created_at, last_seen_at, expires_at, second_factor_at, revoked_at, client_addr, user_agent';

const toSession = (r: Row): StaffSession => ({
  idHash: r.id_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  secondFactorAt: r.second_factor_at,
  revokedAt: r.revoked_at,
  clientAddr: r.client_addr,
  userAgent: r.user_agent,
});

export async function insertSession(
  db: Queryable,
  s: { idHash: string; userId: string; createdAt: Date; expiresAt: Date; secondFactorAt: Date | null; clientAddr: string | null; userAgent: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO staff_sessions (id_hash, user_id, created_at, last_seen_at, expires_at, second_factor_at, client_addr, user_agent)
     VALUES ($1, $2, $3, $3, $4, $5, $6, $7)`,
    [s.idHash, s.userId, s.createdAt, s.expiresAt, s.secondFactorAt, s.clientAddr, s.userAgent],
  );
}

/** The session with this id hash and its account. */
export async function sessionByHash(db: Queryable, idHash: string): Promise<{ session: StaffSession; user: StaffUser } | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM staff_sessions WHERE id_hash = $1`, [idHash]);
  if (!rows[0]) return null;
  const user = await getUser(db, rows[0].user_id);
  return user ? { session: toSession(rows[0]), user } : null;
}

/** Moves the idle clock; written at most once a minute per session (`since`), not on every request. */
export async function touchSession(db: Queryable, idHash: string, at: Date, since: Date): Promise<void> {
  await db.query('UPDATE staff_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $3', [idHash, at, since]);
}

export async function passSecondFactor(db: Queryable, idHash: string, at: Date): Promise<void> {
  await db.query('UPDATE staff_sessions SET second_factor_at = $2, last_seen_at = $2 WHERE id_hash = $1', [idHash, at]);
}

export async function revokeSession(db: Queryable, idHash: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL', [idHash, at]);
  return rowCount === 1;
}

/** Ends every open session of an account (sign-out everywhere, password change, disabling); returns how many. */
export async function revokeUserSessions(db: Queryable, userId: string, at: Date, exceptIdHash: string | null = null): Promise<number> {
  const { rowCount } = await db.query(
    'UPDATE staff_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND id_hash IS DISTINCT FROM $3',
    [userId, at, exceptIdHash],
  );
  return rowCount;
}

/** The account's sessions that have not ended by revocation or absolute expiry, newest first. */
export async function openSessions(db: Queryable, userId: string, at: Date): Promise<StaffSession[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM staff_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 50`,
    [userId, at],
  );
  return rows.map(toSession);
}
