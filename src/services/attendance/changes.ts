/**
 * @module Changing what an event's attendance is derived from: organiser corrections until the
 * course is closed (R-ATT-6, R-EVT-7), closing it, and the CPO's tolerance (R-ATT-2). Every change
 * is recorded with its author and reason, then the event is re-derived.
 *
 * Who, and until when (`changeableEvent`, also for uploaded files and platform reports): the
 * organiser until the course is closed or 30 days after the event; the CPO of the event (or CN)
 * at any time.
 */
import crypto from 'node:crypto';
import { closingRefusal, organiserMayChange, toleranceChangeOpen } from '../../domain/attendance-changes.ts';
import { romeDate } from '../../domain/calendar.ts';
import type { z } from '@hono/zod-openapi';
import type { CorrectionBatch, ToleranceChange } from '../../schemas/attendance.ts';
import { closeEventRow, registeredAmong, setTolerance } from '../../store/attendance-changes.ts';
import { storeEvidence } from '../../store/evidence.ts';
import { visibleEvent, type EventAccessRow } from '../access.ts';
import { actorId, actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/**
 * The event if the actor may change its attendance now: visible to the actor, and for an
 * organiser neither closed nor past its 30 days (R-EVT-7, `event-closed`).
 */
export async function changeableEvent(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, now: number): Promise<EventAccessRow> {
  const e = await visibleEvent(ctx.db, actor, eventId);
  if (actor.role === 'organiser' && !organiserMayChange({ closedAt: e.closed_at, end: e.end_at }, now)) {
    throw new ServiceError('event-closed', 'The course is closed: only the CPO may change attendance now (R-EVT-7)');
  }
  return e;
}

/**
 * Records corrections (a missing exit or entry, R-ATT-6) as new evidence naming registered
 * members, with author and reason; nothing is overwritten. The event is re-derived.
 */
export async function recordCorrections(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'attendance'>,
  actor: Actor,
  eventId: string,
  input: z.infer<typeof CorrectionBatch>,
  request: { clientAddr: string | null },
): Promise<{ accepted: number; duplicates: number }> {
  const now = ctx.now();
  await changeableEvent(ctx, actor, eventId, now);
  const registered = await registeredAmong(ctx.db, eventId, [...new Set(input.corrections.map((x) => x.memberId))]);
  const missing = input.corrections.map((x, i) => ({ x, i })).filter(({ x }) => !registered.has(x.memberId));
  if (missing.length) {
    throw new ServiceError('member-not-registered', 'Corrections must name members registered to the event', {
      errors: missing.map(({ i }) => ({ path: `corrections.${i}.memberId`, message: 'not registered' })),
    });
  }
  const future = input.corrections.findIndex((x) => Date.parse(x.at) > now);
  if (future >= 0) throw new ServiceError('instant-in-future', undefined, { errors: [{ path: `corrections.${future}.at`, message: 'in the future' }] });
  const result = await storeEvidence(
    ctx.db,
    eventId,
    {
      source: 'correction',
      receivedAt: new Date(now),
      clientAddr: request.clientAddr,
      headers: { author: actorId(actor), role: actor.role },
      body: Buffer.from(JSON.stringify(input)),
    },
    input.corrections.map((x) => ({
      record: { id: x.id ? `${actorId(actor)}:${x.id}` : crypto.randomUUID(), type: x.type, at: x.at, participant: undefined },
      memberId: x.memberId,
      author: actorRef(actor),
      reason: x.reason,
    })),
  );
  await ctx.attendance.requestDerivation(eventId, 'correction');
  return { accepted: result.accepted, duplicates: result.duplicates };
}

/** The organiser closes the course once it has ended (R-EVT-7): its own edits are frozen. The event is re-derived. */
export async function closeEvent(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'attendance'>,
  actor: Actor,
  eventId: string,
): Promise<{ id: string; closedAt: string }> {
  const e = await visibleEvent(ctx.db, actor, eventId);
  const now = ctx.now();
  const refusal = closingRefusal({ closedAt: e.closed_at, end: e.end_at }, now);
  if (refusal === 'already-closed') throw new ServiceError('event-closed', 'Already closed');
  if (refusal === 'not-ended') throw new ServiceError('event-not-ended', 'A course can be closed only after it ends');
  const closedAt = new Date(now);
  if (!(await closeEventRow(ctx.db, eventId, closedAt, actorId(actor)))) throw new ServiceError('event-closed', 'Already closed');
  await ctx.attendance.requestDerivation(eventId, 'close');
  return { id: eventId, closedAt: closedAt.toISOString() };
}

/** The CPO (or CN) sets the event's tolerance from the day after it (R-ATT-2), with a reason; everyone is re-derived. */
export async function changeTolerance(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'attendance'>,
  actor: Actor,
  eventId: string,
  input: z.infer<typeof ToleranceChange>,
): Promise<{ id: string; oldMinutes: number; minutes: number }> {
  const e = await visibleEvent(ctx.db, actor, eventId);
  if (!toleranceChangeOpen(e.end_at, ctx.now())) {
    throw new ServiceError('tolerance-change-too-early', `The tolerance can be changed from the day after the event (${romeDate(e.end_at)}, Europe/Rome)`);
  }
  const old = e.tolerance_minutes;
  await ctx.db.transaction((tx) => setTolerance(tx, eventId, { oldMinutes: old, minutes: input.minutes, reason: input.reason, changedBy: actorRef(actor) }));
  await ctx.attendance.requestDerivation(eventId, 'tolerance');
  return { id: eventId, oldMinutes: old, minutes: input.minutes };
}
