/**
 * @module What every staff act carries for its audit row: the address and the browser it came
 * from, and the row itself (`staff_audit`, append-only).
 */
import type { Queryable } from '../../store/db.ts';
import { insertStaffAudit, staffAuditOf } from '../../store/staff-audit.ts';

/** Where a request came from, as the gateway saw it. */
export interface RequestMeta {
  clientAddr: string | null;
  userAgent: string | null;
}

/** The events of the staff audit. */
export type StaffEvent =
  | 'invited'
  | 'invitation-resent'
  | 'password-set'
  | 'password-changed'
  | 'password-reset-requested'
  | 'signin'
  | 'signin-failed'
  | 'signin-locked'
  | 'second-factor-passed'
  | 'second-factor-failed'
  | 'recovery-code-used'
  | 'totp-enrolled'
  | 'totp-removed'
  | 'recovery-codes-renewed'
  | 'passkey-added'
  | 'passkey-removed'
  | 'signout'
  | 'signout-everywhere'
  | 'disabled'
  | 'enabled'
  | 'oidc-signin'
  | 'oidc-refused';

export async function audit(
  db: Queryable,
  at: Date,
  userId: string | null,
  event: StaffEvent,
  meta: RequestMeta | null,
  extra: { actor?: string; detail?: Record<string, unknown> } = {},
): Promise<void> {
  await insertStaffAudit(db, {
    at,
    userId,
    event,
    actor: extra.actor ?? null,
    clientAddr: meta?.clientAddr ?? null,
    userAgent: meta?.userAgent?.slice(0, 400) ?? null,
    detail: extra.detail ?? {},
  });
}

/** The account's latest audit entries (sign-ins, failures, changes), for its security page. */
export async function recentActivity(ctx: { db: Queryable }, userId: string, limit = 20) {
  return staffAuditOf(ctx.db, userId, limit);
}
