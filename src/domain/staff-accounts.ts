/**
 * @module Staff accounts (issue 14): who a person may be, who may invite whom, the second factor a
 * role needs, the password policy, the lockout after failures and a session's expiry. The rules
 * are the gateway's own decisions (README, "Staff accounts", R-ACC-1 … R-ACC-7); no seed speaks
 * of them.
 */
import type { Role } from './roles.ts';

/** A person's roles: the key roles but `platform` (a platform is a machine, never a person). */
export const STAFF_ROLES = ['organiser', 'cpo', 'cn', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const isStaffRole = (r: string): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r);

/**
 * Who may invite a person of each role: admin anyone; the CN the councils' and providers' staff.
 * A person is invited to the same scope as a key of that role (organiser id, province, none).
 * @rule R-ACC-1
 */
export const INVITABLE_ROLES: Readonly<Record<Role, readonly StaffRole[]>> = {
  admin: STAFF_ROLES,
  cn: ['cpo', 'organiser'],
  cpo: [],
  organiser: [],
  platform: [],
};

export function mayInvite(inviter: { role: Role }, role: StaffRole): boolean {
  return INVITABLE_ROLES[inviter.role].includes(role);
}

/**
 * The council's and the operators' accounts decide members' credits and hold every province's
 * data: they cannot sign in without a second factor (TOTP or a passkey). A provider's office
 * may add one.
 * @rule R-ACC-2
 */
export function requiresSecondFactor(role: StaffRole): boolean {
  return role !== 'organiser';
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export type PasswordProblem = 'password-too-short' | 'password-too-long' | 'password-too-common' | 'password-contains-email';

/**
 * A password is 12 to 256 characters (any character, spaces included, counted as Unicode code
 * points), is not one of the most common choices, and does not contain the e-mail's name. No
 * rules of composition and no expiry (NIST SP 800-63B §3.1.1.2: they make passwords weaker).
 * @rule R-ACC-3
 */
export function passwordProblem(password: string, email: string): PasswordProblem | null {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN) return 'password-too-short';
  if (length > PASSWORD_MAX) return 'password-too-long';
  const folded = password.toLowerCase().replace(/[^a-z0-9]/g, '');
  // A common word with digits or symbols around it is as easy to guess as the word ("Password2026!").
  const core = folded.replace(/^\d+|\d+$/g, '');
  if ((folded !== '' && core === '') || COMMON.some((c) => core.startsWith(c) && core.length - c.length <= 2)) return 'password-too-common';
  if (new Set(password.toLowerCase()).size <= 3) return 'password-too-common';
  const name = email
    .toLowerCase()
    .split('@')[0]!
    .replace(/[^a-z0-9]/g, '');
  if (name.length >= 4 && folded.includes(name)) return 'password-contains-email';
  return null;
}

/** Stems of the passwords every guessing list starts with, Italian ones included. */
const COMMON = [
  'password',
  'passw0rd',
  'qwerty',
  'qwertyuiop',
  'asdfghjkl',
  'azerty',
  '123456',
  '1234567890',
  'abc123',
  'iloveyou',
  'letmein',
  'welcome',
  'benvenuto',
  'ciao',
  'amore',
  'juventus',
  'napoli',
  'forzainter',
  'forzamilan',
  'consulente',
  'consulentedellavoro',
  'admin',
  'changeme',
];

/** Consecutive failed passwords (or codes) that lock an account, and for how long. */
export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60_000;

/**
 * After the 5th consecutive failure an account is locked for 15 minutes, and again after each
 * further failure once it reopens; a success resets the count. The lock answers every attempt
 * alike (right password or not), so it cannot be used to guess. Returns when it opens again,
 * or null when the account stays open.
 * @rule R-ACC-4
 */
export function lockAfterFailure(failuresIncludingThis: number, now: number): number | null {
  return failuresIncludingThis >= LOCKOUT_FAILURES ? now + LOCKOUT_MS : null;
}

export interface SessionTimes {
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/**
 * A session ends at the first of: sign-out (or sign-out everywhere, or the account disabled),
 * its absolute expiry (12 hours by default: a working day) and an idle time without requests
 * (60 minutes by default).
 * @rule R-ACC-5
 */
export function sessionOpen(s: SessionTimes, policy: SessionPolicy, now: number): boolean {
  if (s.revokedAt !== null) return false;
  if (now >= s.expiresAt) return false;
  return now - s.lastSeenAt < policy.idleMs;
}

/** Invitation links work 72 hours (a person invited on Friday signs in on Monday); reset links 1 hour. */
export const TOKEN_TTL_MS = { invitation: 72 * 3600_000, reset: 3600_000 } as const;
export type TokenPurpose = keyof typeof TOKEN_TTL_MS;

/**
 * A one-time link works once, before it expires, for an account still enabled.
 * @rule R-ACC-6
 */
export function tokenUsable(t: { expiresAt: number; usedAt: number | null }, userDisabled: boolean, now: number): boolean {
  return t.usedAt === null && now < t.expiresAt && !userDisabled;
}
