/**
 * @module API key management over HTTP: issue (the key is shown once), list (never the key),
 * revoke. The CLI (`npm run cli -- keys create`) issues the first admin key; from then on
 * operators and organisers manage keys here, also while the embedded database is in use.
 *
 * Who may issue what: admin any role; cn the council and provider roles below it; an
 * organiser only `platform` keys for itself (one per webinar platform it connects).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';
import { checkKeySubject, createKey, requireRole, ROLES, type Principal, type Role } from './auth.ts';
import type { Deps } from './deps.ts';
import { ApiError } from './problem.ts';
import { router, SECURITY } from './router.ts';

/** Roles each role may issue and revoke keys for. */
const ISSUABLE: Record<Role, readonly Role[]> = {
  admin: ROLES,
  cn: ['cpo', 'organiser', 'platform'],
  organiser: ['platform'],
  cpo: [],
  platform: [],
};

const KeyRequest = z
  .object({
    role: z.enum(ROLES),
    subject: z.string().max(64).nullable().optional().describe('Organiser id (platform, organiser) or province code (cpo)'),
    label: z.string().trim().min(1).max(200),
  })
  .openapi('KeyRequest');

const KeyInfo = z
  .object({
    id: z.uuid(),
    role: z.enum(ROLES),
    subject: z.string().nullable(),
    label: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('KeyInfo');

const IssuedKey = KeyInfo.extend({ key: z.string().describe('Shown once: only its hash is stored') }).openapi('IssuedKey');

const problems = {
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: Problem } } },
  404: { description: 'Unknown key', content: { 'application/problem+json': { schema: Problem } } },
  422: { description: 'Invalid subject', content: { 'application/problem+json': { schema: Problem } } },
};

interface KeyRow {
  id: string;
  role: Role;
  subject: string | null;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toInfo = (r: KeyRow) => ({
  id: r.id,
  role: r.role,
  subject: r.subject,
  label: r.label,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
});

/** An organiser manages only its own platform keys; cn and admin all keys of the roles they issue. */
function manages(p: Principal, key: { role: Role; subject: string | null }): boolean {
  if (!ISSUABLE[p.role].includes(key.role)) return false;
  return p.role === 'organiser' ? key.subject === p.subject : true;
}

export function keyRoutes(deps: Deps) {
  const app = router();
  app.use('/v1/keys', requireRole(deps.resolveKey, 'admin', 'cn', 'organiser'));
  app.use('/v1/keys/*', requireRole(deps.resolveKey, 'admin', 'cn', 'organiser'));

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/keys',
      summary: 'Issue an API key (shown once)',
      tags: ['keys'],
      security: SECURITY,
      request: { body: { content: { 'application/json': { schema: KeyRequest } }, required: true } },
      responses: { 201: { description: 'Issued', content: { 'application/json': { schema: IssuedKey } } }, ...problems },
    }),
    async (c) => {
      const p = c.get('principal');
      const body = c.req.valid('json');
      if (!ISSUABLE[p.role].includes(body.role)) throw new ApiError(403, 'forbidden', `A ${p.role} key cannot issue ${body.role} keys`);
      const subject = await checkKeySubject(deps.db, body.role, p.role === 'organiser' ? (body.subject ?? p.subject) : body.subject);
      if (p.role === 'organiser' && subject !== p.subject) throw new ApiError(403, 'forbidden', 'An organiser issues keys for itself only');
      const { id, key } = await createKey(deps.db, body.role, subject, body.label);
      const { rows } = await deps.db.query<KeyRow>('SELECT id, role, subject, label, created_at, revoked_at FROM api_keys WHERE id = $1', [id]);
      deps.log.info({ keyId: id, role: body.role, by: p.keyId }, 'api key issued');
      return c.json({ ...toInfo(rows[0]!), key }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/keys',
      summary: 'List the keys this caller manages (never the keys themselves)',
      tags: ['keys'],
      security: SECURITY,
      responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ keys: z.array(KeyInfo) }) } } }, ...problems },
    }),
    async (c) => {
      const p = c.get('principal');
      const { rows } = await deps.db.query<KeyRow>(
        `SELECT id, role, subject, label, created_at, revoked_at FROM api_keys
         WHERE role = ANY($1::text[]) AND ($2::text IS NULL OR subject = $2) ORDER BY created_at, id LIMIT 1000`,
        [ISSUABLE[p.role], p.role === 'organiser' ? p.subject : null],
      );
      return c.json({ keys: rows.map(toInfo) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/keys/{id}',
      summary: 'Revoke a key (effective within 5 seconds on every gateway (keys are cached that long))',
      tags: ['keys'],
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: KeyInfo } } }, ...problems },
    }),
    async (c) => {
      const p = c.get('principal');
      const { id } = c.req.valid('param');
      const { rows } = await deps.db.query<KeyRow>('SELECT id, role, subject, label, created_at, revoked_at FROM api_keys WHERE id = $1', [id]);
      const key = rows[0];
      // A key the caller does not manage is reported as unknown: its existence is not disclosed.
      if (!key || !manages(p, key)) throw new ApiError(404, 'key-not-found');
      const upd = await deps.db.query<KeyRow>(
        'UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id, role, subject, label, created_at, revoked_at',
        [id],
      );
      deps.log.info({ keyId: id, by: p.keyId }, 'api key revoked');
      return c.json(toInfo(upd.rows[0]!), 200);
    },
  );
  return app;
}
