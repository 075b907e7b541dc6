/**
 * @module The staff audit (migration 010), append-only: sign-ins, failures, lockouts, invitations,
 * password and second-factor changes, sign-outs, each with who acted, the address and the browser.
 */
import type { Queryable } from './db.ts';

export interface StaffAuditEntry {
  at: Date;
  userId: string | null;
  event: string;
  /** Who did it when not the person themself (an admin who invited or disabled), as an actor ref. */
  actor: string | null;
  clientAddr: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

export async function insertStaffAudit(db: Queryable, e: StaffAuditEntry): Promise<void> {
  await db.query('INSERT INTO staff_audit (at, user_id, event, actor, client_addr, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    e.at,
    e.userId,
    e.event,
    e.actor,
    e.clientAddr,
    e.userAgent,
    JSON.stringify(e.detail),
  ]);
}

/** An account's entries, newest first. */
export async function staffAuditOf(db: Queryable, userId: string, limit = 100): Promise<(StaffAuditEntry & { id: number })[]> {
  const { rows } = await db.query<{
    id: number;
    at: Date;
    user_id: string | null;
    event: string;
    actor: string | null;
    client_addr: string | null;
    user_agent: string | null;
    detail: Record<string, unknown>;
  }>('SELECT id, at, user_id, event, actor, client_addr, user_agent, detail FROM staff_audit WHERE user_id = $1 ORDER BY id DESC LIMIT $2', [userId, limit]);
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    userId: r.user_id,
    event: r.event,
    actor: r.actor,
    clientAddr: r.client_addr,
    userAgent: r.user_agent,
    detail: r.detail,
  }));
}
