/**
 * @module API key management over HTTP: issue (the key is shown once), list (never the key),
 * revoke (`src/services/keys.ts`; who may issue what: `ISSUABLE_ROLES`). The CLI
 * (`npm run cli -- keys create`) issues the first admin key; from then on operators and
 * organisers manage keys here, also while the embedded database is in use.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';
import { ROLES } from '../domain/roles.ts';
import { issueKey, listKeys, revokeKey } from '../services/keys.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { router, SECURITY } from './router.ts';

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
      return c.json(await issueKey(deps, c.get('principal'), c.req.valid('json')), 201);
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
      return c.json({ keys: await listKeys(deps, c.get('principal')) }, 200);
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
      return c.json(await revokeKey(deps, c.get('principal'), c.req.valid('param').id), 200);
    },
  );
  return app;
}
