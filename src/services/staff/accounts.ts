/**
 * @module Staff accounts (issue 14): an admin or the CN invites a person (R-ACC-1), who sets a
 * password from a one-time link sent through the outbox (R-ACC-6); listing, disabling, resending
 * an invitation, a forgotten password's reset, and a password change. The console, the API and
 * the operator's CLI call these.
 */
import crypto from 'node:crypto';
import { mayInvite, passwordProblem, TOKEN_TTL_MS, tokenUsable, type StaffRole, type TokenPurpose } from '../../domain/staff-accounts.ts';
import { italianDateTime, withArticle } from '../../domain/italian-dates.ts';
import type { Queryable } from '../../store/db.ts';
import { insertOutbox } from '../../store/outbox.ts';
import {
  clearTotp,
  countUsers,
  displayNames,
  expireTokens,
  getUser,
  insertToken,
  insertUser,
  listUsers,
  lockUser,
  markTokenUsed,
  replaceRecoveryCodes,
  setDisabled,
  setPasswordHash,
  tokenByHash,
  userByEmail,
  type StaffUser,
} from '../../store/staff.ts';
import { revokeUserSessions } from '../../store/staff-sessions.ts';
import { deletePasskeysOf } from '../../store/staff-passkeys.ts';
import { actorRef, userIdOfRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { checkKeySubject } from '../keys.ts';
import { audit, type RequestMeta } from './audit.ts';
import { checkPassword, hashPassword, newToken, sha256Hex } from './secrets.ts';

type Ctx = Pick<ServiceContext, 'db' | 'config' | 'log' | 'now' | 'mail'>;

/** An account as shown to whoever manages it: never a secret, only whether each is set. */
export interface StaffAccount {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  subject: string | null;
  state: 'invited' | 'active' | 'locked' | 'disabled';
  secondFactor: boolean;
  createdAt: string;
  createdBy: string;
}

export function accountOf(u: StaffUser, now: number): StaffAccount {
  const state = u.disabledAt
    ? 'disabled'
    : !u.passwordHash && !u.oidcSubject
      ? 'invited'
      : u.lockedUntil && u.lockedUntil.getTime() > now
        ? 'locked'
        : 'active';
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    subject: u.subject,
    state,
    secondFactor: u.totpEnabledAt !== null || u.passkeys > 0,
    createdAt: u.createdAt.toISOString(),
    createdBy: u.createdBy,
  };
}

export interface Invitation {
  email: string;
  displayName: string;
  role: StaffRole;
  subject?: string | null | undefined;
  /** Where the gateway answers, when `PUBLIC_URL` is not set (the request's origin). */
  origin: string;
}

export interface Invited {
  account: StaffAccount;
  /** The one-time link. The console shows it to the inviter only when no mail can go out. */
  link: string;
  mailed: boolean;
}

/** The path of a one-time link in the console. */
export const LINK_PATHS: Record<TokenPurpose, string> = { invitation: '/console/invito', reset: '/console/nuova-password' };

const linkBase = (ctx: Ctx, origin: string) => (ctx.config.PUBLIC_URL ?? origin).replace(/\/+$/, '');

/**
 * Invites a person (R-ACC-1): the account is created without a password and an invitation mail
 * goes to the outbox in the same transaction; the mail worker sends it after COMMIT.
 */
export async function inviteStaff(ctx: Ctx, actor: Actor | 'operator', input: Invitation): Promise<Invited> {
  if (actor !== 'operator' && !mayInvite(actor, input.role)) throw new ServiceError('forbidden', `A ${actor.role} cannot invite ${input.role} accounts`);
  const subject = await checkKeySubject(ctx.db, input.role, input.subject ?? null, 'invalid-staff-subject');
  const now = new Date(ctx.now());
  const by = actor === 'operator' ? 'operator:cli' : actorRef(actor);
  const token = newToken();
  const link = `${linkBase(ctx, input.origin)}${LINK_PATHS.invitation}/${token}`;
  const { user, outboxId } = await ctx.db.transaction(async (tx) => {
    const user = await insertUser(tx, {
      id: crypto.randomUUID(),
      email: input.email.trim(),
      displayName: input.displayName.trim(),
      role: input.role,
      subject,
      createdAt: now,
      createdBy: by,
    });
    if (!user) throw new ServiceError('staff-email-taken', `An account for ${input.email} exists`);
    const outboxId = await writeLink(tx, user, 'invitation', token, link, now);
    await audit(tx, now, user.id, 'invited', null, { actor: by, detail: { role: user.role, subject: user.subject } });
    return { user, outboxId };
  });
  const mailed = await handToMailer(ctx, outboxId);
  ctx.log.info({ userId: user.id, role: user.role, by }, 'staff account invited');
  return { account: accountOf(user, ctx.now()), link, mailed };
}

/** A new invitation link for an account that has not set its password yet; the old ones stop working. */
export async function resendInvitation(ctx: Ctx, actor: Actor, userId: string, origin: string): Promise<Invited> {
  const now = new Date(ctx.now());
  const token = newToken();
  const link = `${linkBase(ctx, origin)}${LINK_PATHS.invitation}/${token}`;
  const { user, outboxId } = await ctx.db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user || !managesAccount(actor, user)) throw new ServiceError('staff-not-found');
    if (user.passwordHash || user.disabledAt) throw new ServiceError('conflict', 'Only an account still invited can be sent a new invitation');
    await expireTokens(tx, user.id, 'invitation', now);
    const outboxId = await writeLink(tx, user, 'invitation', token, link, now);
    await audit(tx, now, user.id, 'invitation-resent', null, { actor: actorRef(actor) });
    return { user, outboxId };
  });
  return { account: accountOf(user, ctx.now()), link, mailed: await handToMailer(ctx, outboxId) };
}

/** Whoever may invite a role manages its accounts; nobody manages their own through this door. */
export function managesAccount(actor: Actor, u: StaffUser): boolean {
  return mayInvite(actor, u.role) && actor.userId !== u.id;
}

/** The accounts `actor` manages. */
export async function listStaff(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor): Promise<StaffAccount[]> {
  const roles = (['organiser', 'cpo', 'cn', 'admin'] as const).filter((r) => mayInvite(actor, r));
  if (!roles.length) return [];
  const rows = await listUsers(ctx.db, { roles });
  return rows.map((u) => accountOf(u, ctx.now()));
}

/** Disables (or enables again) an account; disabling ends its sessions at once. */
export async function setStaffDisabled(ctx: Ctx, actor: Actor, userId: string, disabled: boolean): Promise<StaffAccount> {
  const now = new Date(ctx.now());
  const user = await ctx.db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user || !managesAccount(actor, user)) throw new ServiceError('staff-not-found');
    if (disabled === (user.disabledAt !== null)) return user;
    await setDisabled(tx, user.id, disabled ? now : null);
    if (disabled) await revokeUserSessions(tx, user.id, now);
    await audit(tx, now, user.id, disabled ? 'disabled' : 'enabled', null, { actor: actorRef(actor) });
    return { ...user, disabledAt: disabled ? now : null };
  });
  return accountOf(user, ctx.now());
}

/**
 * A person lost the phone and the recovery codes: whoever manages the account removes its TOTP
 * and passkeys and ends its sessions; a role that requires a second factor enrols a new one at the next
 * sign-in, before anything else (R-ACC-2).
 */
export async function resetSecondFactor(ctx: Ctx, actor: Actor, userId: string): Promise<StaffAccount> {
  const now = new Date(ctx.now());
  const user = await ctx.db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user || !managesAccount(actor, user)) throw new ServiceError('staff-not-found');
    await clearTotp(tx, user.id);
    await deletePasskeysOf(tx, user.id);
    await replaceRecoveryCodes(tx, user.id, [], now);
    await revokeUserSessions(tx, user.id, now);
    await audit(tx, now, user.id, 'totp-removed', null, { actor: actorRef(actor) });
    return { ...user, totpSecret: null, totpPendingSecret: null, totpEnabledAt: null, totpLastStep: null, passkeys: 0 };
  });
  return accountOf(user, ctx.now());
}

/** What a one-time link opens, for the page that asks for the new password. */
export async function inspectLink(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  purpose: TokenPurpose,
  token: string,
): Promise<{ email: string; displayName: string } | null> {
  const t = await tokenByHash(ctx.db, sha256Hex(token));
  if (!t || t.purpose !== purpose) return null;
  const user = await getUser(ctx.db, t.userId);
  if (!user || !tokenUsable({ expiresAt: t.expiresAt.getTime(), usedAt: t.usedAt?.getTime() ?? null }, user.disabledAt !== null, ctx.now())) return null;
  return { email: user.email, displayName: user.displayName };
}

/**
 * Sets the password from a one-time link (R-ACC-6): the first one from an invitation, a new one
 * from a reset (which also ends every session of the account). Returns the account, for the
 * caller to open a session.
 */
export async function useLink(ctx: Ctx, purpose: TokenPurpose, token: string, password: string, meta: RequestMeta): Promise<StaffUser> {
  const now = new Date(ctx.now());
  const hash = sha256Hex(token);
  const t = await tokenByHash(ctx.db, hash);
  const user = t && t.purpose === purpose ? await getUser(ctx.db, t.userId) : null;
  if (!t || !user || !tokenUsable({ expiresAt: t.expiresAt.getTime(), usedAt: t.usedAt?.getTime() ?? null }, user.disabledAt !== null, ctx.now()))
    throw new ServiceError('link-not-usable');
  refuseWeak(password, user.email);
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction(async (tx) => {
    if (!(await markTokenUsed(tx, hash, now))) throw new ServiceError('link-not-usable');
    await setPasswordHash(tx, user.id, passwordHash);
    if (purpose === 'reset') await revokeUserSessions(tx, user.id, now);
    await audit(tx, now, user.id, 'password-set', meta, { detail: { via: purpose } });
    return { ...user, passwordHash, failedSignins: 0, lockedUntil: null };
  });
}

/**
 * A forgotten password: when the address belongs to an active account, a reset link goes to it.
 * The answer is the same either way (nobody learns which addresses have accounts).
 */
export async function requestPasswordReset(ctx: Ctx, email: string, origin: string, meta: RequestMeta): Promise<void> {
  const now = new Date(ctx.now());
  const token = newToken();
  const link = `${linkBase(ctx, origin)}${LINK_PATHS.reset}/${token}`;
  const outboxId = await ctx.db.transaction(async (tx) => {
    const user = await userByEmail(tx, email.trim());
    if (!user || user.disabledAt || !user.passwordHash) return null;
    await expireTokens(tx, user.id, 'reset', now);
    const id = await writeLink(tx, user, 'reset', token, link, now);
    await audit(tx, now, user.id, 'password-reset-requested', meta);
    return id;
  });
  if (outboxId !== null) await handToMailer(ctx, outboxId);
}

/** A signed-in person changes their password: the current one first; the other sessions end. */
export async function changePassword(
  ctx: Ctx,
  userId: string,
  input: { current: string; next: string; keepSessionHash: string | null },
  meta: RequestMeta,
): Promise<void> {
  const user = await getUser(ctx.db, userId);
  if (!user || user.disabledAt) throw new ServiceError('staff-not-found');
  if (!(await checkPassword(user.passwordHash, input.current))) throw new ServiceError('signin-failed', 'The current password is not right');
  refuseWeak(input.next, user.email);
  const passwordHash = await hashPassword(input.next);
  const now = new Date(ctx.now());
  await ctx.db.transaction(async (tx) => {
    await setPasswordHash(tx, user.id, passwordHash);
    await revokeUserSessions(tx, user.id, now, input.keepSessionHash);
    await audit(tx, now, user.id, 'password-changed', meta);
  });
}

/**
 * Who an audit's actor refs name, for people to read (R-ACC-7): a person's name for
 * `role:user:<id>`, null for a key or the system (the page says "chiave API" or "sistema").
 */
export async function namesOfActors(ctx: Pick<ServiceContext, 'db'>, refs: readonly (string | null)[]): Promise<Map<string, string>> {
  const ids = [...new Set(refs.map((r) => (r ? userIdOfRef(r) : null)).filter((x): x is string => x !== null))];
  const names = await displayNames(ctx.db, ids);
  const out = new Map<string, string>();
  for (const r of refs) {
    const id = r ? userIdOfRef(r) : null;
    if (r && id && names.has(id)) out.set(r, names.get(id)!);
  }
  return out;
}

/** Whether anybody can sign in yet (a fresh installation has no account: the first admin comes from the CLI). */
export async function hasStaffAccounts(ctx: Pick<ServiceContext, 'db'>): Promise<boolean> {
  return (await countUsers(ctx.db)) > 0;
}

function refuseWeak(password: string, email: string): void {
  const p = passwordProblem(password, email);
  if (p) throw new ServiceError(p);
}

async function writeLink(tx: Queryable, user: StaffUser, purpose: TokenPurpose, token: string, link: string, now: Date): Promise<number> {
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS[purpose]);
  await insertToken(tx, { tokenHash: sha256Hex(token), userId: user.id, purpose, createdAt: now, expiresAt });
  const [id] = await insertOutbox(tx, [linkMail(user, purpose, link, expiresAt, sha256Hex(token), now)]);
  return id!;
}

async function handToMailer(ctx: Ctx, outboxId: number): Promise<boolean> {
  if (!ctx.mail) return false;
  // After COMMIT; if Redis fails here the row waits and the mail sweep sends it.
  await ctx.mail.send([outboxId]).catch((err) => ctx.log.warn({ outboxId, err: String(err) }, 'staff mail not queued; the sweep will send it'));
  return true;
}

/** Outbox kinds of the staff mails; their dedup key is `<kind>:<token hash>`. */
export const STAFF_MAIL_KINDS: Record<TokenPurpose, string> = { invitation: 'staff-invitation', reset: 'staff-password-reset' };

function linkMail(user: StaffUser, purpose: TokenPurpose, link: string, expiresAt: Date, tokenHash: string, now: Date) {
  const until = italianDateTime(expiresAt);
  const invitation = purpose === 'invitation';
  const text = [
    `Gentile ${user.displayName},`,
    '',
    invitation
      ? 'è stato creato per Lei un account sul portale della formazione continua dei Consulenti del Lavoro. Per attivarlo scelga una password dal link seguente:'
      : 'abbiamo ricevuto una richiesta di nuova password per il Suo account. Per sceglierla apra il link seguente:',
    '',
    link,
    '',
    `Il link vale una sola volta, fino ${withArticle('al', until, { apostrophe: "'" })}.`,
    invitation ? '' : 'Se non ha chiesto Lei una nuova password, ignori questo messaggio: la password attuale resta valida.',
  ].join('\n');
  return {
    kind: STAFF_MAIL_KINDS[purpose],
    dedupKey: `${STAFF_MAIL_KINDS[purpose]}:${tokenHash}`,
    recipient: user.email,
    subject: invitation ? 'Attivazione del Suo account' : 'Nuova password del Suo account',
    bodyText: text.trimEnd(),
    bodyHtml: null,
    createdAt: now,
  };
}
