/**
 * @module Single sign-on logins waiting for their callback (migration 012): the hash of the
 * browser's cookie id with the PKCE verifier, state, nonce and the page to go to; used once.
 */
import type { Queryable } from './db.ts';

export interface OidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  nextPath: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertOidcLogin(db: Queryable, idHash: string, l: OidcLogin): Promise<void> {
  await db.query(
    'INSERT INTO staff_oidc_logins (id_hash, state, nonce, code_verifier, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [idHash, l.state, l.nonce, l.codeVerifier, l.nextPath, l.createdAt, l.expiresAt],
  );
  // Logins nobody came back for are kept a day, then go (there is nothing to audit in them).
  await db.query('DELETE FROM staff_oidc_logins WHERE expires_at < $1', [new Date(l.createdAt.getTime() - 24 * 3600_000)]);
}

/**
 * Takes the login the cookie names, once: marks it used and returns it, or null when it is
 * unknown, used already or expired at `at`.
 */
export async function takeOidcLogin(db: Queryable, idHash: string, at: Date): Promise<OidcLogin | null> {
  const { rows } = await db.query<{ state: string; nonce: string; code_verifier: string; next_path: string; created_at: Date; expires_at: Date }>(
    `UPDATE staff_oidc_logins SET used_at = $2 WHERE id_hash = $1 AND used_at IS NULL AND expires_at > $2
     RETURNING state, nonce, code_verifier, next_path, created_at, expires_at`,
    [idHash, at],
  );
  const r = rows[0];
  return r ? { state: r.state, nonce: r.nonce, codeVerifier: r.code_verifier, nextPath: r.next_path, createdAt: r.created_at, expiresAt: r.expires_at } : null;
}
