/**
 * @module Organisers over HTTP (`src/services/registry/organisers.ts`): create (kinds a, b, c, d,
 * e; R-EVT-2), read, and connect a webinar platform (Zoom) to get its webhook URL.
 */
import { createRoute } from '@hono/zod-openapi';
import { Connection, ConnectionCreate, Organiser, OrganiserCreate } from '../schemas/organisers.ts';
import { connectPlatform, createOrganiser, getOrganiser } from '../services/registry/organisers.ts';
import type { Deps } from './deps.ts';
import { IdParam, json, jsonBody, problems, routeMiddleware, TAGS } from './registry-routes.ts';
import { router, SECURITY } from './router.ts';

const routes = {
  createOrganiser: createRoute({
    method: 'post',
    path: '/v1/organisers',
    summary: 'Create an organiser (kinds a–e, R-EVT-2)',
    description: 'Keys: cn, admin. Kind a needs the CPO province; kind e its CN authorisation (number, validity, allowed modes and subjects).',
    tags: TAGS.organisers,
    security: SECURITY,
    request: { body: jsonBody(OrganiserCreate) },
    responses: { 201: { description: 'Created', ...json(Organiser) }, ...problems(400, 401, 403, 422) },
  }),
  getOrganiser: createRoute({
    method: 'get',
    path: '/v1/organisers/{id}',
    summary: 'Read an organiser',
    description: "Keys: the organiser's own organiser/platform key, cpo, cn, admin.",
    tags: TAGS.organisers,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'The organiser', ...json(Organiser) }, ...problems(400, 401, 403, 404) },
  }),
  createConnection: createRoute({
    method: 'post',
    path: '/v1/organisers/{id}/connections',
    summary: 'Connect a webinar platform (Zoom) and get its webhook URL',
    description: 'Key: the organiser itself. The secret token is stored to verify webhook signatures and never returned.',
    tags: TAGS.organisers,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(ConnectionCreate) },
    responses: { 201: { description: 'Connected', ...json(Connection) }, ...problems(400, 401, 403, 404) },
  }),
};

/**
 * The organiser routes, mounted by `createApp`.
 *
 * @example
 * app.route('/', organiserRoutes(deps))
 */
export function organiserRoutes(deps: Deps) {
  const app = router();
  const { auth, limit, with_ } = routeMiddleware(deps);

  app.openapi(with_(routes.createOrganiser, auth('cn', 'admin'), limit), async (c) => {
    return c.json(await createOrganiser(deps, c.get('principal'), c.req.valid('json')), 201);
  });

  app.openapi(with_(routes.getOrganiser, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    return c.json(await getOrganiser(deps, c.get('principal'), c.req.valid('param').id), 200);
  });

  app.openapi(with_(routes.createConnection, auth('organiser'), limit), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    return c.json(await connectPlatform(deps, c.get('principal'), id, { ...body, origin: new URL(c.req.url).origin }), 201);
  });

  return app;
}
