/** The staff account rules (README "Staff accounts", R-ACC-1 … R-ACC-6). */
import { describe, expect, it } from 'vitest';
import {
  lockAfterFailure,
  LOCKOUT_MS,
  mayInvite,
  passwordProblem,
  requiresSecondFactor,
  sessionOpen,
  tokenUsable,
  TOKEN_TTL_MS,
} from '../../src/domain/staff-accounts.ts';

describe('R-ACC-1 who invites whom', () => {
  it('admin invites every staff role, the CN councils and providers, nobody else anyone', () => {
    expect(['organiser', 'cpo', 'cn', 'admin'].every((r) => mayInvite({ role: 'admin' }, r as 'admin'))).toBe(true);
    expect(mayInvite({ role: 'cn' }, 'cpo')).toBe(true);
    expect(mayInvite({ role: 'cn' }, 'organiser')).toBe(true);
    expect(mayInvite({ role: 'cn' }, 'admin')).toBe(false);
    expect(mayInvite({ role: 'cn' }, 'cn')).toBe(false);
    expect(mayInvite({ role: 'cpo' }, 'cpo')).toBe(false);
    expect(mayInvite({ role: 'organiser' }, 'organiser')).toBe(false);
    expect(mayInvite({ role: 'platform' }, 'organiser')).toBe(false);
  });
});

describe('R-ACC-2 second factor', () => {
  it('is required for councils and admins, optional for a provider’s office', () => {
    expect(requiresSecondFactor('cpo')).toBe(true);
    expect(requiresSecondFactor('cn')).toBe(true);
    expect(requiresSecondFactor('admin')).toBe(true);
    expect(requiresSecondFactor('organiser')).toBe(false);
  });
});

describe('R-ACC-3 passwords', () => {
  it.each([
    ['corta', 'password-too-short'],
    ['undici car.', 'password-too-short'],
    ['x'.repeat(257), 'password-too-long'],
    ['password12345', 'password-too-common'],
    ['Password2026!', 'password-too-common'],
    ['123456789012', 'password-too-common'],
    ['qwertyuiop12', 'password-too-common'],
    ['aaaaaaaaaaaaaaaa', 'password-too-common'],
    ['ababababababab', 'password-too-common'],
    ['mario.rossi-2026-ufficio', 'password-contains-email'],
  ])('%s → %s', (pw, code) => {
    expect(passwordProblem(pw, 'mario.rossi@ente.it')).toBe(code);
  });
  it.each(['una frase lunga per la segreteria', 'Cavallo-Batteria-Graffetta', '😀😀 emoji e spazi contano', 'Tr0ub4dor&3xyz'])('%s is accepted', (pw) => {
    expect(passwordProblem(pw, 'mario.rossi@ente.it')).toBeNull();
  });
  it('counts code points, not UTF-16 units: 12 emoji are 12 characters', () => {
    // 11 emoji are 22 UTF-16 units but 11 characters: still too short.
    expect(passwordProblem('🔑🌍🎓📚🧭🪪📎📅🔑🌍🎓', 'a@b.it')).toBe('password-too-short');
    expect(passwordProblem('🔑🌍🎓📚🧭🪪📎📅🔑🌍🎓📚', 'a@b.it')).toBeNull();
  });
});

describe('R-ACC-4 lockout', () => {
  it('locks at the 5th consecutive failure for 15 minutes, not before', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    for (let n = 1; n <= 4; n++) expect(lockAfterFailure(n, now)).toBeNull();
    expect(lockAfterFailure(5, now)).toBe(now + LOCKOUT_MS);
    expect(LOCKOUT_MS).toBe(15 * 60_000);
    expect(lockAfterFailure(6, now)).toBe(now + LOCKOUT_MS);
  });
});

describe('R-ACC-5 session expiry', () => {
  const policy = { idleMs: 60 * 60_000, absoluteMs: 12 * 3600_000 };
  const t0 = Date.parse('2026-12-07T08:00:00Z');
  const s = { createdAt: t0, lastSeenAt: t0, expiresAt: t0 + policy.absoluteMs, revokedAt: null };
  it('is open within the idle time, closed at it', () => {
    expect(sessionOpen(s, policy, t0 + policy.idleMs - 1)).toBe(true);
    expect(sessionOpen(s, policy, t0 + policy.idleMs)).toBe(false);
  });
  it('closes at the absolute expiry however active, and at revocation', () => {
    expect(sessionOpen({ ...s, lastSeenAt: s.expiresAt - 1000 }, policy, s.expiresAt)).toBe(false);
    expect(sessionOpen({ ...s, revokedAt: t0 + 1 }, policy, t0 + 2)).toBe(false);
  });
});

describe('R-ACC-6 one-time links', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');
  it('work once, before expiry, for an enabled account', () => {
    expect(tokenUsable({ expiresAt: now + 1, usedAt: null }, false, now)).toBe(true);
    expect(tokenUsable({ expiresAt: now, usedAt: null }, false, now)).toBe(false);
    expect(tokenUsable({ expiresAt: now + 1, usedAt: now - 1 }, false, now)).toBe(false);
    expect(tokenUsable({ expiresAt: now + 1, usedAt: null }, true, now)).toBe(false);
  });
  it('invitations last 72 hours, resets one', () => {
    expect(TOKEN_TTL_MS.invitation).toBe(72 * 3600_000);
    expect(TOKEN_TTL_MS.reset).toBe(3600_000);
  });
});
