/**
 * @module Reading derived attendance: an event's outcomes with their explanations (R-ATT-9), the
 * unmatched participants (R-ATT-7) and incomplete records (R-ATT-6) as views of them, its audit
 * trail (R-POL-2); a member's credit records.
 */
import type { z } from '@hono/zod-openapi';
import type { OutcomeStatus } from '../../schemas/attendance.ts';
import {
  auditEntries as auditRows,
  correctionRows,
  lastDerivation,
  memberCreditRecords,
  memberProvince,
  outcomeMemberNames,
  outcomeRows,
  outcomeSummary,
} from '../../store/attendance-read.ts';
import { visibleEvent } from '../access.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/**
 * A page of the event's outcomes by participant key, those of `statuses` only when given, with
 * the count of each status and the last derivation; `next` continues after the page.
 */
export async function outcomePage(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  eventId: string,
  query: { statuses: string[] | null; limit: number; after: string | null },
) {
  await visibleEvent(ctx.db, actor, eventId);
  const page = await outcomeRows(ctx.db, eventId, query.statuses, query.limit, query.after);
  const summary = await outcomeSummary(ctx.db, eventId);
  const last = await lastDerivation(ctx.db, eventId);
  return {
    eventId,
    summary,
    lastDerivation: last,
    outcomes: page.rows.map((r) => ({ ...r, status: r.status as z.infer<typeof OutcomeStatus> })),
    next: page.more ? page.rows[page.rows.length - 1]!.participantKey : null,
  };
}

/** The event's audit entries after id `after` (every re-derivation that changed an outcome). */
export async function auditTrail(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, query: { limit: number; after?: number | undefined }) {
  await visibleEvent(ctx.db, actor, eventId);
  return { entries: await auditRows(ctx.db, eventId, query.after ?? 0, query.limit) };
}

/**
 * The event's corrections (R-ATT-6), newest first, at most `limit`, with the total: the member,
 * the instant supplied, the author's ref (`actorRef`; the console shows the person's name) and reason.
 */
export async function eventCorrections(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, query: { limit: number }) {
  await visibleEvent(ctx.db, actor, eventId);
  return correctionRows(ctx.db, eventId, query.limit);
}

/** A member's outcome in the event (the first by participant key), or null before it is derived. */
export async function memberOutcome(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, memberId: string) {
  await visibleEvent(ctx.db, actor, eventId);
  const page = await outcomeRows(ctx.db, eventId, null, 1, null, memberId);
  return page.rows[0] ?? null;
}

/** Who the members of an event's outcomes are (name, codice fiscale), for the outcomes a page shows. */
export async function outcomeMembers(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, memberIds: readonly string[]) {
  await visibleEvent(ctx.db, actor, eventId);
  const rows = await outcomeMemberNames(ctx.db, eventId, [...new Set(memberIds)]);
  return new Map(rows.map((r) => [r.memberId, r]));
}

/** A member's credit records; a CPO sees only its province's members (others: `member-not-found`). */
export async function memberCredits(ctx: Pick<ServiceContext, 'db'>, actor: Actor, memberId: string, query: { year?: number | undefined }) {
  const province = await memberProvince(ctx.db, memberId);
  if (province === null || (actor.role === 'cpo' && actor.subject !== province)) throw new ServiceError('member-not-found');
  return { memberId, credits: await memberCreditRecords(ctx.db, memberId, query.year ?? null) };
}
