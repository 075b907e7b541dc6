/**
 * @module Read API: an event's outcomes with explanations (R-ATT-9), its unmatched participants
 * and incomplete records, its audit trail; a member's credit records.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AuditEntry, CreditRecord, OutcomePage, OutcomeStatus } from '../schemas/attendance.ts';
import { Problem } from '../schemas/common.ts';
import type { Queryable } from '../store/db.ts';
import { visibleEvent } from '../services/access.ts';
import { requireRole, type Principal } from './auth.ts';
import type { Deps } from './deps.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';

const notFound = { 404: { description: 'Unknown', content: { 'application/problem+json': { schema: Problem } } } };
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  after: z.string().max(300).optional().openapi({ description: 'participantKey to continue after (from `next`)' }),
});

/** Views of the outcome list: the same query with a status filter. */
const VIEWS: Record<string, { path: string; summary: string; statuses: string[] | null }> = {
  outcomes: { path: '/v1/events/{id}/outcomes', summary: "Every participant's outcome with its explanation (R-ATT-9)", statuses: null },
  unmatched: { path: '/v1/events/{id}/unmatched', summary: 'Participants matching no registered member (R-ATT-7), kept and never credited', statuses: ['unmatched', 'identity-conflict'] },
  incomplete: { path: '/v1/events/{id}/incomplete', summary: 'Participants with a join and no exit (R-ATT-6): the organiser supplies the exit', statuses: ['incomplete'] },
};

export function readRoutes(deps: Deps) {
  const app = router();
  const readers = requireRole(deps.resolveKey, 'organiser', 'platform', 'cpo', 'cn', 'admin');

  for (const [name, view] of Object.entries(VIEWS)) {
    app.use(view.path.replace('{id}', ':id'), readers);
    app.openapi(
      createRoute({
        method: 'get',
        path: view.path,
        summary: view.summary,
        tags: ['attendance'],
        security: SECURITY,
        request: {
          params: z.object({ id: z.uuid() }),
          query: view.statuses ? Page : Page.extend({ status: OutcomeStatus.optional() }),
        },
        responses: { 200: { description: name, content: { 'application/json': { schema: OutcomePage } } }, ...notFound },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const q = c.req.valid('query') as z.infer<typeof Page> & { status?: string };
        await visibleEvent(deps.db, c.get('principal'), id);
        const statuses = view.statuses ?? (q.status ? [q.status] : null);
        return c.json(await outcomePage(deps.db, id, statuses, q.limit, q.after ?? null), 200);
      },
    );
  }

  app.use('/v1/events/:id/audit', readers);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/audit',
      summary: 'Every re-derivation that changed an outcome: old, new, why (R-POL-2)',
      tags: ['attendance'],
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), query: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(1000), after: z.coerce.number().int().optional() }) },
      responses: { 200: { description: 'Audit', content: { 'application/json': { schema: z.object({ entries: z.array(AuditEntry) }) } } }, ...notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, after } = c.req.valid('query');
      await visibleEvent(deps.db, c.get('principal'), id);
      const { rows } = await deps.db.query<{ id: number; participant_key: string; member_id: string | null; old: any; new: any; cause: string; derivation_id: number; at: Date }>(
        'SELECT id, participant_key, member_id, old, new, cause, derivation_id, at FROM outcome_audit WHERE event_id = $1 AND id > $2 ORDER BY id LIMIT $3',
        [id, after ?? 0, limit],
      );
      return c.json(
        {
          entries: rows.map((r) => ({ id: r.id, participantKey: r.participant_key, memberId: r.member_id, old: r.old, new: r.new, cause: r.cause, derivationId: r.derivation_id, at: r.at.toISOString() })),
        },
        200,
      );
    },
  );

  app.use('/v1/members/:id/credits', requireRole(deps.resolveKey, 'cpo', 'cn', 'admin'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/members/{id}/credits',
      summary: "A member's credit records (member, event, fraction, credits, mode, deontology, year)",
      tags: ['members'],
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), query: z.object({ year: z.coerce.number().int().optional() }) },
      responses: { 200: { description: 'Credit records', content: { 'application/json': { schema: z.object({ memberId: z.uuid(), credits: z.array(CreditRecord) }) } } }, ...notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { year } = c.req.valid('query');
      await visibleMember(deps.db, c.get('principal'), id);
      const { rows } = await deps.db.query<{
        event_id: string;
        title: string;
        fraction: number;
        credits: number;
        deontology_credits: number;
        mode: string;
        year: number;
        status: 'granted' | 'pending' | 'not-granted';
        derived_at: Date;
      }>(
        `SELECT c.event_id, e.title, c.fraction, c.credits, c.deontology_credits, c.mode, c.year, c.status, c.derived_at
         FROM credit_records c JOIN events e ON e.id = c.event_id
         WHERE c.member_id = $1 AND ($2::int IS NULL OR c.year = $2) ORDER BY e.start_at, c.fraction, c.year`,
        [id, year ?? null],
      );
      return c.json(
        {
          memberId: id,
          credits: rows.map((r) => ({
            eventId: r.event_id,
            eventTitle: r.title,
            fraction: r.fraction,
            credits: r.credits,
            deontologyCredits: r.deontology_credits,
            mode: r.mode,
            year: r.year,
            status: r.status,
            derivedAt: r.derived_at.toISOString(),
          })),
        },
        200,
      );
    },
  );
  return app;
}

async function visibleMember(db: Queryable, p: Principal, memberId: string) {
  const { rows } = await db.query<{ province: string }>('SELECT province FROM members WHERE id = $1', [memberId]);
  const m = rows[0];
  if (!m || (p.role === 'cpo' && p.subject !== m.province)) throw new ServiceError('member-not-found');
}

async function outcomePage(db: Queryable, eventId: string, statuses: string[] | null, limit: number, after: string | null) {
  const { rows } = await db.query<{
    participant_key: string;
    member_id: string | null;
    status: string;
    covered_minutes: number;
    absent_minutes: number;
    tolerance_minutes: number;
    credits: number;
    explanation: Record<string, unknown>;
    derived_at: Date;
  }>(
    `SELECT participant_key, member_id, status, covered_minutes, absent_minutes, tolerance_minutes, credits, explanation, derived_at
     FROM attendance_outcomes
     WHERE event_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::text IS NULL OR participant_key > $3)
     ORDER BY participant_key LIMIT $4`,
    [eventId, statuses, after, limit + 1],
  );
  const summary = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM attendance_outcomes WHERE event_id = $1 GROUP BY status',
    [eventId],
  );
  const last = await db.query<{ id: number; cause: string; finished_at: Date; participants: number; changed: number }>(
    'SELECT id, cause, finished_at, participants, changed FROM derivations WHERE event_id = $1 ORDER BY id DESC LIMIT 1',
    [eventId],
  );
  const page = rows.slice(0, limit);
  const d = last.rows[0];
  return {
    eventId,
    summary: Object.fromEntries(summary.rows.map((r) => [r.status, r.n])),
    lastDerivation: d ? { id: d.id, cause: d.cause, finishedAt: d.finished_at.toISOString(), participants: d.participants, changed: d.changed } : null,
    outcomes: page.map((r) => ({
      participantKey: r.participant_key,
      memberId: r.member_id,
      status: r.status as z.infer<typeof OutcomeStatus>,
      coveredMinutes: r.covered_minutes,
      absentMinutes: r.absent_minutes,
      toleranceMinutes: r.tolerance_minutes,
      credits: r.credits,
      explanation: r.explanation,
      derivedAt: r.derived_at.toISOString(),
    })),
    next: rows.length > limit ? page[page.length - 1]!.participant_key : null,
  };
}
