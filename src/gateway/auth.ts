/**
 * @module API keys: role + subject, stored as SHA-256 hashes, checked by middleware.
 *
 * Keys are 256-bit random tokens, not passwords: a fast hash is the right tool (a slow password
 * hash would only cost time per request and add nothing against brute force of 2^256).
 */
import crypto from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { isProvinceCode } from '../domain/provinces.ts';
import type { Queryable } from '../store/db.ts';
import { ApiError } from './problem.ts';

export const ROLES = ['platform', 'organiser', 'cpo', 'cn', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  keyId: string;
  role: Role;
  /** Organiser id for `platform` and `organiser`, province code for `cpo`, null otherwise. */
  subject: string | null;
}

export type AuthEnv = { Variables: { principal: Principal } };

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

/** A new key: the role is readable in it so an operator can tell keys apart. */
export function generateKey(role: Role): string {
  return `cdl_${role}_${crypto.randomBytes(32).toString('base64url')}`;
}

export async function createKey(db: Queryable, role: Role, subject: string | null, label: string): Promise<{ id: string; key: string }> {
  const key = generateKey(role);
  const id = crypto.randomUUID();
  await db.query('INSERT INTO api_keys (id, role, subject, label, key_hash) VALUES ($1, $2, $3, $4, $5)', [id, role, subject, label, hashKey(key)]);
  return { id, key };
}

/**
 * The subject a key of `role` must carry: its organiser (platform, organiser), its province
 * (cpo), none (cn, admin). Returns the normalised subject or throws a 422 with a stable code.
 */
export async function checkKeySubject(db: Queryable, role: Role, subject: string | null | undefined): Promise<string | null> {
  if (role === 'platform' || role === 'organiser') {
    const ok = subject && /^[0-9a-f-]{36}$/i.test(subject) && (await db.query('SELECT 1 FROM organisers WHERE id = $1', [subject])).rows.length > 0;
    if (!ok) throw new ApiError(422, 'invalid-key-subject', `A ${role} key needs the id of an existing organiser as subject`);
    return subject!.toLowerCase();
  }
  if (role === 'cpo') {
    const code = subject?.toUpperCase();
    if (!code || !isProvinceCode(code)) throw new ApiError(422, 'invalid-key-subject', 'A cpo key needs a province code as subject (e.g. MI)');
    return code;
  }
  if (subject) throw new ApiError(422, 'invalid-key-subject', `A ${role} key has no subject`);
  return null;
}

/** Lookups are cached briefly: a revoked key stops working within `ttlMs`. */
export function keyResolver(db: Queryable, ttlMs = 5_000, maxEntries = 10_000) {
  const cache = new Map<string, { p: Principal | null; at: number }>();
  return async (key: string): Promise<Principal | null> => {
    const h = hashKey(key);
    const hit = cache.get(h);
    if (hit && Date.now() - hit.at < ttlMs) return hit.p;
    const { rows } = await db.query<{ id: string; role: Role; subject: string | null }>(
      'SELECT id, role, subject FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [h],
    );
    const p = rows[0] ? { keyId: rows[0].id, role: rows[0].role, subject: rows[0].subject } : null;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(h, { p, at: Date.now() });
    return p;
  };
}

/**
 * Requires a bearer key of one of `roles`; sets `principal`.
 *
 * @example
 * app.use('/v1/ingest/*', requireRole(resolve, 'platform', 'organiser'))
 */
export function requireRole(resolve: (key: string) => Promise<Principal | null>, ...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError(401, 'unauthorized', 'Send the API key as "Authorization: Bearer <key>"');
    const p = await resolve(m[1]!);
    if (!p) throw new ApiError(401, 'unauthorized', 'Unknown or revoked API key');
    if (!roles.includes(p.role)) throw new ApiError(403, 'forbidden', `This operation needs one of the roles: ${roles.join(', ')}`);
    c.set('principal', p);
    await next();
  };
}
