/**
 * @module The secrets of staff accounts: passwords hashed with Argon2id (`@node-rs/argon2`, its
 * defaults: 19 MiB, 2 passes, the OWASP minimum), and random tokens (one-time links, session ids,
 * recovery codes) stored as SHA-256: they carry 128 bits or more, so a fast hash suffices.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id`: the binding's enum is `const` and cannot be imported under `verbatimModuleSyntax`. */
const ARGON2 = { algorithm: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2);
}

/**
 * Checks a password against its hash. Without a hash (unknown e-mail, invitation not used yet) it
 * checks against a hash of nothing, so that the answer takes as long as for a real account.
 */
export async function checkPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const h = passwordHash ?? (await dummyHash());
  const ok = await verify(h, password.normalize('NFC')).catch(() => false);
  return ok && passwordHash !== null;
}

let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hash(crypto.randomBytes(16).toString('hex'), ARGON2));

/** A random token for a link or a cookie: 256 bits, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** Recovery codes: 10 of 16 characters from an alphabet without look-alikes (about 79 bits each), shown as 4-4-4-4. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** A recovery code as typed (any case, with or without dashes and spaces) to the form it is hashed in. */
export function normaliseRecoveryCode(typed: string): string | null {
  const bare = typed.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[a-z0-9]{16}$/.test(bare)) return null;
  return bare.match(/.{4}/g)!.join('-');
}
