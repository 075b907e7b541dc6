/**
 * @module Changing what an event's attendance is derived from: organiser corrections until the
 * course is closed (R-ATT-6, R-EVT-7), closing it, and the CPO's tolerance (R-ATT-2).
 * Every change is recorded with its author and reason, then the event is re-derived.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CorrectionBatch, ToleranceChange } from '../schemas/attendance.ts';
import { Problem } from '../schemas/common.ts';
import { changeTolerance, closeEvent, recordCorrections } from '../services/attendance/changes.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { router, SECURITY } from './router.ts';

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
      return c.json(await recordCorrections(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json'), { clientAddr: clientAddr(c) }), 202);
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
      return c.json(await closeEvent(deps, c.get('principal'), c.req.valid('param').id), 200);
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
        200: {
          description: 'Changed; the event is re-derived',
          content: { 'application/json': { schema: z.object({ id: z.uuid(), oldMinutes: z.number().int(), minutes: z.number().int() }) } },
        },
        ...problems,
      },
    }),
    async (c) => {
      return c.json(await changeTolerance(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200);
    },
  );
  return app;
}
