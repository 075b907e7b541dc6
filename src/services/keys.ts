/**
 * @module API keys: issue (the key is shown once), list (never the key), revoke, and resolve a
 * presented key to its actor. The API and the operator's CLI issue and revoke through here.
 *
 * Keys are 256-bit random tokens, not passwords: a fast hash is the right tool (a slow password
 * hash would only cost time per request and add nothing against brute force of 2^256).
 */
import { LRUCache } from 'lru-cache';
import crypto from 'node:crypto';
import { isProvinceCode } from '../domain/provinces.ts';
import { ISSUABLE_ROLES, managesKey, type Role } from '../domain/roles.ts';
import { activeKeyByHash, getKey, insertKey, listKeys as listKeyRows, revokeActiveKey, revokeKey as revokeKeyRow, type KeyRow } from '../store/api-keys.ts';
import type { Queryable } from '../store/db.ts';
import { getOrganiser } from '../store/organisers.ts';
import { actorRef, type Actor } from './actor.ts';
import { sha256Hex } from './staff/secrets.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';

export interface KeyInfo {
  id: string;
  role: Role;
  subject: string | null;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewKey {
  role: Role;
  subject?: string | null | undefined;
  label: string;
}

const toInfo = (r: KeyRow): KeyInfo => ({
  id: r.id,
  role: r.role,
  subject: r.subject,
  label: r.label,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
});

/** Keys are stored as their SHA-256 (the module comment says why). */
export const hashKey = sha256Hex;

/** A new key: the role is readable in it so an operator can tell keys apart. */
function generateKey(role: Role): string {
  return `cdl_${role}_${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * The subject a key (or a staff account) of `role` must carry: its organiser (platform,
 * organiser), its province (cpo), none (cn, admin). Returns the normalised subject or refuses
 * with `code` (`invalid-key-subject` for keys, `invalid-staff-subject` for accounts).
 */
export async function checkKeySubject(
  db: Queryable,
  role: Role,
  subject: string | null | undefined,
  code: 'invalid-key-subject' | 'invalid-staff-subject' = 'invalid-key-subject',
): Promise<string | null> {
  const what = code === 'invalid-key-subject' ? 'key' : 'account';
  if (role === 'platform' || role === 'organiser') {
    const ok = subject && /^[0-9a-f-]{36}$/i.test(subject) && (await getOrganiser(db, subject.toLowerCase())) !== null;
    if (!ok) throw new ServiceError(code, `A ${role} ${what} needs the id of an existing organiser as subject`);
    return subject!.toLowerCase();
  }
  if (role === 'cpo') {
    const p = subject?.toUpperCase();
    if (!p || !isProvinceCode(p)) throw new ServiceError(code, `A cpo ${what} needs a province code as subject (e.g. MI)`);
    return p;
  }
  if (subject) throw new ServiceError(code, `A ${role} ${what} has no subject`);
  return null;
}

async function storeNewKey(db: Queryable, role: Role, subject: string | null, label: string): Promise<KeyInfo & { key: string }> {
  const key = generateKey(role);
  const row = await insertKey(db, { id: crypto.randomUUID(), role, subject, label, keyHash: hashKey(key) });
  return { ...toInfo(row), key };
}

/** Issues a key on behalf of `actor`, within what its role may issue (`ISSUABLE_ROLES`). */
export async function issueKey(ctx: Pick<ServiceContext, 'db' | 'log'>, actor: Actor, input: NewKey): Promise<KeyInfo & { key: string }> {
  if (!ISSUABLE_ROLES[actor.role].includes(input.role)) throw new ServiceError('forbidden', `A ${actor.role} key cannot issue ${input.role} keys`);
  const subject = await checkKeySubject(ctx.db, input.role, actor.role === 'organiser' ? (input.subject ?? actor.subject) : input.subject);
  if (actor.role === 'organiser' && subject !== actor.subject) throw new ServiceError('forbidden', 'An organiser issues keys for itself only');
  const issued = await storeNewKey(ctx.db, input.role, subject, input.label);
  ctx.log.info({ keyId: issued.id, role: input.role, by: actorRef(actor) }, 'api key issued');
  return issued;
}

/** The operator's key, issued from the command line with no key of its own (the first admin key). */
export async function issueOperatorKey(db: Queryable, input: NewKey): Promise<KeyInfo & { key: string }> {
  const subject = await checkKeySubject(db, input.role, input.subject ?? null);
  return storeNewKey(db, input.role, subject, input.label);
}

/** The keys `actor` manages, never the keys themselves. */
export async function listKeys(ctx: Pick<ServiceContext, 'db'>, actor: Actor): Promise<KeyInfo[]> {
  const rows = await listKeyRows(ctx.db, ISSUABLE_ROLES[actor.role], actor.role === 'organiser' ? actor.subject : null);
  return rows.map(toInfo);
}

/** Revokes a key `actor` manages; any other key is reported as unknown (its existence is not disclosed). */
export async function revokeKey(ctx: Pick<ServiceContext, 'db' | 'log'>, actor: Actor, id: string): Promise<KeyInfo> {
  const key = await getKey(ctx.db, id);
  if (!key || !managesKey(actor, key)) throw new ServiceError('key-not-found');
  const revoked = await revokeKeyRow(ctx.db, id);
  if (!revoked) throw new ServiceError('key-not-found');
  ctx.log.info({ keyId: id, by: actorRef(actor) }, 'api key revoked');
  return toInfo(revoked);
}

/** The operator revokes an active key from the command line. */
export async function revokeOperatorKey(db: Queryable, id: string): Promise<boolean> {
  return revokeActiveKey(db, id);
}

/** How long a key lookup is cached: a revoked key stops working within this time. */
export const KEY_CACHE_MS = 5_000;

/**
 * Resolves a presented key to its actor. Lookups are cached briefly: a revoked key stops working
 * within `ttlMs`, read on the product's clock (tests advance it instead of waiting).
 */
export function keyResolver(db: Queryable, opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const { ttlMs = KEY_CACHE_MS, maxEntries = 10_000, now = Date.now } = opts;
  // The product's clock, read afresh at every lookup (ttlResolution 0).
  const cache = new LRUCache<string, { actor: Actor | null }>({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  return async (key: string): Promise<Actor | null> => {
    const h = hashKey(key);
    const hit = cache.get(h);
    if (hit) return hit.actor;
    const row = await activeKeyByHash(db, h);
    const actor = row ? { keyId: row.id, role: row.role, subject: row.subject } : null;
    cache.set(h, { actor });
    return actor;
  };
}
