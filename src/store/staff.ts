/**
 * @module Staff accounts (migration 010): the people, their one-time links (invitation, reset)
 * and their recovery codes. Secrets arrive here already hashed; nothing here decides a rule.
 */
import type { StaffRole, TokenPurpose } from '../domain/staff-accounts.ts';
import type { Queryable } from './db.ts';

export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  subject: string | null;
  passwordHash: string | null;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
  failedSignins: number;
  lockedUntil: Date | null;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  createdAt: Date;
  createdBy: string;
  disabledAt: Date | null;
  /** How many passkeys the account has (migration 011): a second factor like TOTP. */
  passkeys: number;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  subject: string | null;
  password_hash: string | null;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
  failed_signins: number;
  locked_until: Date | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: Date;
  created_by: string;
  disabled_at: Date | null;
  passkeys: number;
}

const USER_COLUMNS =
  'id, email, display_name, role, subject, password_hash, totp_secret, totp_pending_secret, totp_enabled_at, totp_last_step, failed_signins, locked_until, oidc_issuer, oidc_subject, created_at, created_by, disabled_at,\n  (SELECT count(*) FROM staff_passkeys p WHERE p.user_id = staff_users.id)::int AS passkeys';

const toUser = (r: UserRow): StaffUser => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  subject: r.subject,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpPendingSecret: r.totp_pending_secret,
  totpEnabledAt: r.totp_enabled_at,
  totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
  failedSignins: r.failed_signins,
  lockedUntil: r.locked_until,
  oidcIssuer: r.oidc_issuer,
  oidcSubject: r.oidc_subject,
  createdAt: r.created_at,
  createdBy: r.created_by,
  disabledAt: r.disabled_at,
  passkeys: Number(r.passkeys),
});

export interface NewStaffUser {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  subject: string | null;
  createdAt: Date;
  createdBy: string;
}

/** Inserts an account; null when the e-mail is taken (case-insensitively). */
export async function insertUser(db: Queryable, u: NewStaffUser): Promise<StaffUser | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO staff_users (id, email, display_name, role, subject, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
    [u.id, u.email, u.displayName, u.role, u.subject, u.createdAt, u.createdBy],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

export async function getUser(db: Queryable, id: string): Promise<StaffUser | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** The account with this e-mail, locked for update when `forUpdate` (sign-in counts failures on it). */
export async function userByEmail(db: Queryable, email: string, forUpdate = false): Promise<StaffUser | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE lower(email) = lower($1)${forUpdate ? ' FOR UPDATE' : ''}`, [email]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function lockUser(db: Queryable, id: string): Promise<StaffUser | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function userByOidc(db: Queryable, issuer: string, subject: string): Promise<StaffUser | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE oidc_issuer = $1 AND oidc_subject = $2`, [issuer, subject]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Accounts of a scope (null: every account), newest first. */
export async function listUsers(db: Queryable, scope: { roles: readonly StaffRole[]; subject?: string | null | undefined }): Promise<StaffUser[]> {
  const params: unknown[] = [scope.roles];
  let where = 'role = ANY($1::text[])';
  if (scope.subject !== undefined) {
    params.push(scope.subject);
    where += ' AND subject IS NOT DISTINCT FROM $2';
  }
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM staff_users WHERE ${where} ORDER BY created_at DESC, email LIMIT 1000`, params);
  return rows.map(toUser);
}

export async function setPasswordHash(db: Queryable, id: string, hash: string): Promise<void> {
  await db.query('UPDATE staff_users SET password_hash = $2, failed_signins = 0, locked_until = NULL WHERE id = $1', [id, hash]);
}

export async function recordFailure(db: Queryable, id: string, failures: number, lockedUntil: Date | null): Promise<void> {
  await db.query('UPDATE staff_users SET failed_signins = $2, locked_until = $3 WHERE id = $1', [id, failures, lockedUntil]);
}

export async function clearFailures(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE staff_users SET failed_signins = 0, locked_until = NULL WHERE id = $1 AND (failed_signins <> 0 OR locked_until IS NOT NULL)', [id]);
}

/** A new TOTP seed waiting for its first code; the one in force (if any) stays until it is confirmed. */
export async function setPendingTotp(db: Queryable, id: string, secret: string): Promise<void> {
  await db.query('UPDATE staff_users SET totp_pending_secret = $2 WHERE id = $1', [id, secret]);
}

/** The pending seed confirmed by a code of step `step`: TOTP in force from `at`. */
export async function confirmPendingTotp(db: Queryable, id: string, secret: string, at: Date, step: number): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE staff_users SET totp_secret = $2, totp_pending_secret = NULL, totp_enabled_at = $3, totp_last_step = $4 WHERE id = $1 AND totp_pending_secret = $2',
    [id, secret, at, step],
  );
  return rowCount === 1;
}

export async function clearTotp(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE staff_users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1', [id]);
}

/** Records the step of an accepted code; false when that step (or a later one) was used already. */
export async function useTotpStep(db: Queryable, id: string, step: number): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [
    id,
    step,
  ]);
  return rowCount === 1;
}

export async function setDisabled(db: Queryable, id: string, at: Date | null): Promise<void> {
  await db.query('UPDATE staff_users SET disabled_at = $2 WHERE id = $1', [id, at]);
}

export async function linkOidc(db: Queryable, id: string, issuer: string, subject: string): Promise<void> {
  await db.query('UPDATE staff_users SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1', [id, issuer, subject]);
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_users');
  return rows[0]?.n ?? 0;
}

/** Display names of accounts, for audits that name who acted. */
export async function displayNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; display_name: string }>('SELECT id, display_name FROM staff_users WHERE id = ANY($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

// ---------------------------------------------------------------------------------------------
// One-time links
// ---------------------------------------------------------------------------------------------

export interface StaffToken {
  userId: string;
  purpose: TokenPurpose;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export async function insertToken(
  db: Queryable,
  t: { tokenHash: string; userId: string; purpose: TokenPurpose; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query('INSERT INTO staff_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    t.tokenHash,
    t.userId,
    t.purpose,
    t.createdAt,
    t.expiresAt,
  ]);
}

export async function tokenByHash(db: Queryable, tokenHash: string, forUpdate = false): Promise<StaffToken | null> {
  const { rows } = await db.query<{ user_id: string; purpose: TokenPurpose; created_at: Date; expires_at: Date; used_at: Date | null }>(
    `SELECT user_id, purpose, created_at, expires_at, used_at FROM staff_tokens WHERE token_hash = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [tokenHash],
  );
  const r = rows[0];
  return r ? { userId: r.user_id, purpose: r.purpose, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at } : null;
}

export async function markTokenUsed(db: Queryable, tokenHash: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL', [tokenHash, at]);
  return rowCount === 1;
}

/** A new link replaces the person's unused ones of the same purpose. */
export async function expireTokens(db: Queryable, userId: string, purpose: TokenPurpose, at: Date): Promise<void> {
  await db.query('UPDATE staff_tokens SET expires_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3', [userId, purpose, at]);
}

// ---------------------------------------------------------------------------------------------
// Recovery codes
// ---------------------------------------------------------------------------------------------

export async function replaceRecoveryCodes(db: Queryable, userId: string, hashes: readonly string[], at: Date): Promise<void> {
  await db.query('DELETE FROM staff_recovery_codes WHERE user_id = $1', [userId]);
  if (hashes.length)
    await db.query('INSERT INTO staff_recovery_codes (user_id, code_hash, created_at) SELECT $1, h, $3 FROM unnest($2::text[]) AS h', [userId, hashes, at]);
}

/** Uses a recovery code once; false when unknown or used. */
export async function useRecoveryCode(db: Queryable, userId: string, hash: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE staff_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL', [
    userId,
    hash,
    at,
  ]);
  return rowCount === 1;
}

export async function unusedRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_recovery_codes WHERE user_id = $1 AND used_at IS NULL', [userId]);
  return rows[0]?.n ?? 0;
}
