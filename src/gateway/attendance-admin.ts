/**
 * @module Changing what an event's attendance is derived from: organiser corrections until the
 * course is closed (R-ATT-6, R-EVT-7), closing it, and the CPO's tolerance (R-ATT-2).
 * Every change is recorded with its author and reason, then the event is re-derived.
 */
import crypto from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { deadlineAfter, romeDate } from '../domain/calendar.ts';
import { CorrectionBatch, ToleranceChange } from '../schemas/attendance.ts';
import { Problem } from '../schemas/common.ts';
import { storeEvidence } from '../store/evidence.ts';
import { visibleEvent } from '../services/access.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';

/** R-EVT-7: the organiser closes the course within 30 days of the event. */
export const CLOSING_DAYS = 30;

const problems = {
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: Problem } } },
  404: { description: 'Unknown event', content: { 'application/problem+json': { schema: Problem } } },
  409: { description: 'Not possible in the current state', content: { 'application/problem+json': { schema: Problem } } },
  422: { description: 'Invalid', content: { 'application/problem+json': { schema: Problem } } },
};
const Params = z.object({ id: z.uuid() });

export function attendanceAdminRoutes(deps: Deps) {
  const app = router();

  app.use('/v1/events/:id/corrections', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/corrections',
      summary: 'Record attendance corrections (a missing exit or entry) with author and reason',
      description:
        'The organiser may correct until the course is closed or 30 days after the event (R-EVT-7); afterwards only the CPO (or CN), with a reason. Corrections are new evidence; nothing is overwritten.',
      tags: ['attendance'],
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: CorrectionBatch } }, required: true } },
      responses: {
        202: { description: 'Stored', content: { 'application/json': { schema: z.object({ accepted: z.number().int(), duplicates: z.number().int() }) } } },
        ...problems,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const e = await visibleEvent(deps.db, p, id);
      const now = deps.now();
      if (p.role === 'organiser' && (e.closed_at || now > deadlineAfter(e.end_at, CLOSING_DAYS).getTime())) {
        throw new ServiceError('event-closed', 'The course is closed: only the CPO may change attendance now (R-EVT-7)');
      }
      const body = c.req.valid('json');
      const memberIds = [...new Set(body.corrections.map((x) => x.memberId))];
      const { rows } = await deps.db.query<{ member_id: string }>(
        'SELECT member_id FROM registrations WHERE event_id = $1 AND member_id = ANY($2::uuid[])',
        [id, memberIds],
      );
      const registered = new Set(rows.map((r) => r.member_id));
      const missing = body.corrections.map((x, i) => ({ x, i })).filter(({ x }) => !registered.has(x.memberId));
      if (missing.length) {
        throw new ServiceError('member-not-registered', 'Corrections must name members registered to the event', {
          errors: missing.map(({ i }) => ({ path: `corrections.${i}.memberId`, message: 'not registered' })),
        });
      }
      const future = body.corrections.findIndex((x) => Date.parse(x.at) > now);
      if (future >= 0) throw new ServiceError('instant-in-future', undefined, { errors: [{ path: `corrections.${future}.at`, message: 'in the future' }] });
      const text = JSON.stringify(body);
      const result = await storeEvidence(
        deps.db,
        id,
        { source: 'correction', receivedAt: new Date(now), clientAddr: clientAddr(c), headers: { author: p.keyId, role: p.role }, body: Buffer.from(text) },
        body.corrections.map((x) => ({
          record: { id: x.id ? `${p.keyId}:${x.id}` : crypto.randomUUID(), type: x.type, at: x.at, participant: undefined },
          memberId: x.memberId,
          author: `${p.role}:${p.keyId}`,
          reason: x.reason,
        })),
      );
      await deps.attendance.requestDerivation(id, 'correction');
      return c.json({ accepted: result.accepted, duplicates: result.duplicates }, 202);
    },
  );

  app.use('/v1/events/:id/close', requireRole(deps.resolveKey, 'organiser'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/close',
      summary: 'Close the course (R-EVT-7): organiser edits are frozen',
      tags: ['attendance'],
      security: SECURITY,
      request: { params: Params },
      responses: { 200: { description: 'Closed', content: { 'application/json': { schema: z.object({ id: z.uuid(), closedAt: z.string() }) } } }, ...problems },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const e = await visibleEvent(deps.db, p, id);
      const now = deps.now();
      if (e.closed_at) throw new ServiceError('event-closed', 'Already closed');
      if (now < e.end_at.getTime()) throw new ServiceError('event-not-ended', 'A course can be closed only after it ends');
      const closedAt = new Date(now);
      const upd = await deps.db.query('UPDATE events SET closed_at = $2, closed_by = $3, updated_at = $2 WHERE id = $1 AND closed_at IS NULL', [id, closedAt, p.keyId]);
      if (upd.rowCount === 0) throw new ServiceError('event-closed', 'Already closed');
      await deps.attendance.requestDerivation(id, 'close');
      return c.json({ id, closedAt: closedAt.toISOString() }, 200);
    },
  );

  app.use('/v1/events/:id/tolerance', requireRole(deps.resolveKey, 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/events/{id}/tolerance',
      summary: "Set the event's tolerance (R-ATT-2): the CPO, up to 60 minutes, from the day after the event",
      tags: ['attendance'],
      security: SECURITY,
      request: { params: Params, body: { content: { 'application/json': { schema: ToleranceChange } }, required: true } },
      responses: {
        200: { description: 'Changed; the event is re-derived', content: { 'application/json': { schema: z.object({ id: z.uuid(), oldMinutes: z.number().int(), minutes: z.number().int() }) } } },
        ...problems,
      },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const e = await visibleEvent(deps.db, p, id);
      const now = deps.now();
      if (romeDate(now) <= romeDate(e.end_at)) {
        throw new ServiceError('tolerance-change-too-early', `The tolerance can be changed from the day after the event (${romeDate(e.end_at)}, Europe/Rome)`);
      }
      const { minutes, reason } = c.req.valid('json');
      const old = e.tolerance_minutes;
      await deps.db.transaction(async (tx) => {
        await tx.query('UPDATE events SET tolerance_minutes = $2, updated_at = now() WHERE id = $1', [id, minutes]);
        await tx.query('INSERT INTO tolerance_changes (event_id, old_minutes, new_minutes, reason, changed_by) VALUES ($1, $2, $3, $4, $5)', [
          id,
          old,
          minutes,
          reason,
          `${p.role}:${p.keyId}`,
        ]);
      });
      await deps.attendance.requestDerivation(id, 'tolerance');
      return c.json({ id, oldMinutes: old, minutes }, 200);
    },
  );
  return app;
}
