/**
 * @module The second factor (R-ACC-2): TOTP enrolment with its QR code (`otpauth`, `qrcode`),
 * checking a code once per 30-second step (no replay), the 10 recovery codes shown once, and
 * removing TOTP where the role allows it.
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { requiresSecondFactor } from '../../domain/staff-accounts.ts';
import type { Queryable } from '../../store/db.ts';
import {
  clearTotp,
  confirmPendingTotp,
  getUser,
  replaceRecoveryCodes,
  setPendingTotp,
  unusedRecoveryCodes,
  useTotpStep,
  type StaffUser,
} from '../../store/staff.ts';
import { passSecondFactor } from '../../store/staff-sessions.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { audit, type RequestMeta } from './audit.ts';
import { newRecoveryCodes, sha256Hex } from './secrets.ts';
import type { SignedIn } from './sessions.ts';

const ISSUER = 'Formazione CdL';
const PERIOD_S = 30;

function totpOf(email: string, secretBase32: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: email, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/**
 * The 30-second step a code belongs to (the current one, or one step either side for a clock a
 * little off), or null when the code is wrong.
 */
export function totpStep(email: string, secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(email, secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_S) + delta;
}

export interface TotpEnrolment {
  /** The seed, for typing it into an app by hand (grouped by four). */
  secret: string;
  uri: string;
  /** The QR code of `uri` as SVG markup (made by `qrcode`: no member data, only the URI). */
  qrSvg: string;
}

/**
 * Starts a TOTP enrolment, or shows again the one waiting for its first code (a reload, a wrong
 * code: the person has scanned that seed already). A TOTP in force stays so until the new one is
 * confirmed (a new phone).
 */
export async function startTotpEnrolment(ctx: Pick<ServiceContext, 'db'>, s: SignedIn): Promise<TotpEnrolment> {
  const user = await getUser(ctx.db, s.user.id);
  if (!user) throw new ServiceError('staff-not-found');
  let secret = user.totpPendingSecret;
  if (!secret) {
    secret = new Secret({ size: 20 }).base32;
    await setPendingTotp(ctx.db, user.id, secret);
  }
  const uri = totpOf(user.email, secret).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { secret: secret.match(/.{1,4}/g)!.join(' '), uri, qrSvg };
}

/**
 * Confirms the enrolment with a first code from the app: the new seed is in force, this session
 * has passed its second factor, and 10 new recovery codes are returned, to be shown once.
 */
export async function confirmTotp(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, code: string, meta: RequestMeta): Promise<string[]> {
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  const user = await getUser(ctx.db, s.user.id);
  const pending = user?.totpPendingSecret;
  if (!user || !pending) throw new ServiceError('second-factor-not-pending');
  const step = totpStep(user.email, pending, code.trim(), nowMs);
  if (step === null) throw new ServiceError('second-factor-failed');
  const codes = newRecoveryCodes();
  await ctx.db.transaction(async (tx) => {
    if (!(await confirmPendingTotp(tx, user.id, pending, now, step))) throw new ServiceError('second-factor-not-pending');
    await replaceRecoveryCodes(tx, user.id, codes.map(sha256Hex), now);
    await passSecondFactor(tx, s.session.idHash, now);
    await audit(tx, now, user.id, 'totp-enrolled', meta);
  });
  return codes;
}

/** New recovery codes (the old ones stop working); shown once. */
export async function renewRecoveryCodes(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, meta: RequestMeta): Promise<string[]> {
  if (!s.user.totpEnabledAt) throw new ServiceError('second-factor-not-pending', 'Enrol TOTP first');
  const now = new Date(ctx.now());
  const codes = newRecoveryCodes();
  await ctx.db.transaction(async (tx) => {
    await replaceRecoveryCodes(tx, s.user.id, codes.map(sha256Hex), now);
    await audit(tx, now, s.user.id, 'recovery-codes-renewed', meta);
  });
  return codes;
}

/** Removes TOTP from an account whose role does not require it (R-ACC-2). */
export async function removeTotp(ctx: Pick<ServiceContext, 'db' | 'now'>, s: SignedIn, meta: RequestMeta): Promise<void> {
  if (requiresSecondFactor(s.user.role)) throw new ServiceError('second-factor-required');
  const now = new Date(ctx.now());
  await ctx.db.transaction(async (tx) => {
    await clearTotp(tx, s.user.id);
    await replaceRecoveryCodes(tx, s.user.id, [], now);
    await audit(tx, now, s.user.id, 'totp-removed', meta);
  });
}

/** How many recovery codes are left, for the security page. */
export async function recoveryCodesLeft(ctx: Pick<ServiceContext, 'db'>, userId: string): Promise<number> {
  return unusedRecoveryCodes(ctx.db, userId);
}

/** Checks a TOTP code of an enrolled account and uses its step; false when wrong or replayed. */
export async function useTotpCode(tx: Queryable, user: StaffUser, code: string, now: number): Promise<boolean> {
  if (!user.totpSecret || !user.totpEnabledAt) return false;
  const step = totpStep(user.email, user.totpSecret, code, now);
  return step !== null && (await useTotpStep(tx, user.id, step));
}
