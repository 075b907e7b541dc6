/**
 * @module Signed, single-purpose, expiring member links (ARCHITECTURE "Interfaces"): a JWT
 * (HS256, signed with `jose`) whose audience is the purpose, whose subject is the one record it
 * opens (a questionnaire id) and whose expiry is that record's deadline. A link for one purpose
 * never opens another page, and an expired link still says what it was for and when it expired.
 */
import crypto from 'node:crypto';
import { errors, jwtVerify, SignJWT, decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Queryable } from './store/db.ts';

/** What a link may open. */
/** `scorm`: a launch token, whose subject is an e-learning enrolment (issue 6 §2). */
export type LinkPurpose = 'questionnaire' | 'dashboard' | 'scorm' | 'scorm-content' | 'scorm-review' | 'scorm-review-content' | 'cmi5-content';

export interface MemberLinks {
  sign(purpose: LinkPurpose, subject: string, expiresAt: Date): Promise<string>;
  /**
   * The subject of a valid link for `purpose`; `expired` (with the subject and the expiry) for a
   * genuine link past its expiry; `invalid` for anything else (tampered, other purpose, garbage).
   */
  verify(purpose: LinkPurpose, token: string, now: number): Promise<LinkCheck>;
}

export type LinkCheck =
  | { ok: true; subject: string; expiresAt: Date }
  | { ok: false; reason: 'expired'; subject: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' };

const ISSUER = 'cdl-gateway';
/** Tokens are short; anything longer is not ours and is refused before any crypto. */
const MAX_TOKEN_LENGTH = 1000;

/**
 * Member links signed with `secret` (≥ 32 bytes of entropy).
 *
 * @example
 * const links = memberLinks(await linkSecret(db, config.LINK_SECRET));
 * const token = await links.sign('questionnaire', q.id, deadline);
 */
export function memberLinks(secret: string): MemberLinks {
  // Imported once: handed raw bytes, jose imports a WebCrypto key on every sign and verify, a
  // measurable share of a SCORM commit's CPU (issue 16 bench: 5.6 % of the gateway's).
  const key = crypto.webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  key.catch(() => undefined); // an unusable secret fails at the first sign or verify, not as an unhandled rejection
  // Tokens whose signature and claims were checked once, by the token itself: a SCORM learner's
  // launch token comes with every commit (333 a second at 10,000 learners, issue 16), and its
  // HMAC cannot change. Only the expiry and the purpose are judged again, as jose judges them.
  const verified = new LRUCache<string, Verified>({ max: 20_000, ttl: 10 * 60_000 });
  return {
    async sign(purpose, subject, expiresAt) {
      return (
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(purpose)
          .setSubject(subject)
          // JWT expiry is in whole seconds and a token is expired from `exp` on: the second after
          // the last millisecond of validity, so a deadline of 23:59:59.999 holds to its end.
          .setExpirationTime(Math.floor(expiresAt.getTime() / 1000) + 1)
          .sign(await key)
      );
    },
    async verify(purpose, token, now) {
      if (!token || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
      const known = verified.get(token);
      if (known) return judge(known, purpose, now);
      try {
        const { payload } = await jwtVerify(token, await key, { issuer: ISSUER, audience: purpose, algorithms: ['HS256'], currentDate: new Date(now) });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return { ok: false, reason: 'invalid' };
        verified.set(token, { purpose, subject: payload.sub, exp: payload.exp });
        return { ok: true, subject: payload.sub, expiresAt: new Date(payload.exp * 1000 - 1) };
      } catch (err) {
        // jose checks the signature before the claims, so an expired error means a genuine link.
        if (err instanceof errors.JWTExpired) {
          const p = decodeJwt(token);
          if (p.aud === purpose && typeof p.sub === 'string' && typeof p.exp === 'number')
            return { ok: false, reason: 'expired', subject: p.sub, expiresAt: new Date(p.exp * 1000 - 1) };
        }
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}

interface Verified {
  purpose: LinkPurpose;
  subject: string;
  /** JWT `exp`, in seconds. */
  exp: number;
}

/** A verified token's check at `now`: jose's own rules (the audience is the purpose; expired from `exp` on, in whole seconds). */
function judge(v: Verified, purpose: LinkPurpose, now: number): LinkCheck {
  if (v.purpose !== purpose) return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(v.exp * 1000 - 1);
  return Math.floor(now / 1000) < v.exp ? { ok: true, subject: v.subject, expiresAt } : { ok: false, reason: 'expired', subject: v.subject, expiresAt };
}

/**
 * The link-signing secret: `configured` (LINK_SECRET) when set, otherwise one generated at the
 * first start and kept in the database, so every process on it signs and verifies alike.
 */
export async function linkSecret(db: Queryable, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const fresh = crypto.randomBytes(32).toString('base64url');
  await db.query('INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', ['member-links', fresh]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM app_secrets WHERE name = $1', ['member-links']);
  return rows[0]!.value;
}
